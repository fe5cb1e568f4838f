"""``data.columns``: a person's word over the automatic typing (issue #8, per-column overrides)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from studio.data import Table, load_table
from studio.errors import DataError, RecipeError
from studio.recipe import DataConfig, Recipe

Load = Callable[..., Table]


def _coded(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """A coded category 1-4 that matters out of order (2 and 4 say yes), a useless number and an ID."""
    rng = np.random.default_rng(seed)
    mode = rng.integers(1, 5, n)
    noise = rng.random(n) < 0.05
    label = np.where((mode % 2 == 0) ^ noise, "yes", "no")
    return pd.DataFrame({"individual": [f"P{i:04d}X" for i in range(n)], "mode": mode,
                         "x": rng.normal(size=n).round(3), "label": label})


def test_a_coded_number_becomes_categorical_and_an_id_is_ignored(load_csv: Load) -> None:
    table = load_csv(_coded().to_csv(index=False), target="label",
                     columns={"mode": "categorical", "individual": "ignore"})
    assert table.column_types == {"mode": "categorical", "x": "numeric"}
    assert table.features == ["mode", "x"]
    assert table.dropped == {"individual": "set to 'ignore' in data.columns"}
    assert set(table.frame["mode"].map(str)) == {"1", "2", "3", "4"}


def test_without_overrides_the_coded_column_is_numeric(load_csv: Load) -> None:
    table = load_csv(_coded().to_csv(index=False), target="label")
    assert table.column_types["mode"] == "numeric"


def test_feature_keeps_a_column_a_rule_would_drop(load_csv: Load) -> None:
    frame = _coded()
    table = load_csv(frame.to_csv(index=False), target="label", columns={"individual": "feature"})
    assert table.column_types["individual"] == "categorical" and "individual" not in table.dropped
    rows = frame.assign(num=np.arange(len(frame)))  # a 0..n-1 sequence: ID-like by the typing
    table = load_csv(rows.to_csv(index=False), target="label", columns={"num": "feature"})
    assert table.column_types["num"] == "numeric" and table.features[-1] == "num"


def test_numeric_reads_numbers_and_says_what_became_missing(load_csv: Load) -> None:
    rows = "".join(f"{'??' if i == 3 else f'{i % 9},5'};{'abc'[i % 3]};{i % 2}\n" for i in range(40))
    table = load_csv("a;b;y\n" + rows.replace(",5", ".5"), columns={"a": "numeric"})
    assert table.column_types["a"] == "numeric" and table.frame["a"].isna().sum() == 1
    with pytest.raises(DataError, match="sets 'b' to 'numeric', but none of its values is a number") as err:
        load_csv("a;b;y\n" + rows, columns={"b": "numeric"})
    assert err.value.location == ("data", "columns", "b")


def test_an_unknown_column_is_named_with_the_ones_there_are(load_csv: Load) -> None:
    with pytest.raises(DataError, match=r"names 'colour', which is not a column .*'individual', 'mode', 'x'") as err:
        load_csv(_coded().to_csv(index=False), target="label", columns={"colour": "categorical"})
    assert err.value.location == ("data", "columns", "colour")


def test_text_reads_a_column_as_text(load_csv: Load) -> None:
    table = load_csv(_coded().to_csv(index=False), target="label", columns={"individual": "text", "mode": "text"})
    assert table.column_types["individual"] == "text" and table.frame["individual"].iloc[0] == "P0000X"
    assert table.column_types["mode"] == "text" and set(table.frame["mode"]) == {"1", "2", "3", "4"}
    assert any("'mode' (text in data.columns) holds only numbers" in n for n in table.notes)


def test_overrides_apply_to_builtin_datasets() -> None:
    table = load_table(DataConfig(source="builtin:iris", columns={"petal_width_cm": "ignore",
                                                                  "sepal_length_cm": "categorical"}))
    assert "petal_width_cm" not in table.features and "petal_width_cm" not in table.frame
    assert table.column_types["sepal_length_cm"] == "categorical"
    with pytest.raises(DataError, match="names 'nope', which is not a column of the built-in dataset 'iris'"):
        load_table(DataConfig(source="builtin:iris", columns={"nope": "ignore"}))


@pytest.mark.parametrize(("columns", "words", "where"), [
    ({"mode": "bucket"}, "valid uses: feature, ignore, numeric, categorical, text, image", ("data", "columns", "mode")),
    ({"label": "categorical"}, "sets the target 'label'", ("data", "columns", "label")),
    ({"": "ignore"}, "empty column name", ("data", "columns")),
])
def test_the_recipe_checks_what_it_can_when_made(columns: dict, words: str, where: tuple) -> None:
    with pytest.raises(RecipeError, match=words) as err:
        Recipe.from_dict({"data": {"source": "csv:t.csv", "target": "label", "columns": columns}})
    assert err.value.location == where


def test_a_feature_listed_and_ignored_is_refused_when_made() -> None:
    with pytest.raises(RecipeError, match=r"lists 'x', which data\.columns sets to 'ignore'"):
        DataConfig(source="csv:t.csv", target="y", features=["x"], columns={"x": "ignore"})


def test_overrides_round_trip_in_the_recipe() -> None:
    raw = {"data": {"source": "csv:t.csv", "target": "label", "columns": {"mode": "categorical", "id": "ignore"}}}
    recipe = Recipe.from_dict(raw)
    assert Recipe.from_dict(recipe.to_dict()).data.columns == {"mode": "categorical", "id": "ignore"}


def _accuracy(tmp_path: Path, columns: dict[str, str]) -> float:
    from studio.pipeline import train_recipe

    csv = tmp_path / "coded.csv"
    _coded().to_csv(csv, index=False)
    recipe = Recipe.from_dict({
        "data": {"source": f"csv:{csv}", "target": "label", "columns": columns},
        "preprocessing": [{"kind": "impute"}, {"kind": "one_hot"}, {"kind": "scale"}],
        "model": [],  # a linear model: it cannot bend a number into "2 and 4, not 1 and 3"
        "optimizer": {"kind": "adam", "lr": 0.05},
        "training": {"epochs": 40, "batch_size": 64, "device": "cpu"},
        "regularization": {"early_stopping": None},
    })
    result = train_recipe(recipe, runs_root=tmp_path / "runs")
    return result.summary.metrics["test"]["accuracy"]


@pytest.mark.slow
def test_a_coded_category_set_to_categorical_really_raises_accuracy(tmp_path: Path) -> None:
    numeric = _accuracy(tmp_path, {"individual": "ignore"})
    categorical = _accuracy(tmp_path, {"individual": "ignore", "mode": "categorical"})
    assert numeric < 0.7 and categorical > 0.9, (numeric, categorical)
