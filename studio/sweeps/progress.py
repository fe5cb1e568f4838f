"""The app's side of a sweep: start one in the background, read where any sweep folder stands.

``sweep_job(settings)`` returns a :class:`studio.train.job.Job`, not started (the app hands it to its
job queue), and ``start_sweep(settings)`` the same Job started; its thread runs
:func:`studio.sweeps.run.run_sweep`: each ended trial is an event ``{"event": "trial", "trial",
"status", "value", "params", "run_dir", "seconds", "message", "ended", "target"}``; ``job.stop()``
stops the running trials after their batch (they run again when the sweep is continued);
``job.result`` is the :class:`SweepResult`. ``read_sweep(folder)`` reads a sweep folder (running or
not) from its study, and ``sweep_study(folder)`` gives the Optuna study that Optuna's figures take.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.errors import RunError, quote
from studio.recipe import Recipe
from studio.sweeps.folder import SweepFolder
from studio.sweeps.run import SweepResult, SweepSettings, run_sweep
from studio.train.job import Job, JobControl


def start_sweep(settings: SweepSettings) -> Job:
    """Run the sweep in a background thread (its trials in processes or on Ray); the Job is started."""
    job = sweep_job(settings)
    job.start()
    return job


def sweep_job(settings: SweepSettings) -> Job:
    """A Job that runs the sweep (its trials in processes or on Ray) once started; not started."""

    def target(control: JobControl) -> SweepResult:
        def on_trial(row: dict[str, Any], ended: int, target: int) -> None:
            control.emit({"event": "trial", **row, "ended": ended, "target": target})

        return run_sweep(settings, on_trial=on_trial, should_stop=lambda: not control.checkpoint())

    return Job(target, name=f"sweep-{settings.recipe.name}")


@dataclass
class SweepView:
    """A sweep folder as it stands: one row per trial (results.csv's columns), the best trial."""

    folder: Path
    recipe: Recipe
    metric: str
    direction: str
    rows: list[dict[str, Any]]
    best: dict[str, Any] | None  # the best completed trial's row

    @property
    def best_recipe(self) -> Recipe | None:
        """The recipe with the best trial's values ("use the best recipe" loads it as the draft)."""
        return SweepFolder(self.folder).read_best() if self.best is not None else None

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r["status"]] = out.get(r["status"], 0) + 1
        return out


def read_sweep(path: str | Path) -> SweepView:
    """Read a sweep folder; a RunError when it is not one."""
    from studio.sweeps import study as st

    folder = SweepFolder(path)
    if not folder.exists() or not (folder / folder.STUDY).is_file():
        raise RunError(f"{quote(str(path), 120)} is not a sweep folder (no {folder.SPEC} and {folder.STUDY}); "
                       "give the --out folder of `studio sweep`")
    spec = folder.read_spec()
    study = _load(folder)
    rows = st.trial_rows(study)
    best = st.best_trial(study)
    best_row = next((r for r in rows if best is not None and r["trial"] == best.number), None)
    return SweepView(folder.path, spec.recipe, spec.metric, spec.direction, rows, best_row)


def sweep_study(path: str | Path) -> Any:
    """The folder's Optuna study (read it only): what ``optuna.visualization`` figures take."""

    read_sweep(path)  # the same checks and sentence for a folder that is not a sweep
    return _load(SweepFolder(path))


def _load(folder: SweepFolder) -> Any:
    """The folder's study; a RunError while the sweep's process has made study.db but not the study in it
    yet (a page polling a sweep that has just started reads it then)."""
    from studio.sweeps import study as st

    try:
        return st.load_study(folder.storage_url)
    except KeyError:  # Optuna's "Record does not exist."
        raise RunError(f"the sweep in {quote(str(folder.path), 120)} is still starting: its study is not "
                       "written yet") from None
