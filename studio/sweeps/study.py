"""Optuna's side of a sweep: the study in SQLite, the sampler and pruner, what each trial became.

A trial's outcome lives in the study: its state and value, and user attributes set by the trial
itself (``run_dir``, ``run_status``, ``message``, ``seconds``, ``pruned_at``). The results table and
the best recipe are read from there, so a resumed sweep and the app see the same thing.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from studio.errors import StudioError
from studio.sweeps.folder import STUDY_NAME, SweepFolder

PRUNERS = ("median", "asha", "none")
SQLITE_TIMEOUT_S = 60  # seconds a writer waits for another process's lock on study.db

optuna.logging.set_verbosity(optuna.logging.WARNING)


@dataclass(frozen=True)
class PrunerSpec:
    """Which pruner, and how long it waits: ``startup_trials`` complete trials before any pruning,
    ``warmup_epochs`` epochs of each trial before it may be pruned."""

    kind: str = "median"
    startup_trials: int = 3
    warmup_epochs: int = 1

    def build(self) -> optuna.pruners.BasePruner:
        if self.kind == "median":
            return optuna.pruners.MedianPruner(n_startup_trials=self.startup_trials,
                                               n_warmup_steps=self.warmup_epochs)
        if self.kind == "asha":  # asynchronous successive halving: rungs at 1, 3, 9... epochs
            return optuna.pruners.SuccessiveHalvingPruner(min_resource=max(1, self.warmup_epochs),
                                                         reduction_factor=3)
        if self.kind == "none":
            return optuna.pruners.NopPruner()
        raise StudioError(f"pruner {self.kind!r} is not known; choose one of {', '.join(PRUNERS)}")


class _Connection(sqlite3.Connection):
    """SQLite in write-ahead-log mode, synced at checkpoints: a trial reports every epoch, and a fully
    synced commit costs tens of milliseconds on a busy disk. A crashed process loses nothing; a crashed
    machine may lose the last reports, never the file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA journal_mode=WAL")
        self.execute("PRAGMA synchronous=NORMAL")


def storage(url: str) -> optuna.storages.RDBStorage:
    """The study's SQLite storage; a writer waits for another process's lock instead of failing."""
    return optuna.storages.RDBStorage(
        url, engine_kwargs={"connect_args": {"timeout": SQLITE_TIMEOUT_S, "factory": _Connection}})


def open_study(folder: SweepFolder, direction: str, pruner: PrunerSpec, seed: int, parallel: int,
               trials: int) -> optuna.Study:
    """Create or load the folder's study, with a TPE sampler seeded by ``seed`` and the trials so far
    (a resumed sweep draws new points, not the first sweep's again)."""
    store = storage(folder.storage_url)
    study = optuna.create_study(storage=store, study_name=STUDY_NAME, direction=direction, load_if_exists=True)
    done = len(study.get_trials(deepcopy=False))
    study.sampler = optuna.samplers.TPESampler(seed=seed + done, n_startup_trials=max(2, min(10, trials // 3)),
                                               constant_liar=parallel > 1)
    study.pruner = pruner.build()
    return study


def load_study(url: str, pruner: PrunerSpec | None = None) -> optuna.Study:
    """The study as a trial (or a reader) sees it: no sampling happens there."""
    return optuna.load_study(study_name=STUDY_NAME, storage=storage(url),
                             sampler=optuna.samplers.RandomSampler(),
                             pruner=(pruner or PrunerSpec("none")).build())


def trial_handle(study: optuna.Study, frozen: FrozenTrial) -> optuna.Trial:
    """A live handle on a trial of the storage (to report, prune and set attributes from any process).

    Optuna keeps the storage's trial id private; the sweep hands it to the process that trains.
    """
    return optuna.Trial(study, trial_id(frozen))


def trial_id(frozen: FrozenTrial | optuna.Trial) -> int:
    return int(frozen._trial_id)


def status_of(t: FrozenTrial) -> str:
    """completed, early_stopped, pruned, failed, interrupted (will run again on resume), running, waiting."""
    attrs = t.user_attrs
    if t.state == TrialState.COMPLETE:
        return str(attrs.get("run_status") or "completed")
    if t.state == TrialState.PRUNED:
        return "pruned"
    if t.state == TrialState.FAIL:
        return "interrupted" if attrs.get("run_status") in (None, "stopped", "running") else "failed"
    return "waiting" if t.state == TrialState.WAITING else "running"


def finished_count(study: optuna.Study) -> int:
    """Trials that count towards --trials: completed, pruned or failed (not interrupted ones)."""
    return sum(1 for t in study.get_trials(deepcopy=False)
               if status_of(t) not in ("interrupted", "running", "waiting"))


def recover(study: optuna.Study) -> int:
    """After an interruption: end trials left running (their process is gone) and queue every
    interrupted trial's values again. Returns how many will run again."""
    trials = study.get_trials(deepcopy=False)
    for t in trials:
        if t.state == TrialState.RUNNING:
            study.tell(t.number, state=TrialState.FAIL, skip_if_finished=True)
    trials = study.get_trials(deepcopy=False)
    again = 0
    for t in trials:
        if status_of(t) != "interrupted":
            continue
        later = [u for u in trials if u.number > t.number and u.params == t.params]
        if not later:
            study.enqueue_trial(t.params)
            again += 1
    if again:
        logging.getLogger(__name__).info("%d interrupted trials queued again", again)
    return again


def trial_rows(study: optuna.Study) -> list[dict[str, Any]]:
    """One row per trial for results.csv and the app (waiting ones left out)."""
    rows = []
    for t in study.get_trials(deepcopy=False):
        if t.state == TrialState.WAITING:
            continue
        value = t.value if t.state == TrialState.COMPLETE else _last(t.intermediate_values)
        rows.append({"trial": t.number, "status": status_of(t), "value": value, "params": dict(t.params),
                     "run_dir": t.user_attrs.get("run_dir", ""), "seconds": t.user_attrs.get("seconds", ""),
                     "message": t.user_attrs.get("message", ""), "epochs": t.user_attrs.get("epochs", "")})
    return rows


def best_trial(study: optuna.Study) -> FrozenTrial | None:
    """The best completed trial (pruned, failed and unfinished ones never win), or None."""
    done = [t for t in study.get_trials(deepcopy=False)
            if t.state == TrialState.COMPLETE and t.value is not None and math.isfinite(t.value)]
    if not done:
        return None
    maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
    return (max if maximize else min)(done, key=lambda t: (t.value, -t.number))


def params_text(params: dict[str, Any]) -> str:
    """``optimizer.lr=0.00316, model.0.units=64`` for a line of output."""
    return ", ".join(f"{k}={_num(v)}" for k, v in params.items())


def _num(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float) else json.dumps(v)


def _last(values: dict[int, float]) -> float | None:
    return values[max(values)] if values else None
