"""Small seeded runs to explain: a table whose label depends on one number and one category only,
with a pure-noise number and a date beside them; the same table as a regression; tiny digits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from studio.pipeline import train_recipe
from studio.recipe import Recipe

TINY_CNN = [{"kind": "conv2d", "filters": 4, "kernel_size": 3, "padding": "same"}, {"kind": "activation", "fn": "relu"},
            {"kind": "maxpool2d", "kernel_size": 2}, {"kind": "flatten"}]
MODEL = [{"kind": "dense", "units": 32}, {"kind": "activation", "fn": "relu"}]


def signal_csv(path: Path, n: int = 500, seed: int = 0) -> Path:
    """``label`` is "yes" when ``signal`` + 1.5 for a red ``colour`` is above 0.3; ``noise`` and ``when``
    (a date) are drawn independently of it."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(0, 1, n)
    noise = rng.normal(0, 1, n)
    colour = rng.choice(["red", "blue", "green"], n)
    when = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    score = signal + np.where(colour == "red", 1.5, 0.0)
    frame = pd.DataFrame({"signal": signal.round(4), "noise": noise.round(4), "colour": colour,
                          "when": when.strftime("%Y-%m-%d"), "label": np.where(score > 0.3, "yes", "no"),
                          "value": (3 * score).round(4)})
    frame.to_csv(path, index=False)
    return path


def _train(root: Path, target: str, drop: str, epochs: int) -> Path:
    csv = signal_csv(root / "signal.csv")
    recipe = Recipe.from_dict({
        "name": f"signal-{target}", "data": {"source": f"csv:{csv}", "target": target, "columns": {drop: "ignore"},
                                               "seed": 0},
        "model": MODEL, "training": {"epochs": epochs, "batch_size": 32, "seed": 0},
        "optimizer": {"kind": "adam", "lr": 0.01},
    })
    return train_recipe(recipe, runs_root=root / "runs").run_dir


@pytest.fixture(scope="session")
def table_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory.mktemp("explain"), "label", "value", epochs=20)


@pytest.fixture(scope="session")
def regression_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory.mktemp("explain-reg"), "value", "label", epochs=20)


@pytest.fixture(scope="session")
def digits_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    recipe = Recipe.from_dict({"name": "tiny-digits", "data": {"source": "builtin:digits"}, "model": TINY_CNN,
                               "training": {"epochs": 2, "batch_size": 64, "seed": 0}})
    return train_recipe(recipe, runs_root=tmp_path_factory.mktemp("digits")).run_dir
