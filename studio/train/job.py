"""Job: runs a target (a training run) in a daemon thread that can be paused, resumed and stopped.

The target gets a :class:`JobControl`: it calls ``checkpoint()`` once per batch (blocks while
paused, False once a stop was asked) and ``emit(event)`` with each event (anything with a
``to_dict()``). The Job keeps the events as plain dicts in an append-only list behind a lock, and
readers take consistent copies with :meth:`Job.snapshot`, so any number of pages can poll one job.
Stopping is cooperative; threads are never killed. Nothing here knows torch.

A shared server may hold a Job back: :meth:`Job.queue` marks it ``queued`` (not started), a later
:meth:`Job.start` starts it, and :meth:`Job.stop` on a queued Job ends it at once as ``stopped``
without ever running the target. :meth:`Job.on_done` callbacks run once the Job has ended, either way.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from studio.errors import StudioError
from studio.status import RunStatus
from studio.train.cpu_share import set_sharers
from studio.train.events import Finished

log = logging.getLogger(__name__)
_POLL = 0.1  # seconds a paused checkpoint waits between looks at the stop flag
LATEST_ONLY = ("boundary", "health", "histograms")  # probes' events: large and frequent, only the latest of each
# is kept (a "histograms" event carries every reading so far)
MAX_BATCH_POINTS = 20_000  # per-batch losses kept (a batch event comes at most ~5 times a second)
STOPPED_IN_QUEUE = "Stopped while it waited in the queue: it never started."


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent copy of a job's state. ``next_index`` is the ``since`` for the next poll."""

    status: RunStatus
    events: list[dict[str, Any]]  # durable events (started, epoch, finished) from index ``since``
    next_index: int
    last_batch: dict[str, Any] | None  # the latest batch event (batches are not kept in ``events``)
    finished: dict[str, Any] | None
    error: str | None
    batch_losses: list[tuple[int, float]] = field(default_factory=list)  # (step, recent_loss) of batch events
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)  # LATEST_ONLY events: name -> the latest


class JobControl:
    """The training thread's side of a Job. Usable directly as a Trainer callback (``on_event``)."""

    stop_reason: str | None = None  # the Callback interface: a JobControl never asks to stop early

    def __init__(self, job: Job) -> None:
        self._job = job

    def checkpoint(self) -> bool:
        """Block while paused; return False once stop was requested."""
        job = self._job
        while not job._go.wait(timeout=_POLL):
            if job._stop.is_set():
                return False
        return not job._stop.is_set()

    def stop_requested(self) -> bool:
        """Whether a stop was asked (without waiting: a go-between's view, :mod:`studio.train.worker`)."""
        return self._job._stop.is_set()

    def paused(self) -> bool:
        """Whether the Job is paused now (without waiting)."""
        return not self._job._go.is_set()

    def emit(self, event: Any) -> None:
        """Record an event (an object with ``to_dict()``, or a dict)."""
        self._job._record(event if isinstance(event, dict) else event.to_dict())

    on_event = emit


