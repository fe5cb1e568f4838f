"""The dataset registry: built-in name -> params schema + loader ``(params, seed) -> Table``."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from studio.data.table import Table
from studio.registry import Params, Registry

Loader = Callable[[Any, int], Table]

DATASETS: Registry[Loader] = Registry("dataset")


class NoParams(Params):
    """A dataset that takes no options (scikit-learn's shipped sets)."""


def describe_datasets() -> list[dict[str, Any]]:
    """One row per built-in dataset for ``studio datasets`` and the UI's menu.

    Each row: name, task, rows, features, description, series (True for a time series, whose regression
    forecasts the next values). Synthetic sets report their default size.
    """
    return [dict(row) for row in _described()]


@lru_cache(maxsize=1)
def _described() -> tuple[dict[str, Any], ...]:
    # Loading every set once costs well under a second; the result is immutable and shared.
    rows = []
    for name in DATASETS:
        entry = DATASETS[name]
        table = entry.impl(entry.params(), 0)
        rows.append(
            {
                "name": name,
                "task": table.task,
                "rows": len(table.frame),
                "features": len(table.series.columns) if table.series is not None else len(table.features),
                "description": entry.description,
                "series": table.series is not None,
            }
        )
    return tuple(rows)
