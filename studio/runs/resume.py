"""Continuing a run: a new run that starts from another's last checkpoint, linked to it.

The new run trains the parent's recipe (the same data, split and model) with its epochs raised by
``more`` (or, without it, up to the parent's own plan), from the parent's checkpoint: weights,
optimizer, schedule, gradient scaler, RNG, best epoch and early stopping. On the CPU, 5 epochs
and then 5 more give the same weights and metrics as 10 in one go (tests/runs/test_resume.py), and
so does a run stopped between epochs; one stopped inside an epoch saved weights past that epoch's
end (``partial``), and goes on from them (its ``notes`` say so).
Its metrics.csv holds the parent's epochs up to the checkpoint, then its own: the joined curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.errors import RunError
from studio.recipe import Recipe
from studio.runs.rundir import RunDir
from studio.status import RunStatus

MAX_EPOCHS = 10_000


@dataclass
class ResumePlan:
    """What a continued run needs: the parent, its checkpoint, the recipe to train and past epochs."""

    parent: RunDir
    state: dict[str, Any]
    recipe: Recipe
    history: list[dict[str, Any]]

    @property
    def epoch(self) -> int:
        return int(self.state["epoch"])

    @property
    def notes(self) -> list[str]:
        if not self.state.get("partial"):
            return []
        return [f"run {self.parent.id} was stopped during epoch {self.epoch + 1}: that epoch is trained again in full "
                "from the weights it had reached, so this run is not exactly the uninterrupted one"]

    def lineage(self) -> dict[str, Any]:
        """What the new run's summary.json says of where it came from."""
        return {"parent": self.parent.id, "resumed_from_epoch": self.epoch}


def plan_resume(run_path: str | Path, more: int | None = None) -> ResumePlan:
    """The plan to continue the run at ``run_path`` for ``more`` epochs (None: up to its recipe's epochs).

    Raises:
        RunError: the run is still training, failed, has no checkpoint, or has nothing left to train.
    """
    parent = RunDir.open(run_path)
    summary = parent.summary()
    if summary.status.active:
        raise RunError(f"run {parent.id!r} is still {summary.status}; stop it (or wait for it) before continuing it")
    if summary.status == RunStatus.FAILED:
        raise RunError(f"run {parent.id!r} failed ({summary.message[:120]}); fix the recipe and train it again "
                       "instead of continuing it")
    state = parent.read_checkpoint()
    if state is None:
        raise RunError(f"run {parent.id!r} has no checkpoint to continue from (it ended before its first one "
                       "was written); train it again")
    recipe = parent.read_recipe()
    done = int(state["epoch"])
    if more is not None and not 1 <= more <= MAX_EPOCHS:
        raise RunError(f"--epochs must be between 1 and {MAX_EPOCHS} more epochs, got {more}")
    total = done + more if more is not None else recipe.training.epochs
    if total <= done:
        raise RunError(f"run {parent.id!r} already trained all {done} of its epochs; ask for more, e.g. "
                       "--epochs 5 (on the CLI) or 'More epochs' (in the app)")
    recipe = Recipe.from_dict({**recipe.to_dict(), "training": {**recipe.training.model_dump(), "epochs": total}})
    rows = parent.history()
    history = [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
               for row in rows.to_dict("records") if int(row["epoch"]) <= done] if len(rows) else []
    return ResumePlan(parent, state, recipe, history)
