"""Where each registry lives, looked up lazily so that modules can import the Recipe freely."""

from __future__ import annotations

import importlib
from typing import Any

from studio.registry import Registry

_LOCATIONS: dict[str, tuple[str, str]] = {
    "steps": ("studio.preprocess", "STEPS"),
    "blocks": ("studio.blocks", "BLOCKS"),
    "optimizers": ("studio.train.optimizers", "OPTIMIZERS"),
    "schedules": ("studio.train.schedules", "SCHEDULES"),
    "datasets": ("studio.data", "DATASETS"),
}


def registry(name: str) -> Registry[Any]:
    """Return the registry called ``name`` ("steps", "blocks", "optimizers", "schedules", "datasets")."""
    module, attr = _LOCATIONS[name]
    return getattr(importlib.import_module(module), attr)
