"""What the Train page shows about a running job, derived from its snapshot (pure: no streamlit).

A :class:`studio.train.job.JobSnapshot` holds plain event dicts (started, epoch, finished) and the
latest batch; here they become a per-epoch table (the columns of metrics.csv, so the same figure
builders draw live and finished runs) and one :class:`Progress` line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pandas as pd

from studio.runs import METRICS_COLUMNS

POLL_ENV = "STUDIO_POLL_SECONDS"
POLL_RANGE = (0.2, 1.0)  # the live panel redraws at least once a second


DEFAULT_POLL = 0.8
FAST_POLL = 0.45  # the Train page while a run draws its live decision boundary: 2 redraws a second


def poll_seconds(fast: bool = False) -> float:
    """How often a page redraws a running job: ``$STUDIO_POLL_SECONDS`` (0.2-1.0), default 0.8.

    More than once a second, as a live chart should; not much more, because on a laptop that also
    runs the browser each redraw costs CPU that training shares (benchmarks/ui_throughput.py: 0.77
    of a bare run's throughput at 0.5 s, 0.84-0.86 at 1.0 s, on 2 cores). ``fast``: the Train page
    while the run shows the live decision boundary, which Playground-style teaching wants redrawn at
    least twice a second: at most ``FAST_POLL`` (0.45 s; at 0.5 s a single late view drops it below
    2). benchmarks/probe_overhead.py ``--page 0.45`` measures the probe's and the redraws' cost.
    """
    try:
        value = float(os.environ.get(POLL_ENV) or DEFAULT_POLL)
    except ValueError:
        value = DEFAULT_POLL
    value = min(max(value, POLL_RANGE[0]), POLL_RANGE[1])
    return min(value, FAST_POLL) if fast else value


def epoch_frame(events: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per finished epoch, with metrics.csv's columns (plus samples_per_sec when known)."""
    rows = [e for e in events if e.get("event") == "epoch"]
    columns = [*METRICS_COLUMNS, "samples_per_sec", "metric_name"]
    return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)


def epoch_batch_losses(events: list[dict[str, Any]]) -> list[list[float]]:
    """Each finished epoch's per-batch training losses, in order (for :func:`studio.train.smoothing.batch_curve`)."""
    return [list(e.get("batch_losses") or []) for e in events if e.get("event") == "epoch"]


def metric_name(events: list[dict[str, Any]]) -> str:
    """The primary metric the epochs report ("accuracy" or "r2"); "metric" before the first epoch."""
    for e in events:
        if e.get("event") == "epoch":
            return str(e.get("metric_name") or "metric")
    return "metric"


@dataclass(frozen=True)
class Progress:
    """Where a run stands: ``fraction`` in [0, 1] and the numbers the progress line names."""

    epoch: int  # epochs completed
    epochs: int  # epochs planned (0 before the run has started)
    fraction: float
    samples_per_sec: float | None
    seconds_left: float | None
    device: str | None

    def text(self) -> str:
        parts = [f"epoch {self.epoch}/{self.epochs or '?'}"]
        if self.samples_per_sec:
            parts.append(f"{self.samples_per_sec:,.0f} samples/s")
        if self.seconds_left is not None:
            parts.append(f"about {format_seconds(self.seconds_left)} left")
        if self.device:
            parts.append(f"on {self.device}")
        return " · ".join(parts)


def format_seconds(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def progress(events: list[dict[str, Any]], last_batch: dict[str, Any] | None) -> Progress:
    """Progress from a job's events and its latest batch (``JobSnapshot.events`` / ``.last_batch``)."""
    started = next((e for e in events if e.get("event") == "started"), None)
    epochs_done = [e for e in events if e.get("event") == "epoch"]
    planned = int(started["epochs"]) if started else 0
    done = len(epochs_done)
    partial = 0.0
    if last_batch and int(last_batch.get("epoch", 0)) == done + 1 and last_batch.get("batches"):
        partial = float(last_batch["batch"]) / float(last_batch["batches"])
    fraction = min(1.0, (done + partial) / planned) if planned else 0.0
    speed = None
    if last_batch and int(last_batch.get("epoch", 0)) > done:
        speed = float(last_batch.get("samples_per_sec") or 0.0) or None
    elif epochs_done:
        speed = float(epochs_done[-1].get("samples_per_sec") or 0.0) or None
    left = None
    finished = any(e.get("event") == "finished" for e in events)
    if epochs_done and planned and not finished:  # an early stop ends before the planned epochs
        per_epoch = sum(float(e.get("seconds") or 0.0) for e in epochs_done) / done
        left = per_epoch * max(0.0, planned - done - partial)
    return Progress(done, planned, fraction, speed, left, started.get("device") if started else None)
