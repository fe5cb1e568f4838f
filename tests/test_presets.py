"""Every preset reaches its mark on its test split, on the CPU, in seconds."""

from __future__ import annotations

import pytest

from studio.pipeline import train_recipe
from studio.recipe import Recipe
from tests.conftest import preset_dict

MARKS = {
    "iris-mlp": ("accuracy", 0.93),
    "wine-mlp": ("accuracy", 0.94),
    "breast-cancer-mlp": ("accuracy", 0.95),
    "digits-cnn": ("accuracy", 0.96),
    "diabetes-regression": ("r2", 0.40),
    "moons-playground": ("accuracy", 0.95),
}


@pytest.mark.parametrize("name", list(MARKS))
def test_preset_reaches_its_mark(name, runs_root) -> None:
    recipe = Recipe.from_dict({**preset_dict(name), "training": {**preset_dict(name)["training"], "device": "cpu"}})
    result = train_recipe(recipe, runs_root=runs_root)
    metric, mark = MARKS[name]
    assert result.status in ("completed", "early_stopped")
    assert result.summary.metrics["test"][metric] >= mark, result.summary.metrics["test"]
