"""Series data: rows are the time steps of numeric series, read into a Table whose samples are windows.

A ``data.series`` recipe (see :class:`studio.recipe.SeriesConfig`) makes :func:`series_table` order
the rows by the time column (or keep the file's order), check that every input series is numeric,
fill or refuse missing values, and note irregular steps. The Table keeps every step in ``frame``
(index 0..N-1, in time order); :attr:`SeriesInfo` says how windows are cut from it. A sample is
named by its *anchor*, the position of its window's last step: its inputs are the steps
``anchor - window + 1 .. anchor``, its target the next ``horizon`` values of the target (forecast)
or the label at the anchor (classify).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from studio.data.columns import day_first, plural
from studio.data.numbers import to_numbers
from studio.data.table import Table
from studio.data.target import decide_task, listed
from studio.errors import DataError, quote
from studio.recipe import SeriesConfig

MOSTLY = 0.9  # share of numbers that makes a column a series (its other values are then refused by name)
SERIES_TYPE = "series"  # Table.column_types of an input series (the table input leaves them alone)


@dataclass(frozen=True)
class SeriesInfo:
    """How a Table of steps is cut into samples; saved with a run (``preprocessing.json``).

    Attributes:
        columns: the input series, in the order of the tensor's last axis (may include the target).
        time: the column that ordered the steps, or None (row order).
        time_kind: "date", "number" or None.
        step: the regular step between two times (seconds for dates, units for numbers), or None when
            the steps are irregular or there is no time column; prediction extrapolates times with it.
    """

    columns: tuple[str, ...]
    window: int
    horizon: int
    task: str  # "forecast" | "classify"
    target: str
    time: str | None = None
    time_kind: str | None = None
    step: float | None = None

    @property
    def n_series(self) -> int:
        return len(self.columns)

    @property
    def forecast(self) -> bool:
        return self.task == "forecast"

    @property
    def reach(self) -> int:
        """Steps after the anchor that a sample's target needs (horizon when forecasting, else 0)."""
        return self.horizon if self.forecast else 0

    def target_names(self) -> list[str]:
        """Names of the forecast's outputs: ``sales[t+1]``, ... (classify: the target itself)."""
        return [f"{self.target}[t+{k}]" for k in range(1, self.horizon + 1)] if self.forecast else [self.target]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["columns"] = list(self.columns)
        return d

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SeriesInfo:
        return cls(tuple(str(c) for c in raw["columns"]), int(raw["window"]), int(raw["horizon"]), str(raw["task"]),
                   str(raw["target"]), raw.get("time"), raw.get("time_kind"),
                   None if raw.get("step") is None else float(raw["step"]))


def series_table(raw: pd.DataFrame, config: SeriesConfig, target: str, name: str,
                 notes: list[str] | None = None, where: str | None = None) -> Table:
    """A Table named ``name`` of time steps from ``raw`` (every column as read); DataError for what
    cannot be a series (messages call the data ``where``, e.g. "CSV file 'sales.csv'")."""
    notes = list(notes or [])
    table_name, name = name, where or repr(name)
    if target not in raw.columns:
        raise DataError(f"target {quote(target)} is not a column of {name}; valid: {listed(list(raw.columns))}")
    frame = raw.reset_index(drop=True)
    time_kind = step = None
    if config.time is not None:
        frame, time_kind, step = _order_by_time(frame, config.time, name, notes)
    inputs, dropped = _input_columns(frame, config, target, name)
    values = {c: _numbers(frame[c], c, config, notes) for c in inputs}
    out = pd.DataFrame(values, index=frame.index)
    if config.task == "forecast":
        y = values[target] if target in values else _numbers(frame[target], target, config, notes, "target")
        task, y, labels = decide_task(y.rename(target), "regression")
    else:
        labels_col = frame[target]
        missing = labels_col.isna() | (labels_col.astype(str).str.strip() == "")
        if missing.any():
            raise DataError(f"the label column {quote(target)} is empty at {plural(int(missing.sum()), 'step')} "
                            f"(the first at row {int(np.flatnonzero(missing)[0]) + 1}); every step needs a label "
                            "for its window, so fill them in")
        task, y, labels = decide_task(labels_col, "classification")
    features = [c for c in inputs if c != target]
    frame_out = out[features].copy()
    if config.time is not None:
        frame_out.insert(0, config.time, frame[config.time].to_numpy())
    frame_out[target] = y.to_numpy()
    info = SeriesInfo(tuple(inputs), config.window, config.horizon, config.task, target, config.time, time_kind, step)
    _check_length(len(frame_out), info, name)
    return Table(name=table_name, frame=frame_out, target=target, features=features,
                 column_types=dict.fromkeys(features, SERIES_TYPE), task=task, class_labels=labels,
                 dropped=dropped, notes=notes, series=info)


