"""Raw columns to numbers fast: category codes counted once per distinct value, numbers a block at a time.

The encoder's plain definitions are per value: a category is ``_key(value)`` ("3" for 3 and 3.0,
None when missing) and a number is ``to_numbers(column)`` as float32. Keying a million values in
Python, or converting a thousand columns one by one, is what made big and wide tables slow; the
functions here give the same result with pandas' hashing and numpy's block conversion, and fall back
to the per-value definition where the shortcut could group values differently (a mixed object column).
tests/preprocess/test_preprocess_fast_paths.py pins them to the plain definitions bitwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from studio.data.numbers import to_numbers

CHUNK = 1 << 22  # values converted to float64 at a time: a few columns of a million rows, or all of a wide table
Coded = tuple[np.ndarray, list[str]]  # (codes (n,), keys): row i is keys[codes[i]], or missing where -1


def _key(v: Any) -> Any:
    """A value's category: its string, None when missing ("3" for both 3 and 3.0)."""
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def category_strings(series: pd.Series) -> pd.Series:
    """Categories as strings; 3 and 3.0 are the same category (a column of ints gains NaN).

    Keys every value: the plain definition that :func:`category_codes` computes faster.
    """
    return series.astype(object).map(_key)


def _distinct(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """``(codes, first value of each code)`` from pandas' factorize, when it groups exactly the values
    ``_key`` maps alike and counts as missing exactly what ``_key`` does; None otherwise."""
    dtype = series.dtype
    if (isinstance(dtype, np.dtype) and dtype.kind in "biuf") or isinstance(dtype, pd.StringDtype):
        codes, _ = pd.factorize(series, use_na_sentinel=True)
        firsts = pd.Series(codes).drop_duplicates()  # each code once, indexed by its first row
        firsts = firsts[firsts.to_numpy() >= 0]
        raw = np.empty(len(firsts), dtype=object)
        raw[firsts.to_numpy()] = series.iloc[firsts.index.to_numpy()].astype(object).to_numpy()
        return codes, raw
    if not (isinstance(dtype, np.dtype) and dtype.kind == "O"):
        return None
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if not all(type(u) is str for u in uniques):  # 1 == True == 1.0 would be grouped: key them one by one
        return None
    missing = series.to_numpy()[codes < 0]
    if not all(v is None or v is pd.NA or isinstance(v, float) for v in missing):  # e.g. NaT: "NaT" to _key
        return None
    return codes, np.asarray(uniques, dtype=object)


def category_codes(series: pd.Series) -> Coded:
    """``(codes, keys)``: row i's category is ``keys[codes[i]]``, or missing where ``codes[i]`` is -1.

    The categories of ``category_strings``, with ``_key`` run once per distinct value.
    """
    found = _distinct(series)
    codes, raw = found if found is not None else (np.arange(len(series)), series.astype(object).to_numpy())
    keys = [_key(v) for v in raw]
    # Distinct values may share a key (3 and 3.0 in an object column): merge them.
    index, first = pd.factorize(pd.Series(keys, dtype=object), use_na_sentinel=True)
    merged = np.append(index, -1)[codes]
    return merged.astype(np.intp, copy=False), [str(k) for k in first]


def most_frequent(codes: np.ndarray, keys: list[str]) -> str:
    """``category_strings(...).value_counts().index[0]``: pandas counts in order of first appearance, then
    sorts by count (its order among equally frequent ones), as here. ``keys`` are in order of appearance."""
    counts = np.bincount(codes[codes >= 0], minlength=len(keys))
    return str(pd.Series(counts, index=pd.Index(keys, dtype=object)).sort_values(ascending=False).index[0])


def infrequent(categories: list[str], counts: np.ndarray, max_categories: int | None) -> list[str]:
    """The categories that share the "other" indicator: scikit-learn's ``OneHotEncoder`` rule for
    ``max_categories`` (the least frequent beyond max_categories - 1, ties broken by a stable sort of the
    sorted categories)."""
    if max_categories is None or max_categories >= len(categories) + 1:
        return []
    if max_categories == 1:
        return list(categories)
    smallest = np.argsort(counts, kind="mergesort")[: -(max_categories - 1)]
    return [categories[i] for i in sorted(smallest.tolist())]


def numbers_into(frame: pd.DataFrame, names: list[str], out: np.ndarray) -> None:
    """Write ``to_numbers`` of each column into ``out`` (n, len(names)) as float32, ±inf and NaN as NaN.

    Columns held as numpy numbers (what loading makes) go through float64 as ``to_numbers`` does,
    straight into ``out`` for a long table and a block of columns at a time for a wide one; others
    (text, nullable dtypes) one by one.
    """
    dtypes = dict(zip(frame.columns, frame.dtypes, strict=True))
    fast = [i for i, c in enumerate(names) if isinstance(dtypes[c], np.dtype) and dtypes[c].kind in "biuf"]
    step = CHUNK // max(len(frame), 1)
    with np.errstate(over="ignore"):  # beyond float32's range: inf, then missing below
        _fast_into(frame, names, fast, step, out)
    for i in sorted(set(range(len(names))) - set(fast)):
        out[:, i] = to_numbers(frame[names[i]]).to_numpy(np.float32, na_value=np.nan)
    np.copyto(out, np.float32(np.nan), where=~np.isfinite(out))  # ±inf counts as missing


def _fast_into(frame: pd.DataFrame, names: list[str], fast: list[int], step: int, out: np.ndarray) -> None:
    if step < 64:
        for i in fast:
            out[:, i] = frame[names[i]].to_numpy(np.float64)  # a view for float64 columns: no copy
    else:
        for s in range(0, len(fast), step):
            block = fast[s : s + step]
            out[:, block] = frame[[names[i] for i in block]].to_numpy(np.float64)
