"""Pruning and distilling from the Export page as background jobs (the registry of :mod:`components.jobs`).

Each job's target is one engine call (:func:`studio.compress.prune_run`,
:func:`studio.compress.student.distill_run`) with this session's data access, runs folder and user key,
so the runs it makes are listed beside the user's own (Evaluate, Export and Predict pick them), then
the comparison table (each run exported and timed). The target runs on the job's thread and never
touches ``st``: what the page shows comes from the job's events (``compress`` steps, the Trainer's
epochs) and its result, a :class:`CompressResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from components import jobs, state
from components.settings import runs_dir
from studio.data.access import DataAccess
from studio.recipe import Recipe
from studio.train.callbacks import Relay
from studio.train.job import Job, JobControl

STEP = "compress"  # the event this module emits before each stage (a pruning step, the comparison)


@dataclass
class CompressResult:
    """What a finished prune or distill job hands the page (plain data)."""

    kind: str  # "prune" | "distill"
    table: pd.DataFrame
    runs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _stage(control: JobControl, text: str) -> None:
    control.emit({"event": STEP, "text": text})


def _prune_target(run: Path, sparsity: float, structured: bool, steps: int, epochs: int, root: Path,
                  access: DataAccess, user: str) -> Any:
    def target(control: JobControl) -> CompressResult:
        from studio.compress import prune_run

        def step(k: int, n: int, share: float) -> None:
            _stage(control, f"Step {k} of {n}: pruning to {share:.0%}, then fine-tuning {epochs} epochs")

        report = prune_run(run, sparsity, structured, steps, epochs, root, [Relay(control.emit)], access=access,
                           user=user, control=control, on_step=step)
        _stage(control, "Exporting and timing every step's model")
        return CompressResult("prune", report.table(), [str(r) for r in report.runs], report.notes)

    return target


def _distill_target(run: Path, student: Recipe, temperature: float, alpha: float, root: Path, access: DataAccess,
                    user: str) -> Any:
    def target(control: JobControl) -> CompressResult:
        from studio.compress.student import distill_run

        _stage(control, f"Training the student ({student.training.epochs} epochs) on the teacher's answers")
        report = distill_run(run, student, temperature, alpha, root, [Relay(control.emit)], access=access,
                             user=user, control=control)
        _stage(control, "Exporting and timing the teacher and the student")
        return CompressResult("distill", report.table(), [str(report.student)])

    return target


def _start(target: Any, name: str, kind: str, source: Path) -> None:
    handle = jobs.registry().submit(state.owner_token(), Job(target, name=name), name)  # JobLimitError: the caller's
    handle.info.update(kind=kind, source=str(source))
    state.set_compress_id(handle.run_id)


def start_prune(run: Path, sparsity: float, structured: bool, steps: int, epochs: int) -> None:
    """Prune ``run`` in the background (the caller has checked the settings with ``check_prune``)."""
    _start(_prune_target(run, sparsity, structured, steps, epochs, runs_dir(), state.data_access(),
                         state.user_key()), f"prune {run.name}", "prune", run)


def start_distill(run: Path, student: Recipe, temperature: float, alpha: float) -> None:
    """Distill ``run`` into ``student`` in the background."""
    _start(_distill_target(run, student, temperature, alpha, runs_dir(), state.data_access(), state.user_key()),
           f"distill {run.name}", "distill", run)


def current() -> jobs.RunHandle | None:
    """This session's latest prune or distill job (None when it has none, or it was forgotten)."""
    return jobs.registry().get(state.get_compress_id(), owner=state.owner_token())
