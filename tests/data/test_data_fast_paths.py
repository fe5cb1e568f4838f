"""The fast paths of loading and splitting give exactly what the plain definitions give.

Typing keeps a pandas string column as it is (not a Python object per row), tells a constant
numeric column by its smallest and largest value (not by hashing every value), and the split cuts
row positions and takes each part from the frame once. Here the plain definitions are put back
(the test keeps them) and a messy table, prepared both ways, must give the same features, types,
split rows and tensors, bit for bit.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

import studio.data.columns as columns_module
import studio.data.overrides as overrides_module
import studio.prepared as prepared_module
from studio.data import Splits, Table
from studio.prepared import Prepared, prepare
from studio.recipe import Recipe, SplitConfig

PREPROCESSING = [{"kind": "impute"}, {"kind": "one_hot"}, {"kind": "scale"}]


def messy_csv(path: Path, n: int = 400, seed: int = 3) -> None:
    """Missing values, categories (one with gaps, one coded by numbers), dates, an ID column, a
    constant column, numbers written as text, a mostly-missing comment and a 4-class target with a
    rare class."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n).round(3)
    frame = pd.DataFrame({
        "row_id": [f"R{i:05d}X" for i in range(n)],
        "x": np.where(rng.random(n) < 0.1, np.nan, x),
        "z": rng.integers(0, 50, n).astype(float),
        "zero": np.where(np.arange(n) % 2 == 0, 0.0, -0.0),
        "colour": np.where(rng.random(n) < 0.15, None, rng.choice(["red", "green", "blue", "vert"], n)),
        "mode": rng.integers(1, 5, n),
        "price": [f"${v:,.2f}" if i % 37 else "n/a" for i, v in enumerate(rng.uniform(10, 5000, n))],
        "joined": pd.date_range("2020-01-01", periods=n, freq="37h").strftime("%d/%m/%Y"),
        "flag": rng.random(n) < 0.5,
        "comment": np.where(rng.random(n) < 0.9, None, [f"note number {i} here" for i in range(n)]),
        "same": "k",
        "y": np.where(np.arange(n) % 97 == 0, "rare", rng.choice(["a", "b", "c"], n)),
    })
    frame.to_csv(path, index=False)


def plain_split(table: Table, split: SplitConfig, seed: int) -> Splits:
    """The split as it was: train_test_split on the frames, ``table.y`` of each part."""
    frame, n = table.frame, len(table.frame)
    n_test = math.ceil(n * split.test)
    val_share = split.val / (split.train + split.val)
    n_val = math.ceil((n - n_test) * val_share) if split.val > 0 else 0
    notes: list[str] = []
    stratify = table.task == "classification" and split.stratify

    def cut(part: pd.DataFrame, n_out: int, part_seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        if stratify:
            try:
                return train_test_split(part, test_size=n_out, random_state=part_seed, stratify=table.y(part))
            except ValueError:  # too few rows of a class: a plain split, noted once
                notes[:] = ["not stratified"]
        return train_test_split(part, test_size=n_out, random_state=part_seed)

    rest, test = cut(frame, n_test, seed)
    if n_val == 0:
        return Splits(train=rest, val=frame.iloc[0:0], test=test, notes=notes)
    train, val = cut(rest, n_val, seed + 1)
    return Splits(train=train, val=val, test=test, notes=notes)


def plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columns_module, "_constant", lambda col: col.nunique(dropna=True) == 1)
    monkeypatch.setattr(columns_module, "categories", lambda col: col.astype(object))
    monkeypatch.setattr(overrides_module, "categories", lambda col: col.astype(object))
    monkeypatch.setattr(prepared_module, "split_table", plain_split)


def assert_same(fast: Prepared, slow: Prepared) -> None:
    for a, b in ((fast.table, slow.table),):
        assert (a.features, a.column_types, a.dropped, a.notes, a.derived, a.task, a.class_labels) == (
            b.features, b.column_types, b.dropped, b.notes, b.derived, b.task, b.class_labels)
        pd.testing.assert_frame_equal(a.frame.astype(object), b.frame.astype(object))
    for part in ("train", "val", "test"):
        assert list(getattr(fast.splits, part).index) == list(getattr(slow.splits, part).index)
        x_fast, x_slow = getattr(fast, f"x_{part}"), getattr(slow, f"x_{part}")
        assert x_fast.keys() == x_slow.keys()
        for name in x_fast:
            assert x_fast[name].dtype == x_slow[name].dtype
            assert x_fast[name].tobytes() == x_slow[name].tobytes()
        y_fast, y_slow = getattr(fast, f"y_{part}"), getattr(slow, f"y_{part}")
        assert y_fast.dtype == y_slow.dtype and y_fast.tobytes() == y_slow.tobytes()
    assert len(fast.splits.notes) == len(slow.splits.notes)
    assert [r.__dict__ for r in fast.reports] == [r.__dict__ for r in slow.reports]
    assert fast.preprocessor.feature_names == slow.preprocessor.feature_names


