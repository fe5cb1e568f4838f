"""scikit-learn's shipped datasets load with the right task, shape and labels."""

from __future__ import annotations

import numpy as np
import pytest

from studio.data import DATASETS, describe_datasets, load_table
from studio.errors import DataError, RecipeError
from studio.recipe import DataConfig


@pytest.mark.parametrize(
    ("name", "task", "n_rows", "n_features", "n_classes"),
    [
        ("iris", "classification", 150, 4, 3),
        ("wine", "classification", 178, 13, 3),
        ("breast_cancer", "classification", 569, 30, 2),
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


def test_digits_is_a_set_of_pictures() -> None:
    """digits is a real 1x8x8 image set: one image feature, pixels 0-16 scaled to 0-255."""
    from sklearn.datasets import load_digits

    table = load_table(DataConfig(source="builtin:digits"))
    assert table.features == ["image"] and table.column_types == {"image": "image"}
    column = table.images["image"]
    assert column.spec.shape == (1, 8, 8) and column.images.shape == (1797, 1, 8, 8)
    raw = load_digits().images
    assert np.array_equal(column.images[:, 0], np.clip(raw * 16, 0, 255).astype(np.uint8))
    assert table.class_labels == [str(d) for d in range(10)]
    assert table.y(table.frame)[:3].tolist() == [0, 1, 2]


def test_shapes_is_a_generated_colour_set() -> None:
    table = load_table(DataConfig(source="builtin:shapes", options={"n_samples": 120}, seed=3))
    assert table.images["image"].images.shape == (120, 3, 32, 32) and table.task == "classification"
    assert table.n_classes == 6 and sorted(np.bincount(table.y(table.frame)).tolist()) == [20] * 6
    again = load_table(DataConfig(source="builtin:shapes", options={"n_samples": 120}, seed=3))
    assert np.array_equal(again.images["image"].images, table.images["image"].images)  # drawn from the seed


def test_feature_subset_and_its_errors() -> None:
    table = load_table(DataConfig(source="builtin:iris", features=["sepal_width_cm", "petal_length_cm"]))
    assert table.features == ["sepal_width_cm", "petal_length_cm"]
    assert list(table.frame.columns) == ["sepal_width_cm", "petal_length_cm", "species"]
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
    with pytest.raises(RecipeError, match=r"unknown built-in dataset 'mnist'.*iris.*moons") as err:
        DataConfig(source="builtin:mnist")  # refused when the recipe is made, before any data is read
    assert err.value.location == ("data", "source")


def test_describe_datasets_covers_the_registry() -> None:
    rows = describe_datasets()
    assert [r["name"] for r in rows] == list(DATASETS)
    cancer = next(r for r in rows if r["name"] == "breast_cancer")
    assert cancer["rows"] == 569 and cancer["features"] == 30 and cancer["task"] == "classification"
    assert all(set(r) == {"name", "task", "rows", "features", "description", "series"} and r["description"]
               for r in rows)
    rows[0]["name"] = "changed"  # callers get copies
    assert describe_datasets()[0]["name"] == "iris"
