"""A wide table (thousands of columns) prepares without pandas' PerformanceWarning (no column-by-column inserts)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from studio.data.columns import type_columns
from studio.prepared import prepare
from studio.recipe import Recipe

COLUMNS, ROWS = 2000, 40


def _wide(columns: int = COLUMNS, rows: int = ROWS) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(rows, columns)).round(3), columns=[f"f{i}" for i in range(columns)])
    frame["when"] = [f"2024-0{1 + i % 9}-1{i % 10}" for i in range(rows)]  # a date: three new columns
    frame["colour"] = np.array(["red", "green", "blue"], dtype=object)[rng.integers(0, 3, rows)]
    return frame


def test_typing_a_wide_frame_keeps_every_column_in_order_without_performance_warnings() -> None:
    frame = _wide()
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        typed = type_columns(frame)
    assert list(typed.frame.columns) == [*frame.columns[:COLUMNS], "when_year", "when_month", "when_dayofweek",
                                         "colour"]
    assert typed.frame.index.equals(frame.index)
    pd.testing.assert_series_equal(typed.frame["f7"], frame["f7"])
    assert typed.column_types["colour"] == "categorical"
    pd.testing.assert_series_equal(typed.frame["colour"], frame["colour"])  # a string column stays one


def test_preparing_a_wide_csv_raises_no_performance_warning(tmp_path: Path) -> None:
    frame = _wide()
    frame["label"] = np.where(np.arange(ROWS) % 2 == 0, "yes", "no")
    frame.to_csv(tmp_path / "wide.csv", index=False)
    recipe = Recipe.from_dict({"data": {"source": f"csv:{tmp_path / 'wide.csv'}", "target": "label"},
                               "preprocessing": [{"kind": "impute"}, {"kind": "scale"}]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        prepared = prepare(recipe)
    assert prepared.in_shape == (COLUMNS + 3 + 3,)  # the numbers, the date's three parts, colour's 3 indicators
    assert not np.isnan(prepared.x_train["table"]).any()


def test_a_frame_with_no_usable_column_types_to_an_empty_frame_on_the_same_rows() -> None:
    frame = pd.DataFrame({"c": [1.0] * 12}, index=range(5, 17))  # constant: dropped
    typed = type_columns(frame)
    assert typed.frame.shape == (12, 0) and typed.frame.index.equals(frame.index)
