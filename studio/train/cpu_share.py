"""How many training jobs share this process's CPU cores, as the thread that trains knows it.

A server that trains several Jobs at once (the app's job queue) tells each Job, when it starts,
how many jobs train at that moment, itself included; the Job records it on its own thread here,
and :func:`studio.train.threads.choose_threads` then gives the run at most ``usable cores // that
many`` torch threads, so 30 runs on 2 cores do not each ask for every core. Threads are set once,
when the run starts: a run that started alone keeps its threads when others join it later.

Thread-local on purpose: torch's intra-op thread count is set in (and for) the thread that trains.
This module imports nothing heavy (the Job, which knows no torch, sets it).
"""

from __future__ import annotations

import threading

_local = threading.local()


def set_sharers(jobs: int | None) -> None:
    """Record, for the calling thread, that ``jobs`` training jobs share the cores (None: not known)."""
    _local.jobs = max(1, int(jobs)) if jobs is not None else None


def sharers() -> int:
    """The training jobs that share the cores, as the calling thread was told (1 when it was not)."""
    return getattr(_local, "jobs", None) or 1
