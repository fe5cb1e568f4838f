"""Stage 1 of preprocessing: raw feature columns -> one float32 matrix.

The matrix holds the numeric columns as they are (NaN kept, ±inf read as missing) followed by the
one-hot indicators of each categorical column. Missing categories are filled here when an impute
step asks for it; an unseen or (unfilled) missing category is a row of zeros, never an error.
Categories are fit as scikit-learn's ``OneHotEncoder`` fits them (counted once per distinct value,
not once per row) and kept as plain strings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from studio.data.numbers import to_numbers
from studio.data.table import Table
from studio.errors import DataError

OTHER = "other"  # the indicator that groups the categories beyond max_categories


@dataclass(frozen=True)
class InputColumn:
    """A raw column the model takes; ``categories`` lists the known values of a categorical one."""

    name: str
    type: str  # "numeric" | "categorical"
    categories: list[str] | None = None


@dataclass
class EncoderSpec:
    """What the steps decided about categorical columns before the encoder is fit."""

    max_categories: int | None = None  # None: one indicator per category
    fill: str | None = None  # None | "most_frequent" | "constant"
    fill_value: str = "missing"


@dataclass
class CategoricalColumn:
    """One fitted categorical column: its indicators are ``categories`` (+ "other" if ``grouped``)."""

    name: str
    categories: list[str]
    grouped: list[str] = field(default_factory=list)  # rarer categories that share the "other" column
    fill: str | None = None  # what a missing value becomes, or None for a row of zeros

    @property
    def indicator_names(self) -> list[str]:
        names = [f"{self.name}={c}" for c in self.categories]
        return [*names, f"{self.name}={OTHER}"] if self.grouped else names

    def encode(self, series: pd.Series) -> np.ndarray:
        """float32 (n, indicators): 1 in the column of each row's category, a row of zeros if unseen."""
        out = np.empty((len(series), len(self.indicator_names)), dtype=np.float32)
        self.encode_into(series, out)
        return out

    def encode_into(self, series: pd.Series, out: np.ndarray) -> None:
        """Write the indicators of ``series`` into ``out`` (n, indicators), a view of a bigger matrix."""
        codes, keys = category_codes(series)
        if self.fill is not None:
            keys = [*keys, self.fill]
            codes = np.where(codes < 0, len(keys) - 1, codes)
        known = [*self.categories, *self.grouped]
        position = pd.Index(known, dtype=object).get_indexer(pd.Index(keys, dtype=object))  # -1: unseen
        code = np.append(position, -1)[codes]  # per row; codes of -1 (missing, no fill) pick the -1 appended
        column = np.minimum(code, len(self.categories))  # every grouped category -> "other"
        out[:] = 0.0
        rows = np.flatnonzero(code >= 0)
        out[rows, column[rows]] = 1.0


CHUNK = 1 << 22  # values converted to float64 at a time: a few columns of a million rows, or all of a wide table


