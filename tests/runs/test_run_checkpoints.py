"""Checkpoints while training: the last state (weights, optimizer, schedule, RNG, early stopping) and the
best weights reach the run directory during the run, throttled to one write per interval."""

from __future__ import annotations

import torch

from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.runs import RunDir, load_run
from studio.runs import checkpoint as checkpoint_module


def _recipe(epochs: int = 6) -> Recipe:
    return Recipe.from_dict({
        "name": "ckpt", "data": {"source": "builtin:iris"},
        "model": [{"kind": "dense", "units": 8}, {"kind": "activation"}],
        "schedule": {"kind": "cosine"},
        "training": {"epochs": epochs, "batch_size": 16, "device": "cpu"},
        "regularization": {"early_stopping": {"patience": 50}},
    })


def test_a_finished_run_has_a_checkpoint_of_its_last_epoch(runs_root):
    result = train_recipe(_recipe(6), runs_root)
    run = RunDir(result.run_dir)
    state = run.read_checkpoint()
    assert state is not None and state["epoch"] == 6
    assert set(state) >= {"model", "optimizer", "schedule", "rng", "best", "early_stopping"}
    assert state["optimizer"]["state"], "Adam's moments are kept, so a resumed run goes on exactly"
    assert state["schedule"]["last_epoch"] == 6 * 7  # cosine steps per batch: 105 rows / 16 = 7 batches
    assert state["early_stopping"]["best_epoch"] >= 1
    assert isinstance(state["rng"]["torch"], torch.Tensor)
    assert run.read_summary().checkpoint_epoch == 6
    # the last weights are in the checkpoint; the kept (best) ones in model.safetensors, which export reads
    kept = load_run(run).model.state_dict()
    assert all(torch.equal(kept[k], v) for k, v in run.read_weights().items())


def test_checkpoints_are_written_during_training_not_only_at_the_end(runs_root, monkeypatch):
    saved: list[int] = []
    real = checkpoint_module.RunCheckpointer.save

    def spy(self, epoch, state, best):
        saved.append(epoch)
        on_disk = self.run.read_summary()
        assert on_disk.status == "running"
        return real(self, epoch, state, best)

    monkeypatch.setattr(checkpoint_module, "CHECKPOINT_SECONDS", 0.0)
    monkeypatch.setattr(checkpoint_module.RunCheckpointer, "save", spy)
    train_recipe(_recipe(4), runs_root)
    assert saved[:4] == [1, 2, 3, 4]


def test_fast_epochs_are_checkpointed_at_most_once_per_interval(runs_root, monkeypatch):
    saved: list[int] = []
    real = checkpoint_module.RunCheckpointer.save
    monkeypatch.setattr(checkpoint_module.RunCheckpointer, "save",
                        lambda self, epoch, state, best: (saved.append(epoch), real(self, epoch, state, best)))
    monkeypatch.setattr(checkpoint_module, "CHECKPOINT_SECONDS", 3600.0)  # no epoch ends an interval later
    train_recipe(_recipe(30), runs_root)
    assert saved == [30]  # only the final state
