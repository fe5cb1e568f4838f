"""Stage 1 of preprocessing: raw feature columns -> one float32 matrix.

The matrix holds the numeric columns as they are (NaN kept, ±inf read as missing) followed by the
one-hot indicators of each categorical column. Missing categories are filled here when an impute
step asks for it; an unseen or (unfilled) missing category is a row of zeros, never an error.
Categories are fit with scikit-learn's ``OneHotEncoder`` and kept as plain strings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.preprocessing import OneHotEncoder

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
        values = category_strings(series)
        if self.fill is not None:
            values = values.fillna(self.fill)
        known = [*self.categories, *self.grouped]
        codes = pd.Index(known, dtype=object).get_indexer(values)  # -1 for unseen or missing
        column = np.minimum(codes, len(self.categories))  # every grouped category -> "other"
        out = np.zeros((len(series), len(self.indicator_names)), dtype=np.float32)
        rows = np.flatnonzero(codes >= 0)
        out[rows, column[rows]] = 1.0
        return out


def category_strings(series: pd.Series) -> pd.Series:
    """Categories as strings; 3 and 3.0 are the same category (a column of ints gains NaN)."""

    def key(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        return str(v)

    return series.astype(object).map(key)


def _fit_column(name: str, values: pd.Series, spec: EncoderSpec) -> CategoricalColumn:
    fill = None
    if spec.fill == "constant":
        fill = spec.fill_value
    elif spec.fill == "most_frequent" and values.notna().any():
        fill = str(values.value_counts().index[0])
    if fill is not None:
        values = values.fillna(fill)
    seen = values.dropna().to_numpy(dtype=object).reshape(-1, 1)
    if len(seen) == 0:
        return CategoricalColumn(name, [], [], fill)
    enc = OneHotEncoder(handle_unknown="ignore", max_categories=spec.max_categories).fit(seen)
    grouped = enc.infrequent_categories_[0] if spec.max_categories is not None else None
    grouped_list = [] if grouped is None else [str(c) for c in grouped]
    kept = [str(c) for c in enc.categories_[0] if str(c) not in set(grouped_list)]
    return CategoricalColumn(name, kept, grouped_list, fill)


@dataclass
class Encoder:
    """Fitted stage 1: which columns are read and how categorical ones become indicators."""

    numeric: list[str]
    categorical: list[CategoricalColumn]

    @classmethod
    def fit(cls, rows: pd.DataFrame, table: Table, spec: EncoderSpec) -> Encoder:
        numeric = [c for c in table.features if table.column_types.get(c) != "categorical"]
        cats = [c for c in table.features if table.column_types.get(c) == "categorical"]
        fitted = [_fit_column(c, category_strings(rows[c]), spec) for c in cats]
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
        num = frame[self.numeric].apply(to_numbers).to_numpy(np.float32, na_value=np.nan)
        num = np.where(np.isfinite(num), num, np.float32(np.nan))  # ±inf counts as missing
        parts = [num.reshape(len(frame), len(self.numeric))]
        parts += [col.encode(frame[col.name]) for col in self.categorical]
        return np.concatenate(parts, axis=1).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {"numeric": list(self.numeric), "categorical": [asdict(c) for c in self.categorical]}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Encoder:
        return cls(list(raw["numeric"]), [CategoricalColumn(**c) for c in raw["categorical"]])
