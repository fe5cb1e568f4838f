"""Permutation importance per raw column: it finds the column that carries the signal."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from studio.errors import RunError
from studio.explain import explain_run, permutation_importance_of, raw_columns
from studio.runs import RunDir, load_run


def test_raw_columns_group_a_dates_parts_and_a_categorys_indicators(table_run: Path):
    run = load_run(table_run)
    cols = {c.name: c for c in raw_columns(run)}
    assert set(cols) == {"signal", "noise", "colour", "when"}
    assert cols["when"].kind == "date" and cols["when"].columns == ("when_year", "when_month", "when_dayofweek")
    assert cols["colour"].kind == "categorical" and len(cols["colour"].slots) == 3
    slots = sorted(s for c in cols.values() for s in c.slots)
    assert slots == list(range(len(run.preprocessor.encoded_names)))  # every encoded slot belongs to one column


def test_the_signal_column_ranks_above_the_pure_noise_column(table_run: Path):
    run = load_run(table_run)
    table = permutation_importance_of(run, repeats=5, seed=0)
    assert list(table.columns) == ["column", "kind", "mean_drop", "std_drop"]
    assert sorted(table["column"]) == ["colour", "noise", "signal", "when"]  # the date is one column, not three
    drop = table.set_index("column")["mean_drop"]
    assert table["column"].iloc[0] == "signal"
    assert drop["signal"] > 0.1 and drop["signal"] > drop["noise"] + 0.1
    assert drop["colour"] > drop["noise"]
    assert table["mean_drop"].is_monotonic_decreasing
    # the unshuffled score is the run's own test accuracy: the same rows through the same model
    assert table.attrs["metric"] == "accuracy"
    assert table.attrs["score"] == pytest.approx(run.summary.metrics["test"]["accuracy"])


def test_seeded_and_the_regression_metric_is_r2(regression_run: Path):
    run = load_run(regression_run)
    one = permutation_importance_of(run, repeats=3, seed=7)
    two = permutation_importance_of(run, repeats=3, seed=7)
    pd.testing.assert_frame_equal(one, two)
    assert one.attrs["metric"] == "r2" and one.attrs["score"] == pytest.approx(run.summary.metrics["test"]["r2"])
    drop = one.set_index("column")["mean_drop"]
    assert drop["signal"] > drop["noise"] + 0.2


def test_explain_run_saves_the_table_atomically_and_reads_it_back(table_run: Path, tmp_path: Path):
    copy = Path(shutil.copytree(table_run, tmp_path / "run"))
    table = explain_run(copy, repeats=2, seed=1)
    saved = RunDir(copy).read_importance()
    assert saved is not None
    pd.testing.assert_frame_equal(saved, table, check_exact=False)
    assert saved.attrs["repeats"] == 2 and saved.attrs["seed"] == 1 and saved.attrs["rows"] == len(load_run(copy)
                                                                                                   .test_frame())
    assert not list(copy.glob("*.tmp*"))
    # weights written after the table: the table is stale, so it is not shown
    later = time.time() + 5
    os.utime(copy / RunDir.WEIGHTS, (later, later))
    assert RunDir(copy).read_importance() is None
    os.utime(copy / RunDir.IMPORTANCE, (later + 1, later + 1))
    (copy / RunDir.IMPORTANCE).write_text("column,kind\nx,", encoding="utf-8")
    os.utime(copy / RunDir.IMPORTANCE, (later + 1, later + 1))
    with pytest.raises(RunError, match=r"importance\.csv .* is damaged"):
        RunDir(copy).read_importance()


def test_a_run_with_no_test_rows_is_a_run_error(table_run: Path, tmp_path: Path):
    copy = Path(shutil.copytree(table_run, tmp_path / "run"))
    rows = pd.read_csv(copy / RunDir.TEST_ROWS)
    rows.head(0).to_csv(copy / RunDir.TEST_ROWS, index=False)
    with pytest.raises(RunError, match="no test rows"):
        permutation_importance_of(load_run(copy))
    with pytest.raises(RunError, match="repeats"):
        permutation_importance_of(load_run(table_run), repeats=0)


def test_a_picture_is_shuffled_as_a_whole(digits_run: Path):
    table = permutation_importance_of(load_run(digits_run), repeats=2)
    assert list(table["column"]) == ["image"] and list(table["kind"]) == ["image"]
    assert table["mean_drop"].iloc[0] > 0.2  # a digit read from another picture is mostly wrong
