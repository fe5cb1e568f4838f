"""The Recipe: the public JSON contract, exact round trips, and errors that name the field."""

from __future__ import annotations

import json

import pytest

from studio.errors import RecipeError
from studio.recipe import Recipe, load_recipe
from tests.conftest import PRESETS, preset_dict

ISSUE_EXAMPLE = {
    "schema_version": 1,
    "name": "breast-cancer-mlp",
    "data": {"source": "builtin:breast_cancer", "target": None, "features": None, "task": "auto",
             "split": {"train": 0.7, "val": 0.15, "test": 0.15, "stratify": True}, "seed": 0},
    "preprocessing": [{"kind": "impute", "strategy": "median"}, {"kind": "scale", "method": "standard"}],
    "model": [{"kind": "dense", "units": 64}, {"kind": "activation", "fn": "relu"}, {"kind": "dropout", "p": 0.2}],
    "optimizer": {"kind": "adam", "lr": 0.001, "weight_decay": 0.0},
    "schedule": {"kind": "cosine", "warmup_epochs": 0},
    "regularization": {"l1": 0.0, "label_smoothing": 0.0, "grad_clip": None,
                       "early_stopping": {"patience": 10, "monitor": "val_loss"}, "augmentation": None},
    "training": {"epochs": 50, "batch_size": 64, "device": "auto", "precision": "auto", "seed": 0},
}


def test_issue_example_is_valid_and_keeps_its_values() -> None:
    r = Recipe.from_dict(ISSUE_EXAMPLE)
    assert r.model[0] == {**r.model[0], "kind": "dense", "units": 64}
    assert r.preprocessing[1]["method"] == "standard"
    assert r.optimizer["lr"] == 0.001 and r.schedule["kind"] == "cosine"


@pytest.mark.parametrize("path", sorted(PRESETS.glob("*.json")), ids=lambda p: p.stem)
def test_round_trip_is_exact(path) -> None:
    first = load_recipe(path)
    again = Recipe.from_dict(json.loads(first.to_json()))
    assert again.to_dict() == first.to_dict()
    assert again.digest() == first.digest()


def test_defaults_make_a_valid_recipe() -> None:
    assert Recipe().to_dict()["schema_version"] == 1


def _with(path: list, value) -> dict:
    raw = json.loads(json.dumps(ISSUE_EXAMPLE))
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        (["optimizer", "lr"], -0.1, ["optimizer", "lr", "-0.1"]),
        (["training", "epochs"], 0, ["epochs", "0"]),
        (["model", 1], {"kind": "warp_drive"}, ["model block 2", "warp_drive", "dense"]),
        (["preprocessing", 0], {"kind": "sparkle"}, ["preprocessing step 1", "sparkle", "impute"]),
        (["model", 2], {"kind": "dropout", "p": 1.5}, ["model block 3", "dropout", "p"]),
        (["data", "source"], "s3://bucket/x.csv", ["source", "builtin:NAME"]),
        (["data", "split", "train"], 0.9, ["add up to 1"]),
        (["training", "typo_field"], 1, ["typo_field"]),
        (["schedule"], {"kind": "zigzag"}, ["schedule", "zigzag", "cosine"]),
    ],
)
def test_invalid_values_name_the_field(path, value, words) -> None:
    with pytest.raises(RecipeError) as err:
        Recipe.from_dict(_with(path, value))
    for w in words:
        assert w in str(err.value)


def test_unsupported_schema_version() -> None:
    with pytest.raises(RecipeError, match="schema_version 2"):
        Recipe.from_dict({**ISSUE_EXAMPLE, "schema_version": 2})


def test_load_recipe_errors(tmp_path) -> None:
    with pytest.raises(RecipeError, match="does not exist"):
        load_recipe(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(RecipeError, match="not valid JSON"):
        load_recipe(bad)


def test_preset_names_match_files() -> None:
    for path in PRESETS.glob("*.json"):
        assert preset_dict(path.stem)["name"] == path.stem
