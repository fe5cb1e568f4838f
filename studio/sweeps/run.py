"""Running a sweep: check everything first, then trials locally or on Ray, results after every trial.

``run_sweep(SweepSettings(...))`` is the one entry point (the CLI and the app call it). Before any
trial runs it checks the counts, the pruner, the space against the recipe (:func:`check_space`),
the data (loaded once, which also decides the metric), and for Ray that Ray is installed and the
cluster answers. A folder that already holds the same sweep is continued up to ``trials``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.data.access import DataAccess
from studio.errors import RecipeError, StudioError, TrainingError
from studio.recipe import Recipe
from studio.sweeps.apply import apply_params, check_space
from studio.sweeps.folder import SweepFolder, SweepSpec
from studio.sweeps.space import Space
from studio.sweeps.study import PRUNERS, PrunerSpec
from studio.sweeps.trial import TrialOutcome

MAX_TRIALS = 100_000
MAX_PARALLEL = 256
# the metric a trial is judged by (on the validation rows) and which way is better
DIRECTIONS = {"accuracy": "maximize", "r2": "maximize"}


@dataclass
class SweepSettings:
    """A sweep as a person asks for it. ``ray``: None (local processes), "local" (start a local Ray)
    or a cluster's address. ``enqueue``: values for the first trials (e.g. the draft's own)."""

    recipe: Recipe
    space: Space
    trials: int
    out: Path
    parallel: int = 1
    ray: str | None = None
    pruner: str = "median"
    seed: int = 0
    access: DataAccess = field(default_factory=DataAccess.cli)
    startup_trials: int = 3
    warmup_epochs: int = 1
    enqueue: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SweepResult:
    folder: Path
    metric: str
    direction: str
    target: int  # --trials
    ran: int  # trials that ended in this call
    resumed: bool
    counts: dict[str, int]  # status -> trials
    best: dict[str, Any] | None  # {"trial", "value", "params", "run_dir"}
    best_recipe: Path | None


@dataclass
class _Context:
    """What the trial runners need from the sweep (see studio.sweeps.local / ray_tune)."""

    recipe: Recipe
    space: Space
    folder: SweepFolder
    access: DataAccess
    pruner: PrunerSpec


def check_settings(s: SweepSettings) -> SweepSpec:
    """Every check that needs no trial; raises a StudioError with one sentence."""
    if not isinstance(s.trials, int) or not 1 <= s.trials <= MAX_TRIALS:
        raise StudioError(f"--trials must be a whole number from 1 to {MAX_TRIALS:,}, got {s.trials}")
    if not isinstance(s.parallel, int) or not 1 <= s.parallel <= MAX_PARALLEL:
        raise StudioError(f"--parallel must be a whole number from 1 to {MAX_PARALLEL}, got {s.parallel}")
    if s.pruner not in PRUNERS:
        raise StudioError(f"--pruner {s.pruner!r} is not known; choose one of {', '.join(PRUNERS)}")
    check_space(s.recipe, s.space)
    for i, values in enumerate(s.enqueue):
        try:
            apply_params(s.recipe, values)
        except RecipeError as err:
            raise StudioError(f"starting point {i + 1} is refused by the recipe: {err}") from None
    from studio.data import load_table

    task = load_table(s.recipe.data, s.access).task  # a missing file or bad column: said before any trial
    metric = "accuracy" if task == "classification" else "r2"
    return SweepSpec(s.recipe, s.space, metric, DIRECTIONS[metric])


def run_sweep(s: SweepSettings, on_trial: Callable[[dict[str, Any], int, int], None] | None = None,
              should_stop: Callable[[], bool] | None = None) -> SweepResult:
    """Run the sweep (or continue it) until ``trials`` trials ended or ``should_stop()``.

    ``on_trial(row, ended, target)`` after each trial, with the trial's row of results.csv.
    """
    spec = check_settings(s)
    ray_session = None
    if s.ray is not None:
        from studio.sweeps.ray_tune import connect

        ray_session = connect(s.ray, s.parallel, s.out)  # before any file is written: an unreachable address
    workers = None
    if s.ray is None:  # started now, so that their imports overlap opening the study
        from studio.sweeps.local import start_workers

        workers = start_workers(s.parallel)
    folder = SweepFolder(s.out)
    try:
        resumed = folder.prepare(spec)
        from studio.sweeps import study as st

        pruner = PrunerSpec(s.pruner, s.startup_trials, s.warmup_epochs)
        study = st.open_study(folder, spec.direction, pruner, s.seed, s.parallel, s.trials)
        st.recover(study)
        if not resumed:
            for values in s.enqueue:
                study.enqueue_trial(values)
        todo = max(0, s.trials - st.finished_count(study))
        ctx = _Context(s.recipe, s.space, folder, s.access, pruner)
        lock = threading.Lock()
        ran = [0]

        def on_outcome(outcome: TrialOutcome) -> None:
            with lock:
                ran[0] += 1
                rows = _write(folder, study, spec)
                if on_trial is not None:
                    row = next((r for r in rows if r["trial"] == outcome.number), None)
                    if row is not None:
                        on_trial(row, st.finished_count(study), s.trials)

        stop = should_stop or (lambda: False)
        if todo and workers is not None:
            from studio.sweeps.local import run_local

            run_local(study, ctx, todo, workers, on_outcome, stop)
        elif todo:
            from studio.sweeps.ray_tune import run_ray

            run_ray(study, ctx, todo, s.parallel, on_outcome, s.seed, ray_session)
        _write(folder, study, spec)
        return _result(folder, study, spec, s.trials, ran[0], resumed)
    finally:
        if workers is not None:
            workers.close()
        if ray_session is not None:
            ray_session.close()


def _write(folder: SweepFolder, study: Any, spec: SweepSpec) -> list[dict[str, Any]]:
    """results.csv and best_recipe.json as the study now stands."""
    from studio.sweeps import study as st

    rows = st.trial_rows(study)
    folder.write_results(rows)
    best = st.best_trial(study)
    if best is not None:
        folder.write_best(apply_params(spec.recipe, best.params, name=f"{spec.recipe.name}-best"))
    return rows


def _result(folder: SweepFolder, study: Any, spec: SweepSpec, target: int, ran: int, resumed: bool) -> SweepResult:
    from studio.sweeps import study as st

    rows = st.trial_rows(study)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    best = st.best_trial(study)
    found = None if best is None else {"trial": best.number, "value": best.value, "params": dict(best.params),
                                       "run_dir": best.user_attrs.get("run_dir", "")}
    return SweepResult(folder.path, spec.metric, spec.direction, target, ran, resumed, counts, found,
                       folder / folder.BEST if best is not None else None)


def describe_result(r: SweepResult) -> list[str]:
    """What the sweep found, in a few lines (the CLI prints them; the app shows them)."""
    counts = ", ".join(f"{n} {status}" for status, n in sorted(r.counts.items()))
    lines = [f"sweep: {sum(r.counts.values())} trials in {r.folder} ({counts})"]
    if r.best is None:
        raise TrainingError(f"no trial of the sweep in {r.folder} completed (see {SweepFolder.RESULTS} for each "
                            "trial's message); widen the space or check the recipe with `studio train`")
    from studio.sweeps.study import params_text

    value = r.best["value"]
    shown = f"{value:.4f}" if isinstance(value, float) and math.isfinite(value) else str(value)
    lines.append(f"best: trial {r.best['trial']}, val {r.metric} {shown} with {params_text(r.best['params'])}")
    lines.append(f"best recipe: {r.best_recipe} (train it with `studio train {r.best_recipe}`)")
    if r.best["run_dir"]:
        lines.append(f"best run: {r.best['run_dir']}")
    return lines
