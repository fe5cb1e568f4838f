"""Run directories: everything needed to reproduce, compare and serve a run, written atomically.

Public API: ``RunDir`` (the one owner of a run's file names), ``RunSummary``, ``RunInfo``,
``list_runs``, ``LoadedRun`` / ``load_run``, ``Heartbeat`` / ``Owner`` (is the run's process alive),
``RunCheckpointer`` (the Trainer's checkpoint writer), ``test_predictions`` (a classification run's
predictions on its test split). See docs/engine-api.md. ``LoadedRun`` needs torch and is imported
on first use, so listing runs (``studio runs``) stays quick.
"""

from __future__ import annotations

from typing import Any

from studio.runs.checkpoint import RunCheckpointer
from studio.runs.listing import RunInfo, list_runs
from studio.runs.owner import Heartbeat, Owner
from studio.runs.rundir import METRICS_COLUMNS, RunDir, read_raw_rows
from studio.runs.summary import RunSummary

__all__ = [
    "METRICS_COLUMNS",
    "Heartbeat",
    "LoadedRun",
    "Owner",
    "RunCheckpointer",
    "RunDir",
    "RunInfo",
    "RunSummary",
    "list_runs",
    "load_run",
    "read_raw_rows",
    "test_predictions",
]


def __getattr__(name: str) -> Any:
    if name in ("LoadedRun", "load_run"):
        from studio.runs import loaded

        return getattr(loaded, name)
    if name == "test_predictions":
        from studio.runs.predictions import test_predictions

        return test_predictions
    raise AttributeError(f"module 'studio.runs' has no attribute {name!r}")
