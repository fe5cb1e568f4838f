"""Simple models on the same split: scored with the run's metric, saved, and said against the network."""

from __future__ import annotations

import pytest

from studio.cli import main
from studio.pipeline import prepare
from studio.recipe import Recipe
from studio.train.baselines import baseline_scores, describe, read_baselines, save_baselines


def test_baselines_score_the_same_test_rows() -> None:
    prepared = prepare(Recipe.from_dict({"data": {"source": "builtin:iris"}}))
    scores = baseline_scores(prepared)
    assert set(scores) == {"logistic regression", "gradient boosting"}
    assert all(0.85 <= v <= 1.0 for v in scores.values())
    regression = baseline_scores(prepare(Recipe.from_dict({"data": {"source": "builtin:diabetes"}})))
    assert set(regression) == {"ridge regression", "gradient boosting"} and regression["ridge regression"] > 0.1


def test_no_baseline_for_pictures() -> None:
    prepared = prepare(Recipe.from_dict({"data": {"source": "builtin:digits"}}))
    assert baseline_scores(prepared) is None


def test_saved_and_described(tmp_path) -> None:
    save_baselines(tmp_path, {"logistic regression": 0.9, "gradient boosting": 0.95})
    scores = read_baselines(tmp_path)
    assert describe(scores, "accuracy", 0.97).endswith("the network beats them by 0.0200")
    assert "gradient boosting beats the network by 0.0500" in describe(scores, "accuracy", 0.90)
    (tmp_path / "baselines.json").write_text("{not json")
    assert read_baselines(tmp_path) is None


@pytest.mark.parametrize("quiet", [False, True])
def test_studio_train_prints_them(tmp_path, capsys, quiet) -> None:
    args = ["train", "iris-mlp", "--out", str(tmp_path)] + (["--quiet"] if quiet else [])
    assert main(args) == 0
    out = capsys.readouterr().out
    assert ("baselines (test accuracy): logistic regression" in out) is not quiet