def numbers_into(frame: pd.DataFrame, names: list[str], out: np.ndarray) -> None:
    """Write ``to_numbers`` of each column into ``out`` (n, len(names)) as float32, ±inf and NaN as NaN.

    Columns already held as numpy numbers (what loading makes) are converted a block of columns at a
    time, with the same float64 step as ``to_numbers``; others (text, nullable dtypes) one by one.
    """
    dtypes = dict(zip(frame.columns, frame.dtypes, strict=True))
    fast = [i for i, c in enumerate(names) if isinstance(dtypes[c], np.dtype) and dtypes[c].kind in "biuf"]
    step = max(1, CHUNK // max(len(frame), 1))
    for s in range(0, len(fast), step):
        block = fast[s : s + step]
        out[:, block] = frame[[names[i] for i in block]].to_numpy(np.float64)
    for i in sorted(set(range(len(names))) - set(fast)):
        out[:, i] = to_numbers(frame[names[i]]).to_numpy(np.float32, na_value=np.nan)
    np.copyto(out, np.float32(np.nan), where=~np.isfinite(out))  # ±inf counts as missing


def _key(v: Any) -> Any:
    """A value's category: its string, None when missing ("3" for both 3 and 3.0)."""
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def category_strings(series: pd.Series) -> pd.Series:
    """Categories as strings; 3 and 3.0 are the same category (a column of ints gains NaN).

    Keys every value: the plain reference of :func:`category_codes`, which the encoder uses.
    """
    return series.astype(object).map(_key)


def _distinct_is_exact(series: pd.Series) -> bool:
    """Whether pandas' factorize groups exactly the values that ``_key`` maps alike: plain numpy numbers or
    booleans, or text only. A mixed object column (where 1 == True == 1.0) is keyed value by value."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biuf":
        return True
    if isinstance(series.dtype, pd.StringDtype):
        return True
    return series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def category_codes(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """``(codes, keys)``: row i's category is ``keys[codes[i]]``, or missing where ``codes[i]`` is -1.

    The same categories as ``category_strings`` (``_key`` of each value), but ``_key`` runs once per
    distinct value instead of once per row: a million-row column has a handful of distinct values.
    """
    if _distinct_is_exact(series):
        codes, _ = pd.factorize(series, use_na_sentinel=True)
        firsts = pd.Series(codes).drop_duplicates()  # each code once, indexed by its first row
        firsts = firsts[firsts.to_numpy() >= 0]
        raw = np.empty(len(firsts), dtype=object)
        raw[firsts.to_numpy()] = series.iloc[firsts.index.to_numpy()].astype(object).to_numpy()
    else:
        codes, raw = np.arange(len(series)), series.astype(object).to_numpy()
    keys = [_key(v) for v in raw]
    # Distinct values may share a key (3 and 3.0, or a missing value not counted as one): merge them.
    index, first = pd.factorize(pd.Series(keys, dtype=object), use_na_sentinel=True)
    merged = np.append(index, -1)[codes]
    return merged.astype(np.intp, copy=False), [str(k) for k in first]


def _fit_column(name: str, series: pd.Series, spec: EncoderSpec) -> CategoricalColumn:
    """Categories of one raw column, as scikit-learn's ``OneHotEncoder(max_categories=...)`` would fit them
    on its category strings (missing ones filled first), counted once per distinct value."""
    codes, keys = category_codes(series)
    counts = np.bincount(codes[codes >= 0], minlength=len(keys))
    n_missing = int((codes < 0).sum())
    fill = None
    if spec.fill == "constant":
        fill = spec.fill_value
    elif spec.fill == "most_frequent" and n_missing < len(codes):
        strings = pd.Series(np.asarray(keys, dtype=object)[codes[codes >= 0]], dtype=object)
        fill = str(strings.value_counts().index[0])  # pandas' order among equally frequent ones
    seen: dict[str, int] = dict(zip(keys, counts.tolist(), strict=True))
    if fill is not None and n_missing:
        seen[fill] = seen.get(fill, 0) + n_missing
    categories = sorted(seen)  # OneHotEncoder's order
    grouped = _infrequent(categories, np.array([seen[c] for c in categories]), spec.max_categories)
    kept = [c for c in categories if c not in set(grouped)]
    return CategoricalColumn(name, kept, grouped, fill)


def _infrequent(categories: list[str], counts: np.ndarray, max_categories: int | None) -> list[str]:
    """The categories that share the "other" indicator: scikit-learn's rule for ``max_categories``
    (the least frequent beyond max_categories - 1, ties broken by a stable sort of the sorted categories)."""
    if max_categories is None or max_categories >= len(categories) + 1:
        return []
    if max_categories == 1:
        return list(categories)
    smallest = np.argsort(counts, kind="mergesort")[: -(max_categories - 1)]
    return [categories[i] for i in sorted(smallest.tolist())]


@dataclass
class Encoder:
    """Fitted stage 1: which columns are read and how categorical ones become indicators."""

    numeric: list[str]
    categorical: list[CategoricalColumn]

    @classmethod
    def fit(cls, rows: pd.DataFrame, table: Table, spec: EncoderSpec) -> Encoder:
        numeric = [c for c in table.features if table.column_types.get(c) != "categorical"]
        cats = [c for c in table.features if table.column_types.get(c) == "categorical"]
        fitted = [_fit_column(c, rows[c], spec) for c in cats]
        return cls(numeric, fitted)

    @property
    def names(self) -> list[str]:
        return [*self.numeric, *(n for col in self.categorical for n in col.indicator_names)]

    @property
    def indicator(self) -> list[bool]:
        return [False] * len(self.numeric) + [True] * (len(self.names) - len(self.numeric))

    @property
    def input_columns(self) -> list[InputColumn]:
        out = [InputColumn(c, "numeric") for c in self.numeric]
        return out + [InputColumn(c.name, "categorical", [*c.categories, *c.grouped]) for c in self.categorical]

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """float32 (n, k): numeric columns (NaN kept) then the one-hot indicators."""
        needed = [*self.numeric, *(c.name for c in self.categorical)]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise DataError(f"the data lacks the column(s) {missing}; the model needs {needed}")
        out = np.empty((len(frame), len(self.names)), dtype=np.float32)
        numbers_into(frame, self.numeric, out[:, : len(self.numeric)])
        start = len(self.numeric)
        for col in self.categorical:
            width = len(col.indicator_names)
            col.encode_into(frame[col.name], out[:, start : start + width])
            start += width
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"numeric": list(self.numeric), "categorical": [asdict(c) for c in self.categorical]}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Encoder:
        return cls(list(raw["numeric"]), [CategoricalColumn(**c) for c in raw["categorical"]])
