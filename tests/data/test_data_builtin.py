"""scikit-learn's shipped datasets load with the right task, shape and labels."""

from __future__ import annotations

import numpy as np
import pytest

from studio.data import DATASETS, describe_datasets, load_table
from studio.errors import DataError
from studio.recipe import DataConfig


@pytest.mark.parametrize(
    ("name", "task", "n_rows", "n_features", "n_classes"),
    [
        ("iris", "classification", 150, 4, 3),
        ("wine", "classification", 178, 13, 3),
        ("breast_cancer", "classification", 569, 30, 2),
        ("digits", "classification", 1797, 64, 10),
        ("diabetes", "regression", 442, 10, 0),
    ],
)
def test_builtin_loads(name: str, task: str, n_rows: int, n_features: int, n_classes: int) -> None:
    table = load_table(DataConfig(source=f"builtin:{name}"))
    assert table.task == task
    assert table.frame.shape == (n_rows, n_features + 1)
    assert table.features == [c for c in table.frame.columns if c != table.target]
    assert set(table.column_types.values()) == {"numeric"}
    assert table.n_classes == n_classes
    y = table.y(table.frame)
    assert y.dtype == (np.int64 if n_classes else np.float64)
    if n_classes:
        assert sorted(set(y.tolist())) == list(range(n_classes))


def test_labels_are_target_names() -> None:
    cancer = load_table(DataConfig(source="builtin:breast_cancer"))
    assert cancer.class_labels == ["malignant", "benign"]
    assert set(cancer.frame["diagnosis"]) == {"malignant", "benign"}
    iris = load_table(DataConfig(source="builtin:iris"))
    assert iris.class_labels == ["setosa", "versicolor", "virginica"]
    assert "sepal_length_cm" in iris.features


def test_digits_is_an_image() -> None:
    table = load_table(DataConfig(source="builtin:digits"))
    assert table.image_shape == (1, 8, 8)
    assert table.features[0] == "px_0_0" and table.features[9] == "px_1_1" and table.features[-1] == "px_7_7"
    assert table.class_labels == [str(d) for d in range(10)]


def test_feature_subset_and_its_errors() -> None:
    table = load_table(DataConfig(source="builtin:digits", features=["px_0_0", "px_3_4"]))
    assert table.features == ["px_0_0", "px_3_4"]
    assert list(table.frame.columns) == ["px_0_0", "px_3_4", "digit"]
    assert table.image_shape is None
    with pytest.raises(DataError, match=r"'petal'.*not a column.*valid: 'sepal_length_cm'"):
        load_table(DataConfig(source="builtin:iris", features=["petal"]))


def test_target_and_task_mismatches() -> None:
    with pytest.raises(DataError, match=r"'price'.*predicts 'species'"):
        load_table(DataConfig(source="builtin:iris", target="price"))
    with pytest.raises(DataError, match=r"holds text.*regression.*classification"):
        load_table(DataConfig(source="builtin:iris", task="regression"))
    digits = load_table(DataConfig(source="builtin:digits", task="regression"))
    assert digits.task == "regression" and digits.class_labels is None
    assert digits.y(digits.frame).dtype == np.float64


def test_unknown_builtin_lists_valid_names() -> None:
    with pytest.raises(DataError, match=r"unknown built-in dataset 'mnist'.*iris.*moons"):
        load_table(DataConfig(source="builtin:mnist"))


def test_describe_datasets_covers_the_registry() -> None:
    rows = describe_datasets()
    assert [r["name"] for r in rows] == list(DATASETS)
    cancer = next(r for r in rows if r["name"] == "breast_cancer")
    assert cancer["rows"] == 569 and cancer["features"] == 30 and cancer["task"] == "classification"
    assert all(set(r) == {"name", "task", "rows", "features", "description"} and r["description"] for r in rows)
    rows[0]["name"] = "changed"  # callers get copies
    assert describe_datasets()[0]["name"] == "iris"
