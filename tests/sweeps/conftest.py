"""A tiny recipe to sweep (iris, a few epochs) and helpers to write a space and run `studio sweep`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.cli import main
from tests.conftest import preset_dict


def tiny_recipe(epochs: int = 2) -> dict:
    raw = preset_dict("iris-mlp")
    raw["training"]["epochs"] = epochs
    raw["training"]["threads"] = 1
    return raw


@pytest.fixture
def recipe_file(tmp_path: Path) -> Path:
    path = tmp_path / "recipe.json"
    path.write_text(json.dumps(tiny_recipe()), encoding="utf-8")
    return path


def space_file(tmp_path: Path, space: object, name: str = "space.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(space), encoding="utf-8")
    return path


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


SPACE = {"optimizer.lr": {"log_uniform": [1e-3, 1e-1]}, "model.0.units": {"choice": [8, 16, 32]}}
