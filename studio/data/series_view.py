"""What the Data page draws for a series: every series over time, with the split's boundaries marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from studio.data.series import parse_times
from studio.data.series_windows import cut_steps
from studio.data.table import Table
from studio.recipe import SplitConfig

PARTS = ("train", "val", "test")
STEP = "step"  # the x column when the series has no time column: 1, 2, 3, ...


@dataclass
class SeriesView:
    """Plot data: ``frame`` has the x column (``x``: the time column, as dates or numbers, or ``step``),
    every series (inputs and the target) and ``part`` (train, val or test) per step.

    ``boundaries``: where val and test begin, ``[{"part": "val", "x": <x of its first step>, "step": i}]``
    (a part with no steps is left out). ``parts``: each part's first and last x and its step count.
    """

    frame: pd.DataFrame
    x: str
    series: list[str]
    target: str
    boundaries: list[dict[str, Any]] = field(default_factory=list)
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)


def series_view(table: Table, split: SplitConfig) -> SeriesView:
    """The plot data of a series Table under ``split`` (the same cut the training split makes).

    Raises:
        ValueError: the table is not a series (``table.series`` is None).
    """
    info = table.series
    if info is None:
        raise ValueError("series_view needs a Table read with data.series")
    frame = table.frame
    n = len(frame)
    if info.time is not None:
        kind, seconds = parse_times(frame[info.time])
        xs = pd.to_datetime(seconds, unit="s") if kind == "date" else seconds
        x = info.time
    else:
        xs, x = pd.Series(range(1, n + 1), index=frame.index), STEP
    columns = list(dict.fromkeys([*info.columns, table.target])) if info.forecast else list(info.columns)
    out = pd.DataFrame({x: xs.to_numpy()}, index=frame.index)
    for c in columns:
        out[c] = frame[c].to_numpy()
    if not info.forecast:
        out[table.target] = frame[table.target].astype(str).to_numpy()
    cut = cut_steps(n, split)
    part = pd.Series("train", index=frame.index, dtype=object)
    boundaries, parts = [], {}
    for name in PARTS:
        start, end = getattr(cut, name)
        if end <= start:
            continue
        part.iloc[start:end] = name
        parts[name] = {"first": out[x].iloc[start], "last": out[x].iloc[end - 1], "steps": end - start}
        if start > 0:
            boundaries.append({"part": name, "x": out[x].iloc[start], "step": start + 1})
    out["part"] = part.to_numpy()
    return SeriesView(out, x, columns, table.target, boundaries, parts)
