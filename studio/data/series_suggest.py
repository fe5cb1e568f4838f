"""Does a CSV look like a time series? A suggestion for the Data page, never applied without the person."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from studio.data.columns import DATE_TEXT
from studio.data.series import parse_times

MIN_STEPS = 24
TIME_NAMES = ("year", "date", "time", "step", "day", "month", "week", "period")  # numbers that are a time


def suggest_series(frame: pd.DataFrame, target: str | None = None) -> dict[str, Any] | None:
    """A ``data.series`` for ``frame`` when one column holds distinct dates in order (or nearly: a
    shuffled file is sorted when read), else None.

    The window is a season of the step when one is plain (12 months, 7 days, 24 hours), else about a
    tenth of the steps (4 to 48); the horizon is 1. ``target`` (when given) must be a numeric column.
    """
    n = len(frame)
    if n < MIN_STEPS:
        return None
    for name in frame.columns:
        if name == target:
            continue
        col = frame[name]
        if pd.api.types.is_numeric_dtype(col):
            if not any(h in str(name).lower() for h in TIME_NAMES):
                continue  # plain numbers are a time only when the column's name says so (year, step...)
        elif col.dropna().astype(str).head(50).str.match(DATE_TEXT).mean() < 0.9:
            continue  # text that does not look like dates
        kind, when = parse_times(col)
        keys = when.to_numpy(dtype=np.float64)
        if np.isnan(keys).any() or len(np.unique(keys)) != n:
            continue
        return {"time": str(name), "window": _window(np.diff(np.sort(keys)), kind, n), "horizon": 1,
                "columns": None, "task": "forecast", "missing": "interpolate"}
    return None


DAY = 86_400.0


def _window(gaps: np.ndarray, kind: str, n: int) -> int:
    step = float(np.median(gaps))
    season = None
    if kind == "date":
        for size, length in ((3600.0, 24), (DAY, 7), (7 * DAY, 52), (30.4 * DAY, 12), (91 * DAY, 4)):
            if abs(step - size) <= 0.1 * size:
                season = length
    window = season if season is not None else max(4, min(48, n // 10))
    return int(min(window, max(1, n // 4)))
