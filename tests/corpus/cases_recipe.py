"""Recipes that are JSON objects but not valid recipes: wrong types, unknown fields, absurd or non-finite numbers."""

from __future__ import annotations

import json
from typing import Any

from tests.corpus.corpus import case, train_argv
from tests.corpus.workspace import Workspace, recipe_dict


def text_recipe(ws: Workspace, content: bytes | str) -> list[str]:
    return train_argv(ws.write("recipe.json", content))


def changed(ws: Workspace, path: tuple[str, ...], value: Any) -> list[str]:
    """The small iris recipe with one value replaced (``path`` into the JSON, created if missing)."""
    raw = recipe_dict()
    node = raw
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return train_argv(ws.write_json("recipe.json", raw))


def with_text(ws: Workspace, field: str, literal: str) -> list[str]:
    """The iris recipe with the JSON text of the optimizer's ``field`` replaced by ``literal`` (NaN...)."""
    text = json.dumps(recipe_dict(optimizer={"kind": "adam", field: 12345.5}))
    return text_recipe(ws, text.replace("12345.5", literal))


# -- values the recipe refuses, or that fail the run ------------------------------------------

@case("recipe/nan-learning-rate", "lr", "NaN")
def _(ws):
    return with_text(ws, "lr", "NaN")


@case("recipe/infinite-learning-rate", "lr", "Infinity")
def _(ws):
    return with_text(ws, "lr", "Infinity")


@case("recipe/infinite-l2", "l2")
def _(ws):
    text = json.dumps(recipe_dict(regularization={"l2": 12345.5}))
    return text_recipe(ws, text.replace("12345.5", "Infinity"))


@case("recipe/huge-learning-rate", "learning rate", "1e+300", keeps_run=True)
def _(ws):
    return changed(ws, ("optimizer",), {"kind": "sgd", "lr": 1e300})


@case("recipe/huge-l2", "l2", "1e+308", keeps_run=True)
def _(ws):
    return changed(ws, ("regularization",), {"l2": 1e308})


@case("recipe/huge-l1", "l1", keeps_run=True)
def _(ws):
    return changed(ws, ("regularization",), {"l1": 1e308})


@case("recipe/epochs-negative", "epochs", "-5")
def _(ws):
    return changed(ws, ("training", "epochs"), -5)


@case("recipe/epochs-zero", "epochs")
def _(ws):
    return changed(ws, ("training", "epochs"), 0)


@case("recipe/epochs-huge", "epochs", "100000")
def _(ws):
    return changed(ws, ("training", "epochs"), 10**30)


@case("recipe/epochs-text", "epochs", "ten")
def _(ws):
    return changed(ws, ("training", "epochs"), "ten")


@case("recipe/epochs-fraction", "epochs", "2.5")
def _(ws):
    return changed(ws, ("training", "epochs"), 2.5)


@case("recipe/epochs-list", "epochs")
def _(ws):
    return changed(ws, ("training", "epochs"), [10])


@case("recipe/batch-size-zero", "batch_size")
def _(ws):
    return changed(ws, ("training", "batch_size"), 0)


@case("recipe/seed-negative", "seed")
def _(ws):
    return changed(ws, ("training", "seed"), -1)


@case("recipe/seed-huge", "seed")
def _(ws):
    return changed(ws, ("training", "seed"), 2**70)


@case("recipe/data-seed-huge", "seed")
def _(ws):
    return changed(ws, ("data", "seed"), 2**70)


@case("recipe/unknown-top-field", "epocs")
def _(ws):
    return changed(ws, ("epocs",), 10)


@case("recipe/unknown-training-field", "epoch")
def _(ws):
    return changed(ws, ("training", "epoch"), 10)


@case("recipe/unknown-block-field", "unit", "block 1")
def _(ws):
    return changed(ws, ("model",), [{"kind": "dense", "unit": 8}])


@case("recipe/schema-version-2", "schema_version")
def _(ws):
    return changed(ws, ("schema_version",), 2)


@case("recipe/name-empty", "name")
def _(ws):
    return changed(ws, ("name",), "")


@case("recipe/name-10mb", "name", "characters")
def _(ws):
    return changed(ws, ("name",), "n" * 10_000_000)


@case("recipe/name-number", "name")
def _(ws):
    return changed(ws, ("name",), 42)


@case("recipe/model-object-not-list", "model", "list")
def _(ws):
    return changed(ws, ("model",), {"kind": "dense"})


@case("recipe/preprocessing-string", "preprocessing", "list")
def _(ws):
    return changed(ws, ("preprocessing",), "scale")


@case("recipe/data-list", "data")
def _(ws):
    return changed(ws, ("data",), ["builtin:iris"])


@case("recipe/training-null", "training")
def _(ws):
    return changed(ws, ("training",), None)


@case("recipe/name-deeply-nested-list", "name")
def _(ws):
    deep: Any = 1
    for _ in range(900):
        deep = [deep]
    return changed(ws, ("name",), deep)


@case("recipe/split-does-not-add-up", "add up to 1")
def _(ws):
    return changed(ws, ("data", "split"), {"train": 0.9, "val": 0.5, "test": 0.1})


@case("recipe/split-test-zero", "test")
def _(ws):
    return changed(ws, ("data", "split"), {"train": 0.8, "val": 0.2, "test": 0})


@case("recipe/task-typo", "clasification", "classification")
def _(ws):
    return changed(ws, ("data", "task"), "clasification")


@case("recipe/source-url", "source")
def _(ws):
    return changed(ws, ("data", "source"), "https://example.com/data.csv")


@case("recipe/source-unknown-builtin", "irises", "iris")
def _(ws):
    return changed(ws, ("data", "source"), "builtin:irises")


@case("recipe/builtin-wrong-target", "species")
def _(ws):
    return changed(ws, ("data", "target"), "petal")


@case("recipe/csv-option-unknown", "separator")
def _(ws):
    ws.good_csv()
    raw = recipe_dict("csv:data.csv", "label")
    raw["data"]["options"] = {"separator": ";"}
    return train_argv(ws.write_json("recipe.json", raw))


@case("recipe/csv-option-negative-size", "max_mb")
def _(ws):
    ws.good_csv()
    raw = recipe_dict("csv:data.csv", "label")
    raw["data"]["options"] = {"max_mb": -1}
    return train_argv(ws.write_json("recipe.json", raw))


@case("recipe/synthetic-too-many-samples", "n_samples")
def _(ws):
    raw = recipe_dict("builtin:moons")
    raw["data"]["options"] = {"n_samples": 10**9}
    return train_argv(ws.write_json("recipe.json", raw))


@case("recipe/label-smoothing-one", "label_smoothing")
def _(ws):
    return changed(ws, ("regularization", "label_smoothing"), 1.0)


@case("recipe/early-stopping-patience-zero", "patience")
def _(ws):
    return changed(ws, ("regularization", "early_stopping"), {"patience": 0})


@case("recipe/device-unknown", "device", "tpu")
def _(ws):
    return changed(ws, ("training", "device"), "tpu")


@case("recipe/features-unknown-on-a-wide-builtin", "features", "pixel_0_0")
def _(ws):
    """breast_cancer has 30 feature columns: the sentence cannot list them all."""
    return changed(ws, ("data",), {"source": "builtin:breast_cancer", "features": ["pixel_0_0"]})


@case("recipe/device-not-on-this-machine", "training.device", "mps")
def _(ws):
    """Apple's GPU: never there on Linux; skipped where it is."""
    import pytest
    import torch

    if torch.backends.mps.is_available():
        pytest.skip("this machine has an MPS device")
    return changed(ws, ("training", "device"), "mps")
