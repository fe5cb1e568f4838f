"""The target column: errors for a bad target, and how the task and the labels are decided."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from studio.data import Table
from studio.errors import DataError


def csv_with_target(values: list[str]) -> str:
    return "x,y\n" + "".join(f"{i * 0.37:.2f},{v}\n" for i, v in enumerate(values))


def test_unknown_target_suggests_the_closest(load_csv: Callable[..., Table]) -> None:
    with pytest.raises(DataError, match=r"'pricee' is not in .*did you mean 'price'\?.*'area', 'price'"):
        load_csv("area,price\n1,2\n3,4\n", target="pricee")
    with pytest.raises(DataError, match=r"needs a target column in data\.target.*'area', 'price'"):
        load_csv("area,price\n1,2\n3,4\n", target=None)


@pytest.mark.parametrize(
    ("values", "task", "labels"),
    [
        (["cat", "dog"] * 15, "classification", ["cat", "dog"]),
        ([str(i % 3) for i in range(30)], "classification", ["0", "1", "2"]),
        ([str([10, 2, 1][i % 3]) for i in range(30)], "classification", ["1", "2", "10"]),
        (["True", "False"] * 15, "classification", ["False", "True"]),
        ([str(i) for i in range(30)], "regression", None),  # distinct integers: a quantity
        ([f"{i % 3}.5" for i in range(30)], "regression", None),
        ([str(i % 25) for i in range(100)], "regression", None),  # more than 20 values
    ],
)
def test_task_detection(load_csv: Callable[..., Table], values: list[str], task: str, labels: list[str] | None) -> None:
    table = load_csv(csv_with_target(values))
    assert table.task == task
    assert table.class_labels == labels
    y = table.y(table.frame)
    if labels:
        assert y.dtype == np.int64 and set(y.tolist()) == set(range(len(labels)))
    else:
        assert y.dtype == np.float64


def test_task_override(load_csv: Callable[..., Table]) -> None:
    table = load_csv(csv_with_target([str(i) for i in range(30)]), task="classification")
    assert table.task == "classification" and table.class_labels[:3] == ["0", "1", "2"]
    table = load_csv(csv_with_target([str(i % 3) for i in range(30)]), task="regression")
    assert table.task == "regression"
    with pytest.raises(DataError, match=r"target 'y' holds text \('cat', 'dog', \.\.\.\).*regression"):
        load_csv(csv_with_target(["cat", "dog"] * 15), task="regression")


def test_one_class_is_refused(load_csv: Callable[..., Table]) -> None:
    with pytest.raises(DataError, match=r"single class \('yes'\).*at least two classes"):
        load_csv(csv_with_target(["yes"] * 20 + [""] * 3))


def test_missing_and_infinite_targets_drop_rows(load_csv: Callable[..., Table]) -> None:
    values = [f"{i * 1.5}" for i in range(30)]
    values[3], values[4], values[5] = "", "inf", "-inf"
    table = load_csv(csv_with_target(values))
    assert len(table.frame) == 27 and 3 not in table.frame.index
    assert "dropped 3 rows with a missing or infinite target 'y'" in table.notes
    assert np.isfinite(table.y(table.frame)).all()


def test_all_missing_target(load_csv: Callable[..., Table]) -> None:
    with pytest.raises(DataError, match=r"target column 'y' has no values"):
        load_csv("x,y\n1,\n2,\n")
