"""Typing the feature columns of a CSV: numeric, categorical, text (sentences, mostly distinct), date
(expanded), or dropped with a reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from studio.data.numbers import to_numbers

SAMPLE = 1000  # values looked at to guess a column's kind before converting all of it
MIN_ROWS_FOR_ID = 10  # in smaller files distinct values are too likely by chance
NUMERIC_SHARE = 0.95  # a text column whose values are this often numbers is numeric with a few typos
TEXT_MIN_CHARS = 20  # free text: long, mostly distinct, made of words
_DATE = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*$")
DATE_TEXT = _DATE  # what a written date looks like (2024-03-31, 31/12/2024 10:00), for other readers
_ID_NAME = re.compile(r"(^|[^a-z])(id|idx|index|key|uuid|no|num|number)$|^(id|idx)([^a-z]|$)")
DATE_PARTS = ("year", "month", "dayofweek")


def column_chunks(frame: pd.DataFrame, names: list[str], values: int = 1 << 22) -> list[list[str]]:
    """``names`` in groups of about ``values`` cells: a long table's numeric columns are checked a
    few at a time instead of copied into one float64 block; a wide one's still all at once."""
    step = max(1, values // max(len(frame), 1))
    return [names[i:i + step] for i in range(0, len(names), step)]


def plural(n: int, word: str) -> str:
    """'1 row', '3 rows': notes are read by people."""
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass
class Typed:
    """The usable feature columns and what happened to each column of the input."""

    frame: pd.DataFrame
    column_types: dict[str, str] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    expanded: dict[str, list[str]] = field(default_factory=dict)  # date column -> its new columns
    text: dict[str, str] = field(default_factory=dict)  # column typed "text" by detection -> why


def type_columns(frame: pd.DataFrame) -> Typed:
    """Type every column of ``frame`` (features only, the target removed)."""
    out = Typed(frame=pd.DataFrame(index=frame.index))
    columns: dict[str, pd.Series] = {}  # the frame is built once: inserting column by column is quadratic
    for name in frame.columns:
        _type_one(name, frame[name], out, columns)
    if columns:
        out.frame = pd.DataFrame(columns, index=frame.index)
    return out


def _type_one(name: str, col: pd.Series, out: Typed, columns: dict[str, pd.Series]) -> None:
    n = len(col)
    col = _as_numeric_if_possible(name, col, out.notes)
    if col.isna().all():
        out.dropped[name] = f"all {n} values are missing"
        return
    if _constant(col):
        out.dropped[name] = f"constant: every value is {col.dropna().iloc[0]!r}"
        return
    if ptypes.is_numeric_dtype(col):
        reason = _id_like_numbers(name, col)
        if reason:
            out.dropped[name] = reason
            return
        columns[name], out.column_types[name] = col, "numeric"
        return
    text = col.dropna().astype(str)
    if text.head(SAMPLE).str.match(_DATE).mean() >= 0.9:
        _expand_date(name, col, out, columns)
        return
    distinct = text.nunique()
    # cheapest test first: a column of a few repeated values is not free text, whatever its words
    if (distinct > len(text) / 2 and text.str.len().mean() >= TEXT_MIN_CHARS
            and text.str.contains(" ", regex=False).mean() >= 0.5):
        columns[name], out.column_types[name] = categories(col), "text"  # sentences: a text input reads them
        out.text[name] = (f"free text: {distinct} distinct values in {n} rows, "
                          f"{text.str.len().mean():.0f} characters on average")
        return
    if distinct == n and n >= MIN_ROWS_FOR_ID:
        out.dropped[name] = f"ID-like: {distinct} distinct values in {n} rows"
        return
    columns[name], out.column_types[name] = categories(col), "categorical"


def categories(col: pd.Series) -> pd.Series:
    """A categorical column's values as the frame keeps them: a pandas string column (as read_csv
    gives text) stays one, anything else becomes Python objects.

    Turning a string column into objects made a Python string per row: slow for every later step
    (the encoder codes a string column by hashing, see :mod:`studio.preprocess.codes`) and some
    60 MB per million rows. The values, their missing entries and so the categories are the same.
    """
    return col if isinstance(col.dtype, pd.StringDtype) else col.astype(object)


def _constant(col: pd.Series) -> bool:
    """One distinct value (missing values aside) in a column with at least one value.

    ``nunique`` hashes every value; for plain numbers the smallest equal to the largest says the
    same (0.0 and -0.0 count as one value in both) at a fraction of the time on a long column.
    """
    values = col.to_numpy() if isinstance(col.dtype, np.dtype) and col.dtype.kind in "iuf" else None
    if values is None:
        return col.nunique(dropna=True) == 1
    if values.dtype.kind == "f":
        values = values[~np.isnan(values)]
    return len(values) > 0 and values.min() == values.max()


def _as_numeric_if_possible(name: str, col: pd.Series, notes: list[str]) -> pd.Series:
    """Booleans become 0/1, numbers stored as text ("1,234", "$5") become numbers, infinities become missing."""
    if ptypes.is_bool_dtype(col) or (ptypes.is_object_dtype(col) and _all_bool(col.dropna())):
        return col.map({True: 1.0, False: 0.0}).astype(np.float64)
    if not ptypes.is_numeric_dtype(col):
        values = col.dropna()
        # Decide on a sample first: parsing every value of a text column is the slow part.
        if len(values) == 0 or _numeric_share(values.head(SAMPLE)) < NUMERIC_SHARE:
            return col
        parsed = to_numbers(col)
        bad = values[parsed[values.index].isna()]
        if len(bad) > (1 - NUMERIC_SHARE) * len(values):
            return col
        if len(bad):
            shown = ", ".join(repr(v) for v in bad.drop_duplicates().head(3))
            notes.append(f"column {name!r}: {plural(len(bad), 'non-numeric value')} ({shown}) became missing")
        col = parsed
    if ptypes.is_float_dtype(col):
        col = col.astype(np.float64)
        inf = np.isinf(col.to_numpy())
        if inf.any():
            notes.append(f"column {name!r}: {plural(int(inf.sum()), 'infinite value')} became missing")
            col = col.mask(inf)
    return col


def _all_bool(values: pd.Series) -> bool:
    return (
        len(values) > 0
        and all(isinstance(v, bool | np.bool_) for v in values.head(SAMPLE))
        and (values.isin([True, False]).all())
    )


def _numeric_share(values: pd.Series) -> float:
    return float(to_numbers(values).notna().mean())


def _id_like_numbers(name: str, col: pd.Series) -> str | None:
    """All-distinct integers that are named like an ID or run as a sequence (1, 2, 3, ...)."""
    n = len(col)
    if n < MIN_ROWS_FOR_ID or col.isna().any():
        return None
    values = col.to_numpy(dtype=np.float64)
    if not np.all(values == np.round(values)) or col.nunique() != n:
        return None
    lower = name.lower()
    sequence = values.max() - values.min() + 1 == n
    if _ID_NAME.search(lower) or re.search(r"[a-z](ID|Id)$", name) or sequence:
        return f"ID-like: {n} distinct values in {n} rows"
    return None


_DAY_MONTH = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.]\d{2,4}")