def _check_length(n: int, info: SeriesInfo, name: str) -> None:
    need = info.window + info.reach
    if n < need:
        what = f"a window of {info.window} plus a horizon of {info.horizon}" if info.forecast \
            else f"a window of {info.window}"
        raise DataError(f"the series of {name} has {plural(n, 'step')}, but {what} needs at least {need}; lower "
                        "data.series.window (or horizon) or use a longer series")


def _order_by_time(frame: pd.DataFrame, time: str, name: str,
                   notes: list[str]) -> tuple[pd.DataFrame, str, float | None]:
    """Rows sorted by the time column (with a note if they were not); the kind of time and its step."""
    if time not in frame.columns:
        raise DataError(f"data.series.time {quote(time)} is not a column of {name}; valid: "
                        f"{listed(list(frame.columns))}, or null for the rows' order")
    col = frame[time]
    kind, when = parse_times(col)
    bad = when.isna()
    if bad.any():
        first = col[bad].iloc[0]
        raise DataError(f"the time column {quote(time)} has {some_values(int(bad.sum()))} not dates "
                        f"or numbers, e.g. {quote(first)} (row {int(np.flatnonzero(bad)[0]) + 1}); fix them, or set "
                        "data.series.time to null to use the rows' order")
    keys = when.to_numpy(dtype=np.float64)
    if not np.all(np.diff(keys) > 0):
        dup = pd.Series(keys).duplicated(keep=False)
        if dup.any():
            first = col[dup.to_numpy()].iloc[0]
            raise DataError(f"the time {quote(first)} appears {int((keys == keys[dup.to_numpy()][0]).sum())} times in "
                            f"column {quote(time)}; a series needs one row per step, so combine those rows first")
        order = np.argsort(keys, kind="stable")
        frame, keys = frame.iloc[order].reset_index(drop=True), keys[order]
        notes.append(f"sorted the rows by {quote(time)}: the file was not in time order")
    return frame, kind, _regular_step(keys, kind, time, notes)


def parse_times(col: pd.Series) -> tuple[str, pd.Series]:
    """("number", float64 values) when every value is a number, else ("date", seconds since 1970 as float64);
    NaN where a value cannot be read."""
    numbers = to_numbers(col)
    given = col.notna() & (col.astype(str).str.strip() != "")
    if ptypes.is_numeric_dtype(col) or (numbers.notna() | ~given).all():
        return "number", numbers.where(given)
    text = col.astype(object).where(given)
    when = pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=day_first(col.dropna().astype(str)))
    if getattr(when.dt, "tz", None) is not None:
        when = when.dt.tz_convert("UTC").dt.tz_localize(None)
    seconds = (when - pd.Timestamp(0)).dt.total_seconds()
    return "date", seconds.astype(np.float64)


DAY = 86_400.0


