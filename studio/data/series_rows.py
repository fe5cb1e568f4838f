"""Rows of steps as a person has them (a run's test steps, a CSV to predict) -> windows, without torch.

A run keeps its test part as raw steps (``test.csv``: the time, the series and the target, from
the first test window's first step on); export, parity and ``studio predict`` cut the same windows
from them as training did.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from studio.data.columns import plural
from studio.data.numbers import to_numbers
from studio.data.series import SeriesInfo, parse_times, some_values
from studio.data.series_windows import windows
from studio.errors import DataError, quote


def test_steps(table: pd.DataFrame, info: SeriesInfo, test_anchors: pd.Index) -> pd.DataFrame:
    """The steps the test windows read and forecast: from the first test window's first step to the end."""
    start = int(np.min(test_anchors)) - info.window + 1
    columns = [c for c in (info.time, *info.columns, info.target) if c is not None]
    return table.iloc[start:][list(dict.fromkeys(columns))]


def sample_frame(steps: pd.DataFrame, info: SeriesInfo, with_targets: bool = True) -> tuple[pd.DataFrame, np.ndarray]:
    """Every window of ``steps`` (in order, numbers already clean) and one row per window.

    Returns ``(frame, windows)``: ``frame`` holds the anchor's time (if any) and, ``with_targets``, the
    targets (forecast: one column per step ahead, ``info.target_names()``; classify: the label at the
    anchor); ``windows`` float32 (n, window, series), raw values. ``with_targets`` leaves out the
    windows whose forecast would run past the last step.
    """
    reach = info.reach if with_targets else 0
    n = len(steps)
    ends = np.arange(info.window - 1, n - reach, dtype=np.int64)
    values = np.stack([steps[c].to_numpy(dtype=np.float32) for c in info.columns], axis=1)
    cut = windows(values, ends, info.window) if len(ends) else np.zeros((0, info.window, info.n_series), np.float32)
    frame = pd.DataFrame(index=pd.RangeIndex(len(ends)))
    if info.time is not None and info.time in steps.columns:
        frame[info.time] = steps[info.time].to_numpy()[ends]
    if with_targets:
        target = steps[info.target].to_numpy()
        if info.forecast:
            y = np.asarray(target, dtype=np.float64)
            for k, name in enumerate(info.target_names(), start=1):
                frame[name] = y[ends + k]
        else:
            frame[info.target] = target[ends]
    return frame, cut


def clean_steps(frame: pd.DataFrame, info: SeriesInfo, notes: list[str]) -> pd.DataFrame:
    """A person's rows of steps, as training read them: sorted by time, numbers, gaps filled linearly.

    DataError (one sentence) for a missing column, text in a series, an unreadable time, or fewer steps
    than one window.
    """
    needed = [c for c in (info.time, *info.columns) if c is not None]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(f"the rows lack the column(s) {', '.join(quote(c, 30) for c in missing)} that the series "
                        f"model reads; it expects {', '.join(quote(c, 30) for c in needed)}")
    frame = frame.reset_index(drop=True)
    if info.time is not None:
        _, when = parse_times(frame[info.time])
        if when.isna().any():
            bad = frame[info.time][when.isna()].iloc[0]
            raise DataError(f"the time column {quote(info.time)} has {some_values(int(when.isna().sum()))} "
                            f"not dates or numbers, e.g. {quote(bad)}; fix them")
        if not np.all(np.diff(when.to_numpy()) > 0):
            frame = frame.iloc[np.argsort(when.to_numpy(), kind="stable")].reset_index(drop=True)
            notes.append(f"sorted the rows by {quote(info.time)}: they were not in time order")
    out = frame.copy()
    for c in info.columns:
        col = frame[c]
        values = to_numbers(col)
        text = values.isna() & col.notna() & (col.astype(str).str.strip() != "")
        if text.any():
            raise DataError(f"the series column {quote(c)} must hold numbers but has "
                            f"{some_values(int(text.sum()))} not, e.g. {quote(col[text].iloc[0])}; fix them or leave "
                            "them empty")
        values = values.where(np.isfinite(values))
        gaps = int(values.isna().sum())
        if gaps == len(values):
            raise DataError(f"the series column {quote(c)} has no values; give the steps' values")
        if gaps:
            values = values.interpolate(method="linear", limit_direction="both")
            notes.append(f"filled {plural(gaps, 'missing value')} of {quote(c)} linearly between neighbouring steps")
        out[c] = values
    if len(out) < info.window:
        raise DataError(f"the rows hold {plural(len(out), 'step')}, but the model reads windows of {info.window} "
                        f"steps; give at least the last {info.window} steps")
    return out


def future_times(steps: pd.DataFrame, info: SeriesInfo, count: int) -> list | None:
    """The times of the ``count`` steps after the last one, when the steps are regular; else None."""
    if info.time is None or info.time not in steps.columns or len(steps) < 2:
        return None
    col = steps[info.time]
    kind, when = parse_times(col)
    if kind == "number":
        gaps = np.diff(when.to_numpy())
        if not np.allclose(gaps, gaps[0]):
            return None
        last, step = float(when.iloc[-1]), float(gaps[0])
        out = [last + k * step for k in range(1, count + 1)]
        return [int(v) if float(v).is_integer() else v for v in out]
    dates = pd.DatetimeIndex(pd.to_datetime(when, unit="s")).as_unit("ns")
    gaps = np.diff(dates.asi8)
    if (gaps == gaps[0]).all():  # a fixed gap: days, hours, weeks
        future = pd.DatetimeIndex([dates[-1] + pd.Timedelta(int(gaps[0]) * k, "ns") for k in range(1, count + 1)])
    else:  # calendar months, quarters, years: the same day of the month, a fixed number of months apart
        months = np.diff(dates.year * 12 + dates.month)
        if not ((months == months[0]).all() and months[0] > 0 and (dates.day == dates.day[0]).all()):
            return None
        future = pd.DatetimeIndex([dates[-1] + pd.DateOffset(months=int(months[0]) * k) for k in range(1, count + 1)])
    fmt = "%Y-%m-%d" if (future.normalize() == future).all() else "%Y-%m-%d %H:%M:%S"
    return list(future.strftime(fmt))
