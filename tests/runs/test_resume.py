"""Continuing a run: 5 epochs, then 5 more, is 10 epochs in one go (CPU), and the new run is linked."""

from __future__ import annotations

import json

import pytest
import torch

from studio.cli import main
from studio.errors import RunError
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.runs import RunDir
from studio.runs.resume import plan_resume
from studio.train.callbacks import Callback
from studio.train.events import EpochEnd


def _recipe(epochs: int, schedule: dict | None = None) -> Recipe:
    return Recipe.from_dict({
        "name": "resume", "data": {"source": "builtin:iris"},
        "model": [{"kind": "dense", "units": 16}, {"kind": "activation", "fn": "relu"},
                  {"kind": "dropout", "p": 0.2}],
        "optimizer": {"kind": "adam", "lr": 0.01},
        "schedule": schedule or {"kind": "constant"},
        "regularization": {"early_stopping": {"patience": 50, "monitor": "val_loss"}},
        "training": {"epochs": epochs, "batch_size": 16, "seed": 3, "device": "cpu"},
    })


class StopAfter(Callback):
    """The Trainer's control: stop when the next epoch begins, once ``epochs`` epochs have ended."""

    def __init__(self, epochs: int) -> None:
        self.epochs, self.ended = epochs, 0

    def on_event(self, event) -> None:
        if isinstance(event, EpochEnd):
            self.ended += 1

    def checkpoint(self) -> bool:
        return self.ended < self.epochs


def _same_weights(a: RunDir, b: RunDir) -> None:
    wa, wb = a.read_weights(), b.read_weights()
    assert wa.keys() == wb.keys()
    for k in wa:
        assert torch.equal(wa[k], wb[k]), k


def test_five_then_five_more_is_ten_in_one_go(runs_root) -> None:
    whole = train_recipe(_recipe(10), runs_root=runs_root)
    first = train_recipe(_recipe(5), runs_root=runs_root)
    plan = plan_resume(first.run_dir, more=5)
    assert plan.recipe.training.epochs == 10 and plan.epoch == 5
    second = train_recipe(plan.recipe, runs_root=runs_root, resume=plan)
    _same_weights(whole.run, second.run)
    assert second.summary.metrics == whole.summary.metrics
    assert second.summary.best_epoch == whole.summary.best_epoch
    assert second.run.history()["epoch"].tolist() == list(range(1, 11))  # the joined curve
    assert second.run.history().equals(whole.run.history().assign(seconds=second.run.history()["seconds"]))
    written = json.loads((second.run_dir / RunDir.SUMMARY).read_text())
    assert written["parent"] == first.run.id and written["resumed_from_epoch"] == 5


def test_a_stopped_cosine_run_goes_on_exactly(runs_root) -> None:
    cosine = {"kind": "cosine", "warmup_epochs": 1}
    whole = train_recipe(_recipe(10, cosine), runs_root=runs_root)
    stop = StopAfter(4)
    stopped = train_recipe(_recipe(10, cosine), runs_root=runs_root, callbacks=[stop], control=stop)
    assert stopped.status == "stopped" and stopped.summary.checkpoint_epoch == 4
    plan = plan_resume(stopped.run_dir)  # no --epochs: up to the recipe's own 10
    assert plan.recipe.training.epochs == 10
    resumed = train_recipe(plan.recipe, runs_root=runs_root, resume=plan)
    _same_weights(whole.run, resumed.run)
    assert resumed.summary.metrics == whole.summary.metrics


def test_a_run_that_trained_all_its_epochs_needs_more(runs_root) -> None:
    done = train_recipe(_recipe(2), runs_root=runs_root)
    with pytest.raises(RunError, match="already trained all 2 of its epochs"):
        plan_resume(done.run_dir)
    with pytest.raises(RunError, match="between 1 and"):
        plan_resume(done.run_dir, more=0)


def test_runs_that_cannot_go_on_say_why(runs_root, tmp_path) -> None:
    done = train_recipe(_recipe(2), runs_root=runs_root)
    (done.run_dir / RunDir.CHECKPOINT).unlink()
    with pytest.raises(RunError, match="no checkpoint"):
        plan_resume(done.run_dir, more=1)
    summary = json.loads((done.run_dir / RunDir.SUMMARY).read_text())
    (done.run_dir / RunDir.SUMMARY).write_text(json.dumps({**summary, "status": "failed", "message": "NaN"}))
    with pytest.raises(RunError, match="failed"):
        plan_resume(done.run_dir, more=1)
    with pytest.raises(RunError):
        plan_resume(tmp_path / "nothing", more=1)


def test_cli_resume(runs_root, capsys) -> None:
    first = train_recipe(_recipe(2), runs_root=runs_root)
    assert main(["train", "--resume", str(first.run_dir), "--epochs", "2", "--out", str(runs_root), "--quiet"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    child = RunDir.open(out[-1])
    assert child.history()["epoch"].tolist() == [1, 2, 3, 4]
    assert child.summary().extra["parent"] == first.run.id
    assert main(["train", "--resume", str(first.run_dir), "--out", str(runs_root)]) == 2
    assert "already trained all 2" in capsys.readouterr().err
    assert main(["train", "iris-mlp", "--resume", str(first.run_dir)]) == 2
    assert main(["train", "iris-mlp", "--epochs", "3"]) == 2
    assert main(["train"]) == 2
