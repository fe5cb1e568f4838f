"""Numbers as people write them in spreadsheets, read the same way in training and in prediction.

``pd.to_numeric`` reads "1234.5" but not "1,234.5" or "$1,299.00", which spreadsheet exports are
full of; a column of them would otherwise be typed as categories (or dropped as ID-like). One
function parses them everywhere (column typing, the encoder, outlier filters, ``studio predict``),
so a value means the same number at training and at prediction time. Imports no torch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

# a sign, an optional currency symbol, digits in groups of three separated by commas, decimals
_FORMATTED = r"^\s*(?P<sign>[+-]?)\s*[$€£]?\s*(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?\s*$"


def to_numbers(col: pd.Series) -> pd.Series:
    """float64 values of ``col``; NaN where a value is missing or not a number.

    Reads what ``pd.to_numeric`` reads (surrounding spaces allowed), plus thousands separators
    ("1,234", "-12,345.67") and a leading currency symbol ("$1,299.00", "€ 5"). A comma is only
    a thousands separator between groups of exactly three digits, so "1,5" stays unread (a
    decimal comma is the CSV reader's ``decimal`` option, applied before this).
    """
    if ptypes.is_bool_dtype(col):
        return col.astype(np.float64)
    if ptypes.is_numeric_dtype(col):
        return col.astype(np.float64)
    text = col.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
    parsed = pd.to_numeric(text, errors="coerce").astype(np.float64)
    rest = parsed.isna() & text.map(lambda v: isinstance(v, str) and v != "")
    if rest.any():
        parts = text[rest].astype(str).str.extract(_FORMATTED)
        plain = parts["sign"].fillna("") + parts["int"].str.replace(",", "", regex=False) + parts["frac"].fillna("")
        parsed[rest] = pd.to_numeric(plain, errors="coerce")
    return parsed
