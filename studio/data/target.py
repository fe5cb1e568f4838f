"""The target column: find it, drop rows without a value, decide the task and the class labels."""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from studio.data.columns import NUMERIC_SHARE, SAMPLE, plural
from studio.data.numbers import to_numbers
from studio.data.ranges import check_target_range
from studio.errors import DataError, quote

MAX_AUTO_CLASSES = 20  # an integer target with more distinct values is treated as regression
EXACT_INT = 2**53  # whole numbers beyond this are not exact in float64 (and 1e20 overflows int64)


def check_target(columns: list[str], target: str | None, source: str) -> str:
    """The target's name, or a DataError listing the columns and the closest match."""
    shown = listed(columns)
    if not target:
        raise DataError(f"{source} needs a target column in data.target; its columns are {shown}.")
    if target not in columns:
        close = difflib.get_close_matches(target, columns, n=1, cutoff=0.5)
        hint = f"did you mean {quote(close[0])}? " if close else ""
        raise DataError(f"target column {quote(target)} is not in {source}; {hint}its columns are {shown}.")
    return target


def listed(names: list[str], limit: int = 8, width: int = 40) -> str:
    """``'a', 'b', 'c' and 27 more``: names shortened and counted, so a message stays one short line."""
    shown = ", ".join(quote(str(n), width) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def target_numbers(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, list[str]]:
    """Read a text target with the features' number rules ("0.1111111" in a decimal-comma file, "1,234",
    "$5"): when nearly all its values are numbers it is numeric, the few others become missing (and
    their rows are then dropped, with a note). A target of words stays as it is."""
    col = frame[target]
    if ptypes.is_numeric_dtype(col) or ptypes.is_bool_dtype(col):
        return frame, []
    values = col.dropna()
    if len(values) == 0 or to_numbers(values.head(SAMPLE)).notna().mean() < NUMERIC_SHARE:
        return frame, []
    parsed = to_numbers(col)
    bad = values[parsed[values.index].isna()]
    if len(bad) > (1 - NUMERIC_SHARE) * len(values):
        return frame, []
    notes = []
    if len(bad):
        shown = ", ".join(quote(v, 30) for v in bad.drop_duplicates().head(3))
        notes.append(f"target {quote(target)}: {plural(len(bad), 'value')} that are not numbers ({shown}) "
                     "count as missing")
    return frame.assign(**{target: parsed}), notes


def drop_missing_target(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, list[str]]:
    """Rows whose target is missing or infinite cannot be learned from: drop them, and say so."""
    col = frame[target]
    bad = col.isna()
    if ptypes.is_numeric_dtype(col) and not ptypes.is_bool_dtype(col):
        bad |= np.isinf(col.to_numpy(dtype=np.float64, na_value=np.nan))
    if bad.all():
        raise DataError(f"target column {target!r} has no values (all {len(col)} are missing); choose another.")
    notes = []
    if bad.any():
        notes.append(f"dropped {plural(int(bad.sum()), 'row')} with a missing or infinite target {target!r}")
    return frame.loc[~bad], notes


def decide_task(col: pd.Series, task: str) -> tuple[str, pd.Series, list[str] | None]:
    """Return the task, the target column (integral floats as int64) and the class labels.

    ``task="auto"``: text -> classification; integers with at most 20 distinct values and fewer
    distinct values than half the rows -> classification; anything else numeric -> regression.
    """
    numeric = ptypes.is_numeric_dtype(col) or ptypes.is_bool_dtype(col)
    if numeric and not ptypes.is_bool_dtype(col):
        values = col.to_numpy(dtype=np.float64)
        # whole numbers become int64 only where exact: 1e20 would overflow to -9223372036854775808
        if np.all(values == np.round(values)) and np.all(np.abs(values) <= EXACT_INT):
            col = col.astype(np.int64)
    if task == "auto":
        task = _auto_task(col, numeric)
    if task == "regression":
        if not numeric:
            sample = ", ".join(quote(v, 30) for v in col.drop_duplicates().head(3))
            raise DataError(
                f"target {quote(col.name)} holds text ({sample}, ...), so it cannot be a regression "
                "target; set data.task to classification or choose a numeric target."
            )
        out = col.astype(np.float64)
        check_target_range(str(col.name), out)
        if out.nunique() < 2:
            raise DataError(
                f"target {quote(col.name)} has a single value ({quote(out.iloc[0])}) in {len(out)} rows; "
                "a regression needs a target that varies, so choose another target."
            )
        return task, out, None
    labels = class_labels(col)
    if len(labels) < 2:
        raise DataError(
            f"target {quote(col.name)} has a single class ({quote(labels[0])}) in {len(col)} rows; "
            "a classifier needs at least two classes, so choose another target."
        )
    return task, col, labels


def _auto_task(col: pd.Series, numeric: bool) -> str:
    if not numeric or ptypes.is_bool_dtype(col):
        return "classification"
    distinct = col.nunique()
    if ptypes.is_integer_dtype(col) and distinct <= MAX_AUTO_CLASSES and distinct < len(col) / 2:
        return "classification"
    return "regression"


def class_labels(col: pd.Series) -> list[str]:
    """Distinct values as strings, sorted (numbers in numeric order), as ``Table.y`` encodes them."""
    uniq = pd.Series(col.dropna().unique())
    if ptypes.is_numeric_dtype(uniq) or ptypes.is_bool_dtype(uniq):
        uniq = uniq.sort_values(kind="stable")
    else:
        uniq = uniq.astype(str).sort_values(kind="stable")
    return [str(v) for v in uniq.astype(str)]