class Job:
    """Runs ``target(control)`` in a daemon thread; ``result`` holds its return value.

    Status: created [-> queued] -> running <-> paused -> completed | stopped | early_stopped | failed
    (queued -> stopped when stopped before it started). The final status is the one a "finished"
    event reported, else "stopped" if a stop was asked, else "completed". An exception in the target
    becomes "failed" with ``error`` set to a StudioError's sentence as is, or "unexpected error:
    <type>: <message>" (logged with its traceback).
    """

    def __init__(self, target: Callable[[JobControl], Any], name: str = "job") -> None:
        self.target, self.name = target, name
        self.result: Any = None
        self._status = RunStatus.CREATED
        self._error: str | None = None
        self._events: list[dict[str, Any]] = []
        self._last_batch: dict[str, Any] | None = None
        self._batch_losses: deque[tuple[int, float]] = deque(maxlen=MAX_BATCH_POINTS)
        self._latest: dict[str, dict[str, Any]] = {}
        self._finished: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._recorded = threading.Condition(self._lock)  # notified on every kept event
        self._stop = threading.Event()
        self._go = threading.Event()  # set = not paused
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_done: list[Callable[[], None]] = []
        self._sharers: int | None = None

    # -- the page's side -------------------------------------------------------------------------

    def queue(self) -> None:
        """Mark a created Job as waiting for a slot (``queued``); :meth:`start` starts it later."""
        with self._lock:
            if self._status != RunStatus.CREATED:
                raise RuntimeError(f"job {self.name!r} cannot be queued: it is {self._status}")
            self._status = RunStatus.QUEUED

    def start(self, sharers: int | None = None) -> None:
        """Start the target in a daemon thread (from created or queued).

        ``sharers``: the training jobs that share the CPU cores now, this one included; the target's
        thread records it (:mod:`studio.train.cpu_share`) so that its run takes its share of threads.
        """
        with self._lock:
            if self._status not in (RunStatus.CREATED, RunStatus.QUEUED):
                raise RuntimeError(f"job {self.name!r} was already started")
            self._status = RunStatus.RUNNING
            self._sharers = sharers
            self._thread = threading.Thread(target=self._main, name=f"studio-{self.name}", daemon=True)
        self._go.set()
        self._thread.start()

    def on_done(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once the Job has ended (at once if it has): on the Job's thread when the
        target returns, or on the caller's thread when a queued Job is stopped. It must not raise."""
        with self._lock:
            if not self._done.is_set():
                self._on_done.append(callback)
                return
        callback()

    def pause(self) -> None:
        with self._lock:
            if self._status == RunStatus.RUNNING:
                self._go.clear()
                self._status = RunStatus.PAUSED

    def resume(self) -> None:
        with self._lock:
            if self._status == RunStatus.PAUSED:
                self._status = RunStatus.RUNNING
                self._go.set()

    def stop(self) -> None:
        """Ask the target to stop at its next checkpoint; returns at once. A queued Job ends now, as
        ``stopped``, with a "finished" event that says it never started."""
        self._stop.set()
        self._go.set()  # wake a paused checkpoint so that it can see the stop
        with self._lock:
            if self._status != RunStatus.QUEUED:
                return
            self._finished = Finished(RunStatus.STOPPED, STOPPED_IN_QUEUE, 0, None, 0.0).to_dict()
            self._events.append(self._finished)
            self._status = RunStatus.STOPPED
            callbacks = self._ended()
        self._call(callbacks)

    def _ended(self) -> list[Callable[[], None]]:
        """With the lock held: mark the Job as ended, wake its waiters; returns the done callbacks to call."""
        self._done.set()
        self._recorded.notify_all()
        callbacks, self._on_done = self._on_done, []
        return callbacks

    def _call(self, callbacks: list[Callable[[], None]]) -> None:
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.exception("a done callback of job %r failed", self.name)

    def wait_for_event(self, name: str, timeout: float) -> bool:
        """Block until an event called ``name`` ("epoch", "finished", ...) was recorded, the job
        ended, or ``timeout`` seconds passed; True when the event is there."""

        def seen() -> bool:
            return self._done.is_set() or any(e.get("event") == name for e in self._events)

        with self._recorded:
            self._recorded.wait_for(seen, timeout)
            return any(e.get("event") == name for e in self._events)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread has ended (True) or ``timeout`` seconds passed (False)."""
        return self._done.wait(timeout)

    @property
    def status(self) -> RunStatus:
        with self._lock:
            return self._status

    @property
    def error(self) -> str | None:
        with self._lock:
            return self._error

    @property
    def active(self) -> bool:
        """True from start() until the target has returned or raised."""
        return self._thread is not None and not self._done.is_set()

    def snapshot(self, since: int = 0) -> JobSnapshot:
        with self._lock:
            return JobSnapshot(self._status, list(self._events[since:]), len(self._events),
                               self._last_batch, self._finished, self._error, list(self._batch_losses),
                               dict(self._latest))

    # -- the thread's side -----------------------------------------------------------------------

    def _record(self, event: dict[str, Any]) -> None:
        with self._lock:
            if event.get("event") in LATEST_ONLY:
                self._latest[event["event"]] = event
                return
            if event.get("event") == "batch":
                self._last_batch = event
                if event.get("recent_loss") is not None:
                    self._batch_losses.append((int(event.get("step") or 0), float(event["recent_loss"])))
                return
            self._events.append(event)
            if event.get("event") == "finished":
                self._finished = event
            self._recorded.notify_all()

    def _main(self) -> None:
        set_sharers(self._sharers)
        status, error = RunStatus.COMPLETED, None
        try:
            self.result = self.target(JobControl(self))
        except StudioError as err:
            status, error = RunStatus.FAILED, str(err)
        except Exception as err:
            log.exception("job %r failed", self.name)
            status, error = RunStatus.FAILED, f"unexpected error: {type(err).__name__}: {err}"
        with self._lock:
            if self._finished is not None and status != RunStatus.FAILED:
                status = RunStatus.parse(self._finished.get("status", status))
                if status == RunStatus.FAILED:
                    error = self._finished.get("message")
            elif status != RunStatus.FAILED and self._stop.is_set():
                status = RunStatus.STOPPED
            self._status, self._error = status, error
            callbacks = self._ended()
        self._call(callbacks)