@pytest.mark.parametrize(("columns", "split", "seed"), [
    ({}, {"train": 0.7, "val": 0.15, "test": 0.15}, 0),
    ({"mode": "categorical", "row_id": "feature", "comment": "categorical", "x": "numeric"},
     {"train": 0.8, "val": 0.0, "test": 0.2}, 5),
    ({"colour": "ignore"}, {"train": 0.6, "val": 0.2, "test": 0.2, "stratify": False}, 11),
])
def test_messy_table_prepares_as_the_plain_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                columns: dict, split: dict, seed: int) -> None:
    messy_csv(tmp_path / "messy.csv")
    recipe = Recipe.from_dict({"data": {"source": f"csv:{tmp_path / 'messy.csv'}", "target": "y",
                                        "columns": columns, "split": split, "seed": seed},
                               "preprocessing": PREPROCESSING})
    fast = prepare(recipe)
    assert "row_id" not in fast.table.features or columns.get("row_id") == "feature"
    assert {"joined_year", "colour"} <= set(fast.table.features) or "colour" in columns
    with monkeypatch.context() as m:
        plain(m)
        slow = prepare(recipe)
    assert_same(fast, slow)


def test_rare_class_falls_back_the_same_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A class of one row cannot be stratified: both paths fall back to a plain split alike."""
    frame = pd.DataFrame({"x": np.arange(60, dtype=float), "c": ["p", "q", "r"] * 20,
                          "y": ["a"] * 30 + ["b"] * 29 + ["once"]})
    frame.to_csv(tmp_path / "rare.csv", index=False)
    recipe = Recipe.from_dict({"data": {"source": f"csv:{tmp_path / 'rare.csv'}", "target": "y"},
                               "preprocessing": PREPROCESSING})
    fast = prepare(recipe)
    assert fast.splits.notes and "once" in fast.splits.notes[0]
    with monkeypatch.context() as m:
        plain(m)
        slow = prepare(recipe)
    assert_same(fast, slow)


def test_constant_and_string_columns_keep_their_meaning() -> None:
    assert columns_module._constant(pd.Series([0.0, -0.0, np.nan]))
    assert not columns_module._constant(pd.Series([1.0, np.nan, 2.0]))
    assert columns_module._constant(pd.Series([7, 7, 7]))
    text = pd.Series(["a", None, "b"], dtype="str")
    assert columns_module.categories(text) is text
    assert columns_module.categories(pd.Series([1, 2])).dtype == object


def test_range_and_counter_checks_read_columns_a_few_at_a_time_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """One column per chunk or all in one: the same column named, the same counters found."""
    import studio.data.detect as detect_module
    import studio.data.ranges as ranges_module
    from studio.errors import DataError

    n = 40
    frame = pd.DataFrame({"a": np.arange(n, dtype=float), "b": np.full(n, 1e39),
                          "c": np.r_[np.inf, np.full(n - 1, -2e39)],
                          "count": np.tile(np.r_[1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 6, 7], 4)[:n].astype(float)})
    found: dict[str, tuple[str, dict]] = {}
    for how, chunks in (("one block", lambda f, names: [names]), ("by column", lambda f, names: [[c] for c in names])):
        with monkeypatch.context() as m:
            m.setattr(ranges_module, "column_chunks", chunks)
            m.setattr(detect_module, "column_chunks", chunks)
            with pytest.raises(DataError) as err:
                ranges_module.check_feature_ranges(frame, ["a", "b", "c"])
            found[how] = (str(err.value), detect_module.group_counters(frame, ["a", "count"]))
    assert found["one block"] == found["by column"]
    assert "'b'" in found["by column"][0] and "1 other column" in found["by column"][0]
    assert list(found["by column"][1]) == ["count"]
