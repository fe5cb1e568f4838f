"""One trial: train its recipe into a normal run directory, report each epoch to Optuna, stop if pruned.

:func:`run_trial` runs in a worker process (a local pool's, or a Ray Tune actor's). It opens the
study in the shared storage, reports every epoch's validation metric to the trial, asks the pruner,
and stops the run when the trial is pruned (the run is saved as ``stopped``, with a message that
says it was pruned). It sets the trial's user attributes (run_dir, run_status, message, seconds,
epochs); telling the trial's final state is the caller's job.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, replace
from typing import Any

import optuna

from studio.data.access import DataAccess
from studio.errors import StudioError
from studio.recipe import Recipe
from studio.runs import RunDir
from studio.status import RunStatus
from studio.sweeps.study import PrunerSpec, load_study
from studio.train.callbacks import Callback
from studio.train.events import EpochEnd, Event

log = logging.getLogger(__name__)
REPORTS = 10  # reports to the study per trial, about


@dataclass(frozen=True)
class TrialTask:
    """Everything a worker needs, as plain picklable data."""

    storage_url: str
    trial_id: int
    number: int
    recipe: dict[str, Any]
    runs_root: str
    access: DataAccess
    pruner: PrunerSpec


@dataclass(frozen=True)
class TrialOutcome:
    number: int
    status: str  # a RunStatus value, "pruned", or "failed"
    value: float | None  # the kept weights' validation metric (None when pruned or failed)
    run_dir: str | None
    message: str
    seconds: float
    pruned: bool = False


class PruneOnEpoch(Callback):
    """Reports the validation metric to the trial every ``every`` epochs; the Trainer's control, which
    says stop once the pruner prunes the trial or ``should_stop()`` (the sweep was stopped) is true.

    A report is a database transaction and the pruner reads every trial, tens of milliseconds on a
    busy disk: a trial reports about :data:`REPORTS` times, at the same epochs as every other trial
    of the same length (a median is taken over the trials that reported at that epoch)."""

    def __init__(self, trial: Any, epochs: int, should_stop: Any = None, prunes: bool = True) -> None:
        self.trial, self.should_stop, self.prunes = trial, should_stop, prunes
        self.every = max(1, math.ceil(epochs / REPORTS))
        self.pruned_at: int | None = None
        self.last: float | None = None
        self.metric = ""

    def on_event(self, event: Event) -> None:
        if not isinstance(event, EpochEnd) or self.pruned_at is not None:
            return
        self.metric = event.metric_name
        value = event.val_metric
        if value is None or not math.isfinite(value):
            return
        self.last = value
        if event.epoch % self.every:
            return
        self.trial.report(value, event.epoch)
        if self.prunes and self.trial.should_prune():
            self.pruned_at = event.epoch

    def checkpoint(self) -> bool:
        return self.pruned_at is None and not (self.should_stop is not None and self.should_stop())


_PREPARED: dict[str, Any] = {}  # this worker's data, by data + preprocessing: trials that search the
# model or the optimizer reuse it instead of loading and fitting again


def _prepared(recipe: Recipe, access: DataAccess) -> Any:
    from studio.pipeline import prepare

    key = repr((recipe.to_dict()["data"], recipe.to_dict()["preprocessing"], access))
    if key not in _PREPARED:
        _PREPARED.clear()
        _PREPARED[key] = prepare(recipe, access)
    return replace(_PREPARED[key], recipe=recipe)


def run_trial(task: TrialTask, should_stop: Any = None, on_epoch: Any = None) -> TrialOutcome:
    """Train the trial's recipe; a refusal or a failure is an outcome, never an exception.

    ``on_epoch(event)``: told each EpochEnd after the pruner (the Ray path reports to Tune there).
    """
    from studio.pipeline import train_recipe

    started = time.monotonic()
    study = load_study(task.storage_url, task.pruner)
    trial = optuna.Trial(study, task.trial_id)
    run_dir: list[str] = []

    def on_run_dir(path: Any) -> None:
        run_dir.append(str(path))
        trial.set_user_attr("run_dir", str(path))

    callbacks: list[Callback] = []
    if on_epoch is not None:
        from studio.train.callbacks import Relay

        callbacks.append(Relay(lambda e: on_epoch(e) if isinstance(e, EpochEnd) else None))
    try:
        recipe = Recipe.from_dict(task.recipe)
        pruning = PruneOnEpoch(trial, recipe.training.epochs, should_stop, prunes=task.pruner.kind != "none")
        callbacks.insert(0, pruning)
        prepared = _prepared(recipe, task.access)
        result = train_recipe(recipe, runs_root=task.runs_root, callbacks=callbacks, control=pruning,
                              on_run_dir=on_run_dir, prepared=prepared, access=task.access)
    except StudioError as err:
        return _finish(trial, task, "failed", None, run_dir, str(err), started)
    except Exception as err:  # a bug: the sweep goes on, the trial says what happened
        log.exception("trial %d failed", task.number)
        return _finish(trial, task, "failed", None, run_dir, f"unexpected error: {type(err).__name__}: {err}",
                       started)
    summary = result.summary
    if pruning.pruned_at is not None and result.status == RunStatus.STOPPED:
        summary.message = (f"pruned by the sweep after epoch {pruning.pruned_at}: val {pruning.metric} "
                           f"{pruning.last:.4g} was behind the other trials")
        summary.extra["sweep"] = {"trial": task.number, "pruned_at": pruning.pruned_at}
        RunDir(result.run_dir).write_summary(summary)
        trial.set_user_attr("pruned_at", pruning.pruned_at)
        return _finish(trial, task, "pruned", pruning.last, run_dir, summary.message, started, summary.epochs_run,
                       pruned=True)
    value = (summary.metrics.get("val") or {}).get(summary.primary_metric)
    value = float(value) if isinstance(value, int | float) and math.isfinite(value) else None
    return _finish(trial, task, str(result.status), value, run_dir, summary.message, started, summary.epochs_run)


def _finish(trial: Any, task: TrialTask, status: str, value: float | None, run_dir: list[str], message: str,
            started: float, epochs: int = 0, pruned: bool = False) -> TrialOutcome:
    seconds = round(time.monotonic() - started, 3)
    for key, v in (("run_status", status), ("message", message[:500]), ("seconds", seconds), ("epochs", epochs)):
        trial.set_user_attr(key, v)
    return TrialOutcome(task.number, status, value, run_dir[0] if run_dir else None, message, seconds, pruned)
