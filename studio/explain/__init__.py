"""What a trained model learned: permutation importance of each raw input column on the test split
(:mod:`studio.explain.importance`), and Integrated Gradients attributions of single predictions to
their raw columns and pixels (:mod:`studio.explain.attributions`). Both read only the run directory.

Public API: ``raw_columns``, ``permutation_importance_of``, ``explain_run``, ``attribute``,
``Attributions``, ``typical_row``; see docs/engine-api.md. The modules are imported on first use
(scikit-learn's inspection and captum are not needed to train).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "Attributions": "attributions", "attribute": "attributions",
    "RawColumn": "columns", "raw_columns": "columns",
    "explain_run": "importance", "permutation_importance_of": "importance",
    "typical_row": "baseline",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"studio.explain.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'studio.explain' has no attribute {name!r}")
