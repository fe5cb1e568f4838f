"""The target column: find it, drop rows without a value, decide the task and the class labels."""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from studio.data.columns import plural
from studio.errors import DataError

MAX_AUTO_CLASSES = 20  # an integer target with more distinct values is treated as regression


def check_target(columns: list[str], target: str | None, source: str) -> str:
    """The target's name, or a DataError listing the columns and the closest match."""
    shown = ", ".join(repr(c) for c in columns[:30]) + (" ..." if len(columns) > 30 else "")
    if not target:
        raise DataError(f"{source} needs a target column in data.target; its columns are {shown}.")
    if target not in columns:
        close = difflib.get_close_matches(target, columns, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise DataError(f"target column {target!r} is not in {source}; {hint}its columns are {shown}.")
    return target


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
        if np.all(values == np.round(values)):
            col = col.astype(np.int64)
    if task == "auto":
        task = _auto_task(col, numeric)
    if task == "regression":
        if not numeric:
            sample = ", ".join(repr(v) for v in col.drop_duplicates().head(3))
            raise DataError(
                f"target {col.name!r} holds text ({sample}, ...), so it cannot be a regression "
                "target; set data.task to classification or choose a numeric target."
            )
        return task, col.astype(np.float64), None
    labels = class_labels(col)
    if len(labels) < 2:
        raise DataError(
            f"target {col.name!r} has a single class ({labels[0]!r}) in {len(col)} rows; "
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
