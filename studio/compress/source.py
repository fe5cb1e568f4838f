"""The run a compression starts from (the run to prune, the teacher to distill): it must have ended
with its weights kept. One sentence per way it can fall short, the same from the CLI and the app."""

from __future__ import annotations

from pathlib import Path

from studio.errors import RunError
from studio.runs import RunDir
from studio.status import RunStatus


def check_source(run_dir: str | Path, action: str) -> RunDir:
    """The run, once it is one that ``action`` ("prune", "distill from") can start from; else a RunError."""
    run = RunDir.open(run_dir)
    status = run.status()
    if status.active:
        raise RunError(f"run {run.id!r} is still training; wait until it ends (or stop it on the Train page), "
                       f"then {action} it")
    if not run.has(RunDir.WEIGHTS):
        raise RunError(f"run {run.id!r} has no trained weights ({RunDir.WEIGHTS}); train it to the end first, "
                       f"then {action} it")
    if not status.has_result:
        why = "failed" if status == RunStatus.FAILED else "was interrupted"
        raise RunError(f"run {run.id!r} {why}, so its weights are not a trained model; {action} a completed, "
                       "early-stopped or stopped run")
    return run
