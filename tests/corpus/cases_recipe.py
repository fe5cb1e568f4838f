"""Recipe files a person might write: not JSON, wrong shapes and types, unknown fields, absurd numbers."""

from __future__ import annotations

import json
from typing import Any

from tests.corpus.corpus import DATA_BRANCH, case, train_argv
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


# -- not a JSON object -------------------------------------------------------------------------------

@case("recipe/empty-file", "recipe.json", "JSON")
def _(ws):
    return text_recipe(ws, b"")


@case("recipe/not-json", "recipe.json", "JSON")
def _(ws):
    return text_recipe(ws, "name: my recipe\nepochs: 10\n")


@case("recipe/truncated-json", "recipe.json", "JSON")
def _(ws):
    return text_recipe(ws, json.dumps(recipe_dict())[:-20])


@case("recipe/trailing-comma", "recipe.json", "JSON")
def _(ws):
    return text_recipe(ws, json.dumps(recipe_dict()).replace('"corpus"', '"corpus",,'))


@case("recipe/array", "JSON object", "array")
def _(ws):
    return text_recipe(ws, json.dumps([recipe_dict()]))


@case("recipe/string", "JSON object")
def _(ws):
    return text_recipe(ws, '"iris-mlp"')


@case("recipe/null", "JSON object", "null")
def _(ws):
    return text_recipe(ws, "null")


@case("recipe/deeply-nested-list", "recipe.json", "nested")
def _(ws):
    return text_recipe(ws, "[" * 100_000 + "]" * 100_000)


@case("recipe/deeply-nested-field", "recipe.json", "nested")
def _(ws):
    inner = '{"a": ' * 50_000 + "1" + "}" * 50_000
    return text_recipe(ws, json.dumps(recipe_dict()).replace('"corpus"', inner))


@case("recipe/nested-options-too-deep", "options")
def _(ws):
    deep: Any = 1
    for _ in range(600):  # parses, but no option is that deep: said, not a RecursionError later
        deep = {"a": deep}
    return changed(ws, ("data", "options"), deep)


@case("recipe/binary", "recipe.json")
def _(ws):
    return text_recipe(ws, bytes(range(256)) * 4)


@case("recipe/utf16", "recipe.json", "UTF-8")
def _(ws):
    return text_recipe(ws, json.dumps(recipe_dict()).encode("utf-16"))


@case("recipe/latin1-accent", "recipe.json", "UTF-8")
def _(ws):
    return text_recipe(ws, json.dumps(recipe_dict(name="modèle"), ensure_ascii=False).encode("latin-1"))


@case("recipe/folder", "recipes", "folder")
def _(ws):
    (ws.cwd / "recipes").mkdir()
    return train_argv("recipes")


@case("recipe/no-such-preset", "neither a file nor a preset", "iris-mlp")
def _(ws):
    return train_argv("iris-mpl")


# -- JSON that is not a valid recipe -----------------------------------------------------------------

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


@case("recipe/block-not-object", "block 2")
def _(ws):
    return changed(ws, ("model",), [{"kind": "dense"}, "relu"])


@case("recipe/block-without-kind", "kind", "block 1")
def _(ws):
    return changed(ws, ("model",), [{"units": 8}])


@case("recipe/block-unknown-kind", "hyperdense", "dense")
def _(ws):
    return changed(ws, ("model",), [{"kind": "hyperdense"}])


@case("recipe/block-kind-not-text", "kind")
def _(ws):
    return changed(ws, ("model",), [{"kind": ["dense"]}])


@case("recipe/dense-units-zero", "units")
def _(ws):
    return changed(ws, ("model",), [{"kind": "dense", "units": 0}])


@case("recipe/dense-units-huge", "units")
def _(ws):
    return changed(ws, ("model",), [{"kind": "dense", "units": 10**20}])


@case("recipe/dropout-above-one", "p")
def _(ws):
    return changed(ws, ("model",), [{"kind": "dropout", "p": 1.5}])


@case("recipe/conv-on-a-table", "conv2d")
def _(ws):
    return changed(ws, ("model",), [{"kind": "conv2d", "filters": 4}])


@case("recipe/pool-on-a-table", "block 1")
def _(ws):
    return changed(ws, ("model",), [{"kind": "maxpool2d"}])


@case("recipe/reshape-wrong-size", "reshape")
def _(ws):
    return changed(ws, ("model",), [{"kind": "reshape", "shape": [3, 5, 5]}])


@case("recipe/residual-changes-rank", "residual")
def _(ws):
    return changed(ws, ("model",), [{"kind": "reshape", "shape": [1, 2, 2]},
                                    {"kind": "residual", "blocks": [{"kind": "flatten"}]}])


@case("recipe/residual-empty", "blocks")
def _(ws):
    return changed(ws, ("model",), [{"kind": "residual", "blocks": []}])


@case("recipe/residual-nested-too-deep", "model block 1", "nested")
def _(ws):
    deep: Any = {"kind": "dense", "units": 4}
    for _ in range(300):
        deep = {"kind": "residual", "blocks": [deep]}
    return changed(ws, ("model",), [deep])


@case("recipe/name-deeply-nested-list", "name")
def _(ws):
    deep: Any = 1
    for _ in range(900):
        deep = [deep]
    return changed(ws, ("name",), deep)


@case("recipe/residual-nested-bad", "inner block 1", "unit")
def _(ws):
    return changed(ws, ("model",), [{"kind": "residual", "blocks": [
        {"kind": "residual", "blocks": [{"kind": "dense", "unit": 3}]}]}])


@case("recipe/step-unknown", "magic")
def _(ws):
    return changed(ws, ("preprocessing",), [{"kind": "magic"}])


@case("recipe/pca-too-many-components", "pca")
def _(ws):
    return changed(ws, ("preprocessing",), [{"kind": "pca", "n_components": 50}])


@case("recipe/optimizer-string", "optimizer")
def _(ws):
    return changed(ws, ("optimizer",), "adam")


@case("recipe/optimizer-unknown", "adamw2")
def _(ws):
    return changed(ws, ("optimizer",), {"kind": "adamw2"})


@case("recipe/optimizer-negative-lr", "lr")
def _(ws):
    return changed(ws, ("optimizer",), {"kind": "adam", "lr": -0.1})


@case("recipe/schedule-bad-gamma", "gamma")
def _(ws):
    return changed(ws, ("schedule",), {"kind": "step", "gamma": 2})


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


@case("recipe/batchnorm-with-batch-size-1", "batch_size", "batchnorm")
def _(ws):
    raw = recipe_dict(model=[{"kind": "dense", "units": 8}, {"kind": "batchnorm"}])
    raw["training"]["batch_size"] = 1
    return train_argv(ws.write_json("recipe.json", raw))


@case("recipe/features-unknown-on-a-wide-builtin", "features", "pixel_0_0", xfail=DATA_BRANCH)
def _(ws):
    """digits has 64 feature columns: the sentence cannot list them all."""
    return changed(ws, ("data",), {"source": "builtin:digits", "features": ["pixel_0_0"]})


@case("recipe/device-not-on-this-machine", "training.device", "mps")
def _(ws):
    """Apple's GPU: never there on Linux; skipped where it is."""
    import pytest
    import torch

    if torch.backends.mps.is_available():
        pytest.skip("this machine has an MPS device")
    return changed(ws, ("training", "device"), "mps")


@case("recipe/loss-does-not-fit-the-task", "training.loss", "mse", "classification")
def _(ws):
    return changed(ws, ("training", "loss"), "mse")
