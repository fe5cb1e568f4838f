"""Cutting a series into samples, and the split by time.

The split cuts the *steps* in time order: the first ``train`` share of them, then ``val``, then
``test``; nothing is shuffled. A sample belongs to the part that holds its target: the steps it
forecasts (all inside one part, never straddling a boundary) or, when classifying, its last step.
Its input window may look back across the boundary into the part before: those steps are in the
past when the forecast is made, exactly as at prediction time, and no later part's values ever
reach an earlier part's samples (no value of val or test is an input or a target of training).
This keeps ``window - 1`` more samples per boundary than windows that stay inside one part, which
matters for short series such as 300 yearly sunspot counts. The input normalization is fit on the
training part's steps only (:class:`studio.inputs.series.SeriesInput`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from studio.data.columns import plural
from studio.data.split import MIN_TRAIN_ROWS, Splits
from studio.data.table import Table
from studio.errors import DataError
from studio.recipe import SplitConfig


@dataclass(frozen=True)
class Parts:
    """Step positions [start, end) of each part of a series, in time order."""

    train: tuple[int, int]
    val: tuple[int, int]
    test: tuple[int, int]


def cut_steps(n: int, split: SplitConfig) -> Parts:
    """The steps of each part: the same shares (and rounding) as the table split, in time order."""
    n_test = math.ceil(n * split.test)
    val_share = split.val / (split.train + split.val)
    n_val = math.ceil((n - n_test) * val_share) if split.val > 0 else 0
    n_train = n - n_test - n_val
    return Parts((0, n_train), (n_train, n_train + n_val), (n_train + n_val, n))


def anchors(part: tuple[int, int], window: int, reach: int) -> np.ndarray:
    """Positions of the last input step of every sample whose target lies in ``part``.

    Forecast (``reach`` = horizon): targets ``t+1..t+reach`` inside the part; classify (0): ``t`` inside it.
    """
    start, end = part
    first = max(start - 1 if reach else start, window - 1)
    last = end - 1 - reach
    return np.arange(first, last + 1, dtype=np.int64) if last >= first else np.zeros(0, dtype=np.int64)


def split_series(table: Table, split: SplitConfig) -> Splits:
    """Train / val / test samples of a series Table, by time (see the module's docstring)."""
    info = table.series
    n = len(table.frame)
    parts = cut_steps(n, split)
    cut = {name: anchors(getattr(parts, name), info.window, info.reach) for name in ("train", "val", "test")}
    if len(cut["train"]) < MIN_TRAIN_ROWS or len(cut["test"]) < 1:
        raise DataError(
            f"splitting {plural(n, 'step')} of {table.name!r} by time as train {split.train:g} / val {split.val:g} / "
            f"test {split.test:g} leaves {len(cut['train'])} training and {len(cut['test'])} test windows of "
            f"{info.window} steps; at least {MIN_TRAIN_ROWS} training windows and 1 test window are needed, so "
            "lower data.series.window, raise data.split.train or use a longer series")
    notes = [f"split by time: training steps 1-{parts.train[1]}, validation {parts.val[0] + 1}-{parts.val[1]}, test "
             f"{parts.test[0] + 1}-{n}; a window's first steps may come from the part before it"
             if parts.val[1] > parts.val[0] else
             f"split by time: training steps 1-{parts.train[1]}, test {parts.test[0] + 1}-{n}"]
    frame = table.frame
    return Splits(train=frame.iloc[cut["train"]], val=frame.iloc[cut["val"]], test=frame.iloc[cut["test"]],
                  notes=notes)


def windows(values: np.ndarray, ends: np.ndarray, window: int) -> np.ndarray:
    """``values[end - window + 1 : end + 1]`` for each end: (N, S) -> float32 (n, window, S)."""
    values = np.asarray(values, dtype=np.float32)
    ends = np.asarray(ends, dtype=np.int64)
    view = np.lib.stride_tricks.sliding_window_view(values, window, axis=0)  # (N - w + 1, S, w)
    return np.ascontiguousarray(view[ends - window + 1].transpose(0, 2, 1))


def future_values(table: Table, ends: pd.Index | np.ndarray) -> np.ndarray:
    """The next ``horizon`` target values after each anchor: float64 (n, horizon)."""
    y = table.frame[table.target].to_numpy(dtype=np.float64)
    ends = np.asarray(ends, dtype=np.int64)
    steps = ends[:, None] + np.arange(1, table.series.horizon + 1)[None, :]
    return y[steps]


def series_values(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> np.ndarray:
    """The input series of a frame of steps, float32 (N, S), in the model's order."""
    return np.stack([frame[c].to_numpy(dtype=np.float32) for c in columns], axis=1)
