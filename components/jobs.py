"""The process-wide registry of training jobs, keyed by an unguessable run id, each with an owner.

Jobs outlive a script run and a browser refresh, so they cannot live in ``st.session_state``;
``registry()`` is one object per server process (``st.cache_resource``). A session only sees a job
whose id it holds (its URL's ``?run=``) or that ``list(owner)`` returns for its own owner token,
so one person's run never shows up in another person's tab by accident.

When the server process exits (Streamlit's own SIGINT/SIGTERM handler stops the server and the
main thread returns), :meth:`JobRegistry.stop_at_exit` stops every job and waits for it, up to
``STOP_WAIT`` seconds, before the interpreter tears down: a stopped run writes its weights and its
summary, and no training thread is left inside torch, where Python 3.11's teardown of a daemon
thread aborts the process ("terminate called without an active exception").

Training jobs share the server under two caps (``studio app --max-jobs N --max-jobs-per-session N``,
read from :mod:`components.settings` on every use): :meth:`JobRegistry.submit` refuses a session
that already has its share of runs queued or training, starts the job when fewer than the server's
cap train, and otherwise marks it ``queued`` and keeps it in a FIFO queue. When a job ends (or a
queued one is stopped, which takes it out of the queue at once) the next ones start, each told how
many slots are then taken (its torch threads: usable cores // that many, see
:mod:`studio.train.cpu_share`). A paused job keeps its slots. Every kind of job goes through it: a
single run, the A/B comparison's two runs (:meth:`JobRegistry.submit_group`: one share of the
session, a slot each), a sweep (as many slots as trials it trains at once) and a prune or distill
job. Only :meth:`JobRegistry.add`, the filing itself, leaves a job out of the caps (tests).

This module is rarely edited on purpose: Streamlit keys ``cache_resource`` by the function's source,
so editing ``registry`` during development starts a new, empty registry.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from components import settings
from studio.errors import JobLimitError
from studio.status import RunStatus
from studio.train.worker import warm_up

# Seconds the server waits at exit for its jobs to end (a batch, the last checkpoint, the final
# evaluation, the files); under `docker stop`'s 10 s before SIGKILL.
STOP_WAIT = 8.0
OWNERS_KEPT = 200  # owners whose newest run the registry keeps, ended or not, beyond max_finished


@dataclass(eq=False)
class RunHandle:
    """One job in the registry: ``job`` is a :class:`studio.train.job.Job` (start/pause/stop/snapshot)."""

    run_id: str
    owner: str
    job: Any
    name: str = ""
    created: float = field(default_factory=time.time)
    info: dict[str, Any] = field(default_factory=dict)  # e.g. the run directory once known
    capped: bool = False  # filed by submit(): counted against the caps, started by the queue
    slots: int = 1  # the server's training slots it holds while it trains (a sweep: its trials at once)
    group: str = ""  # handles submitted together (an A/B pair) are one share of their session

    @property
    def active(self) -> bool:
        return RunStatus.parse(getattr(self.job, "status", "")).active


@dataclass(frozen=True)
class QueuePlace:
    """Where a queued run stands: ``place`` 1 is next; ``training`` jobs hold the server's slots now."""

    place: int
    waiting: int
    training: int  # jobs holding slots now


_TRAINING = (RunStatus.RUNNING, RunStatus.PAUSED)


