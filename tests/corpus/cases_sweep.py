"""`studio sweep`: a space that names nothing or cannot be searched, counts out of range, Ray unreachable."""

from __future__ import annotations

from tests.corpus.corpus import case
from tests.corpus.workspace import recipe_dict

GOOD = {"optimizer.lr": {"log_uniform": [1e-3, 1e-1]}}


def _sweep(ws, space, *extra: str) -> list[str]:
    recipe = ws.write_json("recipe.json", recipe_dict())
    return ["sweep", str(recipe), "--space", str(ws.write_json("space.json", space)), "--trials", "2",
            "--out", str(ws.cwd / "sweep"), *extra]


@case("flags/sweep-field-that-does-not-exist", "optimizer.lrr", "no field")
def _(ws):
    return _sweep(ws, {"optimizer.lrr": {"log_uniform": [1e-3, 1e-1]}})


@case("flags/sweep-block-that-does-not-exist", "model.7.units", "2 items")
def _(ws):
    return _sweep(ws, {"model.7.units": {"choice": [8, 16]}})


@case("flags/sweep-empty-choice", "model.0.units", "non-empty")
def _(ws):
    return _sweep(ws, {"model.0.units": {"choice": []}})


@case("flags/sweep-log-uniform-zero", "log_uniform", "above 0")
def _(ws):
    return _sweep(ws, {"optimizer.lr": {"log_uniform": [0, 0.1]}})


@case("flags/sweep-low-above-high", "low", "high")
def _(ws):
    return _sweep(ws, {"optimizer.lr": {"uniform": [0.1, 0.01]}})


@case("flags/sweep-refused-value", "units", "refuses")
def _(ws):
    return _sweep(ws, {"model.0.units": {"choice": [0, 8]}})


@case("flags/sweep-empty-space", "space", "empty")
def _(ws):
    return _sweep(ws, {})


@case("flags/sweep-trials-0", "--trials", "at least 1")
def _(ws):
    return [*_sweep(ws, GOOD)[:-4], "--trials", "0", "--out", str(ws.cwd / "sweep")]


@case("flags/sweep-ray-unreachable", "ray", "127.0.0.1:9", "cannot reach")
def _(ws):
    return _sweep(ws, GOOD, "--ray", "127.0.0.1:9")