def day_first(col: pd.Series) -> bool:
    """True when dates are written day first (31/12/2024): some first number is above 12 and no
    second one is. Ambiguous columns (every number up to 12) are read month first, as pandas does."""
    parts = col.dropna().astype(str).str.extract(_DAY_MONTH).dropna().astype(int)
    if parts.empty:
        return False
    return bool((parts[0] > 12).any() and not (parts[1] > 12).any())


def date_parts(name: str, col: pd.Series) -> dict[str, pd.Series]:
    """``<name>_year``, ``<name>_month``, ``<name>_dayofweek`` of a date column (NaN where unreadable)."""
    when = pd.to_datetime(col, errors="coerce", format="mixed", dayfirst=day_first(col))
    parts = {"year": when.dt.year, "month": when.dt.month, "dayofweek": when.dt.day_of_week}
    return {f"{name}_{p}": parts[p].astype(np.float64) for p in DATE_PARTS}


def derive_dates(frame: pd.DataFrame, derived: dict[str, list[str]]) -> pd.DataFrame:
    """Add the date features a model was trained on to raw rows that carry the original date column.

    Prediction takes rows as they come from the CSV (with ``signup``, not ``signup_year``); this is
    the same expansion loading did, so served models see what training saw.
    """
    todo = {src: cols for src, cols in derived.items() if src in frame.columns and any(
        c not in frame.columns for c in cols)}
    if not todo:
        return frame
    out = frame.copy()
    for src, cols in todo.items():
        for new_name, values in date_parts(src, out[src]).items():
            if new_name in cols:
                out[new_name] = values
    return out


def _expand_date(name: str, col: pd.Series, out: Typed, columns: dict[str, pd.Series]) -> None:
    """A date becomes its year, month and day of week: numbers a network can use."""
    when = pd.to_datetime(col, errors="coerce", format="mixed", dayfirst=day_first(col))
    new = [f"{name}_{p}" for p in DATE_PARTS]
    for new_name, values in date_parts(name, col).items():
        columns[new_name] = values
        out.column_types[new_name] = "numeric"
    out.expanded[name] = new
    out.dropped[name] = f"date: expanded into {', '.join(new)}"
    unparsed = int((when.isna() & col.notna()).sum())
    extra = f" ({plural(unparsed, 'value')} not read as a date became missing)" if unparsed else ""
    out.notes.append(f"expanded date column {name!r} into {', '.join(new)}{extra}")