class JobRegistry:
    """Thread-safe table of run handles and the FIFO queue of those waiting for a slot; finished ones
    beyond ``max_finished`` are forgotten. ``max_running``/``max_per_owner`` fix the caps (None: the
    server's settings, read on every use)."""

    def __init__(self, max_finished: int = 20, max_running: int | None = None,
                 max_per_owner: int | None = None) -> None:
        self._runs: dict[str, RunHandle] = {}
        self._waiting: deque[RunHandle] = deque()
        self._lock = threading.RLock()
        self._max = max_finished
        self._max_running, self._max_per_owner = max_running, max_per_owner
        self._closed = False  # stop_all() was called: nothing more starts from the queue

    @property
    def max_running(self) -> int:
        return self._max_running or settings.max_jobs()

    @property
    def max_per_owner(self) -> int:
        return self._max_per_owner or settings.max_jobs_per_session()

    def add(self, owner: str, job: Any, name: str = "") -> RunHandle:
        """File ``job`` under a fresh, unguessable run id (the caller starts it).

        Ended runs beyond ``max_finished`` are forgotten, oldest first, except each owner's newest
        (up to ``OWNERS_KEPT`` owners): in a class, one student's new run must not make another's
        finished run vanish from their Train page.
        """
        handle = RunHandle(run_id=secrets.token_urlsafe(9), owner=owner, job=job, name=name)
        with self._lock:
            self._runs[handle.run_id] = handle
            newest = {h.owner: h for h in self._runs.values()}  # insertion order: the last one wins
            kept = set(list(newest.values())[-OWNERS_KEPT:])
            done = [h for h in self._runs.values() if not h.active and h is not handle and h not in kept]
            for old in done[: max(0, len(done) - self._max)]:  # insertion order: oldest first
                del self._runs[old.run_id]  # bounded memory
        return handle

    def submit(self, owner: str, job: Any, name: str = "", slots: int = 1) -> RunHandle:
        """File ``job`` and start it now if its ``slots`` are free under ``max_running``, else queue it.

        Raises JobLimitError when ``owner`` already has ``max_per_owner`` shares queued or training.
        """
        return self.submit_group(owner, [(job, name)], slots)[0]

    def submit_group(self, owner: str, entries: list[tuple[Any, str]], slots: int = 1) -> list[RunHandle]:
        """File several jobs as ONE share of ``owner``'s (the A/B comparison's two runs), each holding
        ``slots`` slots, in this order in the queue; all of them or none (JobLimitError)."""
        with self._lock:
            going = self.going(owner)
            cap = self.max_per_owner
            if going >= cap:
                runs = "1 run" if cap == 1 else f"{cap} runs"
                raise JobLimitError(f"This server lets one session have {runs} queued or training at a time, and "
                                    "this one has: stop it or wait for it to end, then try again.")
            group = secrets.token_hex(6) if len(entries) > 1 else ""
            handles = []
            for job, name in entries:
                handle = self.add(owner, job, name)
                handle.capped, handle.slots, handle.group = True, max(1, int(slots)), group
                job.queue()
                self._waiting.append(handle)
                handles.append(handle)
        for handle in handles:
            handle.job.on_done(self._pump)  # a slot frees (or a queued job leaves the queue): start the next
        self._pump()
        return handles

    def going(self, owner: str) -> int:
        """How many shares ``owner`` has queued or training (a group of runs is one)."""
        with self._lock:
            return len({h.group or h.run_id for h in self._runs.values()
                        if h.owner == owner and h.capped and h.active})

    def training(self) -> int:
        """How many capped jobs hold slots now (running or paused)."""
        with self._lock:
            return sum(1 for h in self._runs.values() if h.capped and h.job.status in _TRAINING)

    def slots_taken(self) -> int:
        """How many of the server's ``max_running`` slots the capped jobs hold now."""
        with self._lock:
            return sum(h.slots for h in self._runs.values() if h.capped and h.job.status in _TRAINING)

    def place(self, run_id: str) -> QueuePlace | None:
        """Where the run ``run_id`` stands in the queue, or None when it is not waiting."""
        with self._lock:
            waiting = [h for h in self._waiting if h.job.status == RunStatus.QUEUED]
            for n, handle in enumerate(waiting, start=1):
                if handle.run_id == run_id:
                    return QueuePlace(n, len(waiting), self.training())
        return None

    def _pump(self) -> None:
        """Drop from the queue the jobs that left it (stopped), and start the next ones, in order, while
        their slots are free (a job wider than the whole server starts alone, when nothing trains)."""
        with self._lock:
            self._waiting = deque(h for h in self._waiting if h.job.status == RunStatus.QUEUED)
            taken, cap = self.slots_taken(), self.max_running
            while self._waiting and not self._closed:
                handle = self._waiting[0]
                if taken and taken + handle.slots > cap:
                    break
                self._waiting.popleft()
                try:
                    handle.job.start(sharers=taken + handle.slots)
                except RuntimeError:  # stopped between the look above and now: it is no longer queued
                    continue
                taken += handle.slots

    def get(self, run_id: str | None, owner: str | None = None) -> RunHandle | None:
        """The run with this id (and this owner, when given), else None."""
        with self._lock:
            handle = self._runs.get(run_id) if run_id else None
        if handle is not None and owner is not None and handle.owner != owner:
            return None
        return handle

    def list(self, owner: str) -> list[RunHandle]:
        """This owner's runs, newest first."""
        with self._lock:
            mine = [h for h in self._runs.values() if h.owner == owner]
        return sorted(mine, key=lambda h: h.created, reverse=True)

    def active(self) -> list[RunHandle]:
        """Every owner's runs that are still going (created, queued, running or paused)."""
        with self._lock:
            return [h for h in self._runs.values() if h.active]

    def stop_all(self, wait: float = 10.0) -> list[RunHandle]:
        """Stop every job and give them up to ``wait`` seconds in all to end through their normal end
        (so a stopped run still writes its weights and summary, and no training thread is still inside
        torch when the interpreter exits). Returns the runs still going after that."""
        with self._lock:
            self._closed = True  # a queued job must not start when a running one ends
            handles = sorted(self._runs.values(), key=lambda h: getattr(h.job, "status", None) != RunStatus.QUEUED)
        for h in handles:  # the queued first: they end at once
            stop = getattr(h.job, "stop", None)
            if callable(stop):
                stop()
        deadline = time.monotonic() + wait
        for h in handles:
            join = getattr(h.job, "wait", None)
            if callable(join):
                join(max(0.0, deadline - time.monotonic()))
        return self.active()

    def stop_at_exit(self) -> None:
        """At interpreter exit: stop the jobs through their normal end, within ``STOP_WAIT`` seconds.

        Meanwhile a second SIGINT/SIGTERM quits at once (its runs then read ``interrupted``). A job that
        does not end in time (e.g. a long final evaluation) is left the same way: the process exits
        with status 1, skipping the teardown that would abort inside torch.
        """
        with self._lock:
            trained = bool(self._runs)
        going = self.active()
        if not going:
            if trained:
                _exit_skipping_teardown(0)
            return
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, signal.SIG_DFL)
        print(f"  Stopping {len(going)} training run(s), up to {STOP_WAIT:g} s (Ctrl+C again quits at once)",
              file=sys.stderr, flush=True)
        left = self.stop_all(STOP_WAIT)
        if left:
            names = ", ".join(repr(h.name) for h in left)
            print(f"  training run(s) {names} did not stop within {STOP_WAIT:g} s; they will read interrupted",
                  file=sys.stderr, flush=True)
            _exit_skipping_teardown(1)
        _exit_skipping_teardown(0)


def _exit_skipping_teardown(status: int) -> None:
    """End the process now, after the jobs have written their runs: once a training thread has run
    torch, the interpreter's own teardown can abort in torch's native destructors ("terminate called
    without an active exception", status 134) some of the time. Nothing of the studio's is left to
    run after this handler (it is the last atexit handler registered, so the first to run, and the
    others are the standard library's: logging is shut down here)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _release(reg: JobRegistry) -> None:
    """``st.cache_resource.clear()``: stop this registry's jobs now, not at exit."""
    atexit.unregister(reg.stop_at_exit)
    reg.stop_all()


@st.cache_resource(on_release=_release)
def registry() -> JobRegistry:
    """The one registry of this server process; its jobs are stopped when the process exits. Made on the
    first page load, which also starts the training workers' forkserver (it imports torch meanwhile)."""
    reg = JobRegistry()
    atexit.register(reg.stop_at_exit)
    if settings.train_in_process():
        warm_up(settings.train_nice())
    return reg
