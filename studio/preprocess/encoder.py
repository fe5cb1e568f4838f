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

from studio.data.table import Table
from studio.errors import DataError
from studio.preprocess.codes import (
    Coded,
    category_codes,
    category_strings,  # noqa: F401  (its home before codes.py)
    infrequent,
    most_frequent,
    numbers_into,
)

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

    def encode_into(self, series: pd.Series, out: np.ndarray, coded: Coded | None = None) -> None:
        """Write the indicators of ``series`` into ``out`` (n, indicators), a view of a bigger matrix.

        ``coded``: ``category_codes(series)`` when the caller has it already.
        """
        codes, keys = coded if coded is not None else category_codes(series)
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


def _fit_column(name: str, series: pd.Series, spec: EncoderSpec, coded: Coded | None = None) -> CategoricalColumn:
    """Categories of one raw column, as scikit-learn's ``OneHotEncoder(max_categories=...)`` would fit them
    on its category strings (missing ones filled first), counted once per distinct value."""
    codes, keys = coded if coded is not None else category_codes(series)
    counts = np.bincount(codes[codes >= 0], minlength=len(keys))
    n_missing = int((codes < 0).sum())
    fill = None
    if spec.fill == "constant":
        fill = spec.fill_value
    elif spec.fill == "most_frequent" and n_missing < len(codes):
        fill = most_frequent(codes, keys)
    seen: dict[str, int] = dict(zip(keys, counts.tolist(), strict=True))
    if fill is not None and n_missing:
        seen[fill] = seen.get(fill, 0) + n_missing
    categories = sorted(seen)  # OneHotEncoder's order
    grouped = infrequent(categories, np.array([seen[c] for c in categories]), spec.max_categories)
    kept = [c for c in categories if c not in set(grouped)]
    return CategoricalColumn(name, kept, grouped, fill)


@dataclass
class Encoder:
    """Fitted stage 1: which columns are read and how categorical ones become indicators."""

    numeric: list[str]
    categorical: list[CategoricalColumn]

    @classmethod
    def fit(cls, rows: pd.DataFrame, table: Table, spec: EncoderSpec) -> Encoder:
        return cls._fit(rows, table, spec)[0]

    @classmethod
    def fit_encode(cls, rows: pd.DataFrame, table: Table, spec: EncoderSpec) -> tuple[Encoder, np.ndarray]:
        """The fitted encoder and ``encode(rows)``, each categorical column coded once for both."""
        encoder, coded = cls._fit(rows, table, spec)
        return encoder, encoder._encode(rows, coded)

    @classmethod
    def _fit(cls, rows: pd.DataFrame, table: Table, spec: EncoderSpec) -> tuple[Encoder, dict[str, Coded]]:
        numeric = [c for c in table.features if table.column_types.get(c) != "categorical"]
        cats = [c for c in table.features if table.column_types.get(c) == "categorical"]
        coded = {c: category_codes(rows[c]) for c in cats}
        return cls(numeric, [_fit_column(c, rows[c], spec, coded[c]) for c in cats]), coded

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
        return self._encode(frame, {})

    def _encode(self, frame: pd.DataFrame, coded: dict[str, Coded]) -> np.ndarray:
        needed = [*self.numeric, *(c.name for c in self.categorical)]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise DataError(f"the data lacks the column(s) {missing}; the model needs {needed}")
        out = np.empty((len(frame), len(self.names)), dtype=np.float32)
        numbers_into(frame, self.numeric, out[:, : len(self.numeric)])
        start = len(self.numeric)
        for col in self.categorical:
            width = len(col.indicator_names)
            col.encode_into(frame[col.name], out[:, start : start + width], coded.get(col.name))
            start += width
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"numeric": list(self.numeric), "categorical": [asdict(c) for c in self.categorical]}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Encoder:
        return cls(list(raw["numeric"]), [CategoricalColumn(**c) for c in raw["categorical"]])
