"""Spreadsheet-formatted numbers read as numbers, and nothing else does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studio.data.numbers import to_numbers


@pytest.mark.parametrize(("text", "value"), [
    ("42", 42.0), (" 3.5 ", 3.5), ("-7", -7.0), ("1e3", 1000.0),
    ("1,234", 1234.0), ("-12,345.67", -12345.67), ("1,234,567", 1234567.0),
    ("$1,299.00", 1299.0), ("€ 5", 5.0), ("-£3.50", -3.5), ("+$2", 2.0),
])
def test_numbers_people_write(text: str, value: float):
    assert to_numbers(pd.Series([text], dtype=object)).iloc[0] == pytest.approx(value)


@pytest.mark.parametrize("text", ["1,5", "12,34", "1,2345", "abc", "$", "1.234,5", "12%", "1 234", ",123"])
def test_not_numbers(text: str):
    """A comma separates thousands only between groups of three digits; anything unsure stays unread."""
    assert np.isnan(to_numbers(pd.Series([text], dtype=object)).iloc[0])


def test_missing_and_typed_columns():
    got = to_numbers(pd.Series(["1,000", None, np.nan, "", "2"], dtype=object))
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got.to_numpy(), [1000.0, np.nan, np.nan, np.nan, 2.0])
    np.testing.assert_array_equal(to_numbers(pd.Series([True, False])).to_numpy(), [1.0, 0.0])
    np.testing.assert_array_equal(to_numbers(pd.Series([1, 2], dtype=np.int64)).to_numpy(), [1.0, 2.0])
