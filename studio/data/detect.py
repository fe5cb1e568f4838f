"""Columns that look usable but only carry noise: identifiers and mostly-empty free text.

Run after :func:`studio.data.columns.type_columns`, on the columns it kept:

- **code-like identifiers**: text such as "N1A1", "A-1042", one short token mixing letters and
  digits, with many distinct values (half the rows or more): a key that one-hot encoding would
  turn into hundreds of columns the model memorises;
- **mostly-missing free text**: a comment column empty in most rows (75%), whose few values are
  sentences or mostly distinct (a text column kept as text has values in more rows);
- **row counters within groups**: whole numbers that count 1, 2, 3, ... and restart (a sample
  number per species): the row's position, not a property of it.

A column the recipe sets in ``data.columns`` is never looked at here (see
:mod:`studio.data.overrides`), so a person can keep one the rules would drop.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from studio.data.columns import MIN_ROWS_FOR_ID, Typed, column_chunks, plural
from studio.errors import quote

CODE_DISTINCT_SHARE = 0.5  # distinct codes per non-missing value from which a code column is an ID
CODE_SHARE = 0.9  # share of values that must look like codes
MOSTLY_MISSING = 0.75  # a text column of sentences or varied values missing in this share of rows is dropped
COUNTER_SHARE = 0.95  # share of rows that must be "previous + 1" or a restart
_CODE = re.compile(r"^(?=[^\s]*\d)(?=[^\s]*[A-Za-z])[A-Za-z0-9_\-./#:]{2,24}$")


def drop_noise(typed: Typed, skip: set[str] = frozenset()) -> None:
    """Move the kept columns of ``typed`` that are identifiers or mostly-missing text to ``dropped``."""
    found: dict[str, str] = {}
    for name, kind in typed.column_types.items():
        if name in skip or kind not in ("categorical", "text"):
            continue
        reason = text_noise(typed.frame[name])
        if reason:
            found[name] = reason
    numeric = [n for n, k in typed.column_types.items() if k == "numeric" and n not in skip]
    found.update(group_counters(typed.frame, numeric))
    for name, reason in found.items():
        del typed.column_types[name]
        typed.text.pop(name, None)
        typed.dropped[name] = reason


def text_noise(col: pd.Series) -> str | None:
    """Why a text column is an identifier or mostly-missing free text, or None."""
    n = len(col)
    if n < MIN_ROWS_FOR_ID:
        return None
    text = col.dropna().astype(str).str.strip()
    text = text[text != ""]
    present = len(text)
    if present == 0:
        return None
    distinct = text.nunique()
    missing = 1 - present / n
    if distinct >= CODE_DISTINCT_SHARE * present and distinct > 2 and text.str.match(_CODE).mean() >= CODE_SHARE:
        example = quote(text.iloc[0], 20)
        return f"ID-like: {distinct} distinct codes (like {example}) in {plural(present, 'row')}"
    if missing < MOSTLY_MISSING or distinct <= 2:  # checked first: looking for words reads every value
        return None
    wordy = text.str.contains(" ", regex=False).mean() >= 0.5
    if wordy or distinct >= CODE_DISTINCT_SHARE * present:
        what = "sentences" if wordy else "mostly different values"
        return f"mostly missing text: {missing:.0%} of the rows are empty, the others hold {distinct} {what}"
    return None


def group_counters(frame: pd.DataFrame, numeric: list[str]) -> dict[str, str]:
    """Whole-number columns that count rows within groups: each value is the previous one plus 1,
    or the column's smallest value, 0 or 1, again (a restart), for at least 95% of the rows, in
    groups of different sizes (a single 1..n run is caught by the sequence rule of the typing)."""
    if len(frame) < MIN_ROWS_FOR_ID or not numeric:
        return {}
    whole = [n for part in column_chunks(frame, numeric) for n, w in zip(part, _whole(frame, part), strict=True)
             if w]
    if not whole:
        return {}
    v = frame[whole].to_numpy(dtype=np.float64, na_value=np.nan)  # (n, k)
    with np.errstate(over="ignore", invalid="ignore"):  # 1e308 + 1 and its kin: never a counter anyway
        return _counters(v, whole)


def _whole(frame: pd.DataFrame, names: list[str]) -> np.ndarray:
    values = frame[names].to_numpy(dtype=np.float64, na_value=np.nan)
    return np.all(np.isfinite(values) & (values == np.round(values)), axis=0)


def _counters(v: np.ndarray, names: list[str]) -> dict[str, str]:
    step = v[1:] == v[:-1] + 1
    restart = (v[1:] == v.min(axis=0)) & ~step
    counting = (step | restart).mean(axis=0) >= COUNTER_SHARE
    restarts = restart.sum(axis=0)
    starts = np.isin(v.min(axis=0), (0.0, 1.0))  # a counter starts at 0 or 1
    hits = counting & starts & (restarts >= 1) & (step.mean(axis=0) >= 0.5) & (v.max(axis=0) - v.min(axis=0) >= 4)
    out = {}
    for i in np.flatnonzero(hits):
        # groups of different sizes: a counter; the same cycle again and again (months 1..12) is a
        # feature. The last group may be cut short by the end of the file, so it counts only when
        # there is no other group to compare with.
        ends = v[:-1, i][restart[:, i]]
        ends = np.append(ends, v[-1, i]) if len(ends) == 1 else ends
        if len(np.unique(ends)) >= 2:
            out[names[i]] = (f"ID-like: counts rows 1, 2, 3, ... within groups, restarting "
                             f"{plural(int(restarts[i]), 'time')}")
    return out
