"""train / val / test split: proportions, stratification, seeding, fallbacks and refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studio.data import Splits, Table, load_table, split_table
from studio.errors import DataError
from studio.recipe import DataConfig, SplitConfig


def toy_table(labels: list[str]) -> Table:
    frame = pd.DataFrame({"x": np.arange(len(labels), dtype=float), "y": labels})
    frame.index = frame.index + 100  # a non-default index must survive the split
    return Table(
        name="toy",
        frame=frame,
        target="y",
        features=["x"],
        column_types={"x": "numeric"},
        task="classification",
        class_labels=sorted(set(labels)),
    )


@pytest.fixture(scope="module")
def cancer() -> Table:
    return load_table(DataConfig(source="builtin:breast_cancer"))


def parts(s: Splits) -> list[pd.DataFrame]:
    return [s.train, s.val, s.test]


def test_proportions_and_disjoint_parts(cancer: Table) -> None:
    s = split_table(cancer, SplitConfig(train=0.7, val=0.15, test=0.15), seed=0)
    assert [len(p) for p in parts(s)] == [397, 86, 86]
    index = [i for p in parts(s) for i in p.index]
    assert sorted(index) == list(cancer.frame.index)  # every row once, original index kept
    assert list(s.train.columns) == list(cancer.frame.columns)


def test_stratified_keeps_class_shares(cancer: Table) -> None:
    share = (cancer.y(cancer.frame) == 0).mean()
    s = split_table(cancer, SplitConfig(), seed=1)
    for part in parts(s):
        assert abs((cancer.y(part) == 0).mean() - share) < 0.01
    assert s.notes == []


def test_unstratified_when_asked(cancer: Table) -> None:
    a = split_table(cancer, SplitConfig(stratify=False), seed=1)
    b = split_table(cancer, SplitConfig(stratify=True), seed=1)
    assert list(a.test.index) != list(b.test.index)


def test_seeded(cancer: Table) -> None:
    a, b = split_table(cancer, SplitConfig(), 5), split_table(cancer, SplitConfig(), 5)
    c = split_table(cancer, SplitConfig(), 6)
    for pa, pb in zip(parts(a), parts(b), strict=True):
        assert list(pa.index) == list(pb.index)
    assert list(a.test.index) != list(c.test.index)


def test_empty_validation(cancer: Table) -> None:
    s = split_table(cancer, SplitConfig(train=0.8, val=0.0, test=0.2), seed=0)
    assert len(s.val) == 0 and list(s.val.columns) == list(cancer.frame.columns)
    assert len(s.train) + len(s.test) == len(cancer.frame)


def test_regression_splits() -> None:
    table = load_table(DataConfig(source="builtin:diabetes"))
    s = split_table(table, SplitConfig(), seed=0)
    assert sum(len(p) for p in parts(s)) == 442 and s.notes == []


def test_tiny_class_falls_back_with_a_note() -> None:
    table = toy_table(["a"] * 20 + ["b"] * 19 + ["rare"])
    s = split_table(table, SplitConfig(), seed=0)
    assert sum(len(p) for p in parts(s)) == 40
    assert sorted(i for p in parts(s) for i in p.index) == list(range(100, 140))
    assert len(s.notes) == 1 and "without stratification: class 'rare' has only 1 row," in s.notes[0]


@pytest.mark.parametrize(
    ("n", "split", "words"),
    [
        (12, SplitConfig(), r"12 rows of 'toy'.*leaves 8 training.*raise data\.split\.train"),
        (30, SplitConfig(train=0.2, val=0.4, test=0.4), r"leaves 6 training and 12 test rows"),
    ],
)
def test_too_small_a_training_set(n: int, split: SplitConfig, words: str) -> None:
    with pytest.raises(DataError, match=words):
        split_table(toy_table(["a", "b"] * (n // 2)), split, seed=0)
