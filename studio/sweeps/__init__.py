"""Sweeps: search recipe fields with Optuna's TPE, trials as local processes or through Ray Tune.

Public API (see docs/engine-api.md): ``parse_space``/``space_from_json`` -> ``Space``;
``check_space(recipe, space)``; ``apply_params(recipe, values)``; ``SweepSettings`` and
``run_sweep(settings, on_trial, should_stop) -> SweepResult``; ``start_sweep(settings) -> Job``
(started), ``sweep_job`` (not started);
``read_sweep(folder) -> SweepView``; ``sweep_study(folder)`` for Optuna's figures. Optuna (and Ray)
are imported only when a sweep is used.
"""

from __future__ import annotations

from typing import Any

_NAMES = {
    "Param": "space", "Space": "space", "SpaceError": "space", "parse_space": "space", "space_from_json": "space",
    "apply_params": "apply", "check_space": "apply",
    "SweepSettings": "run", "SweepResult": "run", "run_sweep": "run", "describe_result": "run",
    "SweepView": "progress", "read_sweep": "progress", "start_sweep": "progress", "sweep_job": "progress",
    "sweep_study": "progress",
    "SweepFolder": "folder",
}
__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        import importlib

        return getattr(importlib.import_module(f"studio.sweeps.{_NAMES[name]}"), name)
    raise AttributeError(f"module 'studio.sweeps' has no attribute {name!r}")
