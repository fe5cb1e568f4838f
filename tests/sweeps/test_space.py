"""The search space: its form, dotted paths into the recipe, and values the recipe refuses, all before a trial."""

from __future__ import annotations

import pytest

from studio.recipe import Recipe
from studio.sweeps.apply import apply_params, check_space
from studio.sweeps.space import SpaceError, parse_space, space_from_json
from tests.sweeps.conftest import tiny_recipe

ISSUE_SPACE = {"optimizer.lr": {"log_uniform": [1e-4, 1e-1]}, "model.0.units": {"choice": [16, 32, 64, 128]},
               "regularization.l2": {"uniform": [0, 0.01]}, "optimizer.kind": {"choice": ["adam", "sgd"]},
               "training.batch_size": {"int_uniform": [8, 64]}}


def recipe() -> Recipe:
    return Recipe.from_dict(tiny_recipe())


def test_the_issues_space_parses_and_fits_the_recipe() -> None:
    space = parse_space(ISSUE_SPACE)
    assert space.paths == list(ISSUE_SPACE)
    check_space(recipe(), space)
    dists = space.distributions()
    assert dists["optimizer.lr"].log and dists["optimizer.lr"].low == 1e-4
    assert dists["training.batch_size"].step == 1
    assert dists["optimizer.kind"].choices == ("adam", "sgd")


def test_values_land_at_their_paths_and_a_new_kind_keeps_what_it_accepts() -> None:
    out = apply_params(recipe(), {"optimizer.kind": "sgd", "optimizer.lr": 0.5, "model.0.units": 64,
                                  "regularization.l2": 0.001}, name="t")
    assert out.optimizer["kind"] == "sgd" and out.optimizer["lr"] == 0.5
    assert out.optimizer["weight_decay"] == recipe().optimizer["weight_decay"]  # kept across kinds
    assert "beta1" not in out.optimizer and "momentum" in out.optimizer  # adam's dropped, sgd's default
    assert out.model[0]["units"] == 64 and out.regularization.l2 == 0.001 and out.name == "t"


@pytest.mark.parametrize("raw, words", [
    ([], "JSON object"),
    ({}, "empty object"),
    ({"": {"uniform": [0, 1]}}, "dotted recipe path"),
    ({"optimizer..lr": {"uniform": [0, 1]}}, "dotted recipe path"),
    ({"optimizer.lr": {"normal": [0, 1]}}, "must be one of"),
    ({"optimizer.lr": {"uniform": [0, 1], "choice": [1]}}, "must be one of"),
    ({"optimizer.lr": [0, 1]}, "must be one of"),
    ({"model.0.units": {"choice": []}}, "non-empty list"),
    ({"model.0.units": {"choice": 16}}, "non-empty list"),
    ({"model.0.units": {"choice": [16, 16]}}, "twice"),
    ({"model.0.units": {"choice": [[16]]}}, "numbers, text"),
    ({"optimizer.lr": {"log_uniform": [0, 0.1]}}, "above 0"),
    ({"optimizer.lr": {"log_uniform": [-1, 0.1]}}, "above 0"),
    ({"optimizer.lr": {"uniform": [0.1, 0.01]}}, "is above high"),
    ({"optimizer.lr": {"uniform": [0.1]}}, "two numbers"),
    ({"optimizer.lr": {"uniform": ["a", 1]}}, "two numbers"),
    ({"optimizer.lr": {"uniform": [True, 1]}}, "two numbers"),
    ({"training.batch_size": {"int_uniform": [8.5, 64]}}, "whole numbers"),
])
def test_a_space_of_the_wrong_form_is_one_sentence(raw, words) -> None:
    with pytest.raises(SpaceError) as err:
        parse_space(raw)
    assert words in str(err.value) and "\n" not in str(err.value) and len(str(err.value)) <= 300


@pytest.mark.parametrize("raw, words", [
    ({"optimizer.lrr": {"uniform": [0, 1]}}, "names no field of the recipe: optimizer has beta1"),
    ({"optimiser.lr": {"uniform": [0, 1]}}, "the recipe has no 'optimiser'"),
    ({"model.5.units": {"choice": [8]}}, "model has 2 items"),
    ({"model.first.units": {"choice": [8]}}, "name an item by its position"),
    ({"optimizer.lr.value": {"choice": [8]}}, "not an object with fields"),
    ({"optimizer.momentum": {"uniform": [0, 0.9]}}, "names no field"),  # adam has no momentum
    ({"regularization.augmentation.noise_std": {"uniform": [0, 1]}}, "is null in the recipe"),
    ({"model.0.units": {"choice": [0, 16]}}, "refuses 0: model block 1 (dense): units"),
    ({"optimizer.kind": {"choice": ["adam", "lion"]}}, "unknown optimizer kind 'lion'"),
    ({"training.epochs": {"int_uniform": [0, 10]}}, "refuses 0"),
    ({"data.split.val": {"uniform": [0.0, 0.2]}}, "must add up to 1"),
])
def test_a_path_that_names_nothing_or_a_refused_value_is_caught_before_any_trial(raw, words) -> None:
    with pytest.raises(SpaceError) as err:
        check_space(recipe(), parse_space(raw))
    assert words in str(err.value), str(err.value)
    assert "\n" not in str(err.value) and len(str(err.value)) <= 300


def test_values_refused_only_together_are_caught() -> None:
    raw = tiny_recipe()
    raw["optimizer"] = {"kind": "sgd", "lr": 0.01, "momentum": 0.9}
    space = parse_space({"optimizer.kind": {"choice": ["sgd", "adam"]}, "optimizer.momentum": {"uniform": [0, 0.9]}})
    with pytest.raises(SpaceError, match=r"names no field.*with optimizer\.kind 'adam'"):
        check_space(Recipe.from_dict(raw), space)


def test_a_space_file_that_is_not_json() -> None:
    with pytest.raises(SpaceError, match=r"space file 'space\.json'"):
        space_from_json(b"{not json", "space.json")


def test_the_apps_rows_make_the_same_space() -> None:
    from studio.sweeps.rows import default_rows, space_from_rows

    rows = default_rows(recipe())
    assert space_from_rows(rows).to_json() == {"optimizer.lr": {"log_uniform": [1e-4, 0.1]},
                                               "model.0.units": {"choice": [16, 32, 64, 128]}}
    space = space_from_rows([{"path": "optimizer.kind", "kind": "choice", "choices": "adam, sgd"},
                             {"path": "", "kind": None}])  # an empty row is skipped
    assert space.to_json() == {"optimizer.kind": {"choice": ["adam", "sgd"]}}
    with pytest.raises(SpaceError, match="choose a kind"):
        space_from_rows([{"path": "optimizer.lr", "kind": None}])
    with pytest.raises(SpaceError, match="the space is empty"):
        space_from_rows([{"path": " ", "kind": "uniform"}])
    with pytest.raises(SpaceError, match="already searched"):
        space_from_rows([{"path": "optimizer.lr", "kind": "uniform", "low": 0, "high": 1}] * 2)


@pytest.mark.parametrize("kind, name", [("median", "MedianPruner"), ("asha", "SuccessiveHalvingPruner"),
                                        ("none", "NopPruner")])
def test_each_pruner_is_optunas_own(kind, name) -> None:
    from studio.sweeps.study import PrunerSpec

    assert type(PrunerSpec(kind).build()).__name__ == name
