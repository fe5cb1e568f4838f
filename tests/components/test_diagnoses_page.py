"""Diagnoses in the app: a run whose history overfits shows the sentence on Evaluate, and its button
makes that run's recipe, with dropout added, the draft."""

from __future__ import annotations

import pytest

from studio.recipe import Recipe
from studio.runs import RunDir, RunSummary
from studio.status import RunStatus
from tests.components.helpers import by_key, clean, recipe, texts

VAL = [0.6, 0.5, 0.42, 0.36, 0.33, 0.31, 0.30, 0.305, 0.31, 0.33, 0.35, 0.37, 0.40, 0.43, 0.45]


@pytest.fixture
def overfit_run(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(root))
    monkeypatch.setenv("STUDIO_SHARED_RUNS", "1")
    made = Recipe.from_dict({"name": "overfits", "data": {"source": "builtin:moons"},
                             "model": [{"kind": "dense", "units": 64}, {"kind": "activation"}],
                             "optimizer": {"kind": "adam", "lr": 0.01}})
    run = RunDir.create(root, made)
    run.write_metrics([{"epoch": i + 1, "train_loss": 0.6 * 0.85**i, "val_loss": v, "train_metric": 0.9,
                        "val_metric": 0.8, "lr": 0.01, "seconds": 0.1} for i, v in enumerate(VAL)])
    run.write_summary(RunSummary(status=RunStatus.COMPLETED, name="overfits", task="classification",
                                 primary_metric="accuracy", epochs_run=len(VAL),
                                 extra={"baseline_loss": 0.693, "class_counts": {"a": 60, "b": 60}}))
    return run


def test_overfitting_run_is_diagnosed_and_its_button_changes_the_draft(at, overfit_run):
    at.switch_page("app_pages/evaluate.py").run()
    clean(at)
    assert "Overfitting since epoch 7" in texts(at.warning)
    button = by_key(at.button, "diagnose.evaluate.overfitting")
    assert button.label == "Apply: add dropout (p = 0.2) after each activation"
    assert recipe(at).name != "overfits"  # the draft is the default preset until the button
    button.click().run()
    clean(at)
    draft = recipe(at)
    assert [b["kind"] for b in draft.model] == ["dense", "activation", "dropout"]
    assert draft.name == "overfits" and draft.optimizer["lr"] == 0.01  # that run's recipe, with the change
    assert "Applied to the draft: add dropout" in texts(at.success)