def _regular_step(keys: np.ndarray, kind: str, time: str, notes: list[str]) -> float | None:
    """The one step between consecutive times, or None with a note when they differ.

    Calendar months (28-31 days) and years (365-366) count as regular: they are how such data comes.
    """
    if len(keys) < 2:
        return None
    gaps = np.diff(keys)
    lo, hi = float(gaps.min()), float(gaps.max())
    if np.isclose(lo, hi, rtol=1e-9, atol=1e-9):
        return lo
    calendar = ((28, 31), (90, 92), (365, 366))  # days of a month, a quarter, a year
    if kind == "date" and any(a * DAY <= lo and hi <= b * DAY for a, b in calendar):
        return None  # calendar months, quarters or years: regular, but not a fixed number of seconds
    shown = (lambda g: f"{g / DAY:g} days") if kind == "date" else (lambda g: f"{g:g}")
    notes.append(f"the steps of {quote(time)} are irregular (from {shown(lo)} to {shown(hi)} apart); the model reads "
                 "the rows as equally spaced steps, so resample the series to a regular step if that matters")
    return None


def _input_columns(frame: pd.DataFrame, config: SeriesConfig, target: str, name: str) -> tuple[list[str], dict]:
    """The input series: ``config.columns`` checked, or every numeric column (the target too when forecasting)."""
    skip = {config.time} | ({target} if config.task == "classify" else set())
    if config.columns is not None:
        missing = [c for c in config.columns if c not in frame.columns]
        if missing:
            valid = [c for c in frame.columns if c not in skip]
            raise DataError(f"data.series.columns lists {quote(missing[0])}, which is not a column of {name}; valid: "
                            f"{listed(valid)}")
        return list(config.columns), {}
    inputs, dropped = [], {}
    for c in frame.columns:
        if c in skip:
            continue
        col = frame[c]
        given = col.notna() & (col.astype(str).str.strip() != "")
        if given.any() and to_numbers(col)[given].notna().mean() >= MOSTLY:  # a stray word is an error below
            inputs.append(c)
        elif c != target:
            dropped[c] = "not a number series"
    if not inputs:
        raise DataError(f"{name} has no numeric series besides the time column; a series model needs numeric columns, "
                        "so list them in data.series.columns")
    if config.task == "forecast" and target in inputs:
        inputs.remove(target)
        inputs.append(target)  # the target's own past comes last, after the other series
    return inputs, dropped


def _numbers(col: pd.Series, name: str, config: SeriesConfig, notes: list[str], what: str = "series") -> pd.Series:
    """A series column as float64, missing values filled by linear interpolation (or refused)."""
    values = to_numbers(col)
    given = col.notna() & (col.astype(str).str.strip() != "")
    text = given & values.isna()
    if text.any():
        if text.sum() == given.sum():
            raise DataError(f"the {what} column {quote(name)} holds text (e.g. {quote(col[text].iloc[0])}), not "
                            "numbers; a series must be numeric, so remove it from data.series.columns")
        raise DataError(f"the {what} column {quote(name)} has {some_values(int(text.sum()))} not numbers, "
                        f"e.g. {quote(col[text].iloc[0])} (row {int(np.flatnonzero(text)[0]) + 1}); fix them or leave "
                        "them empty to mark them missing")
    values = values.where(np.isfinite(values))
    gaps = int(values.isna().sum())
    if gaps == len(values):
        raise DataError(f"the {what} column {quote(name)} has no values; remove it or choose another")
    if gaps:
        if config.missing == "refuse":
            raise DataError(f"the {what} column {quote(name)} has {plural(gaps, 'missing value')} (the first at row "
                            f"{int(np.flatnonzero(values.isna())[0]) + 1}); fill them, or set data.series.missing to "
                            "interpolate")
        values = values.interpolate(method="linear", limit_direction="both")
        notes.append(f"filled {plural(gaps, 'missing value')} of {quote(name)} linearly between neighbouring steps")
    return values.astype(np.float64)


def some_values(n: int) -> str:
    """ "1 value that is" / "3 values that are": the start of a sentence about bad values."""
    return f"{plural(n, 'value')} that {'is' if n == 1 else 'are'}"
