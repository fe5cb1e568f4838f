"""Recipes whose model blocks, preprocessing steps, optimizer or schedule cannot be built or trained."""

from __future__ import annotations

from typing import Any

from tests.corpus.cases_recipe import changed
from tests.corpus.corpus import case, train_argv
from tests.corpus.workspace import recipe_dict


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


@case("recipe/batchnorm-with-batch-size-1", "batch_size", "batchnorm")
def _(ws):
    raw = recipe_dict(model=[{"kind": "dense", "units": 8}, {"kind": "batchnorm"}])
    raw["training"]["batch_size"] = 1
    return train_argv(ws.write_json("recipe.json", raw))


@case("recipe/loss-does-not-fit-the-task", "training.loss", "mse", "classification")
def _(ws):
    return changed(ws, ("training", "loss"), "mse")
