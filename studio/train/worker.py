"""Training in a worker process: a server's Python stays free for its pages while its runs train.

A training thread in the server shares one interpreter lock with every page's rerun: on a small
network, where training is mostly Python, each live redraw of a page stalls training and each
training step stalls the pages (thirty students on one server, or one laptop whose charts redraw
twice a second). :func:`train_in_worker` runs :func:`studio.pipeline.train_recipe` in a child process
instead and acts, in the calling thread (a :class:`studio.train.job.Job`'s), as the go-between: the
child's events reach the Job as they happen, and the Job's pause, resume and stop, and the live
boundary's plane chosen on the page, reach the child at its next batch. The Job's thread mostly waits
on the pipe, which releases the lock.

The child is forked from a ``forkserver`` (Linux) that has imported torch and the pipeline already,
so a run starts in well under a second. The app trains in workers only once that forkserver is up
(:func:`ready`, ~6 s of imports after :func:`warm_up`), and never where there is no forkserver (macOS,
Windows: a spawned child would import torch for seconds at every run); there it trains in threads. It sees the server's
environment as it is when the run starts. It may run at a lower CPU priority (``nice``): on a busy
server the pages' reruns then come first and training takes the rest of the cores.

A crash of the child (out of memory, a segfault) fails the run with a sentence and leaves the server
running; if the server dies, the child sees its pipe close and stops at its next batch, saving the
run as stopped.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import sys
import threading
import traceback
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from studio.data.images.cache import pixels_in_pickles
from studio.errors import TrainingError
from studio.status import RunStatus

log = logging.getLogger(__name__)
WAIT = 0.05  # seconds the go-between waits for a message before it looks at the Job's pause/stop again
# Imported once by the forkserver, in this order: its CPU priority first (studio.worker_priority),
# then torch with the whole training path, what torch imports lazily on a
# run's first steps (torch._dynamo, by the optimizers: 2 s, which would otherwise delay every run's first
# epoch), and the sweeps' workers.
PRELOAD = ["studio.worker_priority", "studio.pipeline", "torch._dynamo", "safetensors", "studio.sweeps.local"]
NICE_ENV = "STUDIO_WORKER_NICE"  # the forkserver's CPU priority, read first as it starts (studio/worker_priority.py)
_lock = threading.Lock()
_context: Any = None
_warming = False
_ready = threading.Event()


@dataclass
class WorkerCall:
    """What :func:`studio.pipeline.train_recipe` gets in the child (pickled together, so that a resume
    plan and its recipe stay one object). ``env``: the environment the child trains with."""

    recipe: Any
    runs_root: Path
    prepared: Any = None
    access: Any = None
    user: str | None = None
    resume: Any = None
    probe: Any = None  # a BoundaryProbe not started yet; the page's copy keeps choosing its plane
    sharers: int | None = None  # training jobs sharing the cores (studio.train.cpu_share)
    nice: int = 0  # how much lower the child's CPU priority is than the server's (at least the forkserver's)
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))


@dataclass(frozen=True)
class WorkerResult:
    """What came back of a run trained in a worker: where it is saved, how it ended, its summary."""

    run_dir: Path
    status: RunStatus
    summary: Any


def context() -> Any:
    """The multiprocessing context workers start from: forkserver where there is one, else spawn."""
    global _context
    with _lock:
        if _context is None:
            method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
            _context = mp.get_context(method)
            if method == "forkserver":
                _context.set_forkserver_preload(PRELOAD)
        return _context


@contextmanager
def without_main_script() -> Iterator[None]:
    """Start processes within it so that they do not import this process's main module.

    multiprocessing has a new process (or the forkserver) import the parent's ``__main__`` again, and
    Streamlit makes the app's page script ``__main__`` while it runs one: a worker would run the whole
    app without a server. The module is swapped for an empty one only while processes start (Streamlit
    sets it afresh at each script run anyway).
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")  # no __file__, no __spec__: nothing to import
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def warm_up(nice: int = 0) -> None:
    """Start the forkserver now (it imports torch and the training code: ~6 s of CPU), at CPU priority
    ``nice`` (0-19, as its workers: their priority is never above it), and mark the workers :func:`ready`
    once it forks (a background thread waits for a first, empty worker)."""
    global _warming
    ctx = context()
    with _lock:
        if _warming or ctx.get_start_method() != "forkserver":
            return
        _warming = True
        os.environ[NICE_ENV] = str(max(0, min(int(nice), 19)))  # read by the forkserver as it starts
    threading.Thread(target=_wait_until_ready, args=(ctx,), name="studio-worker-warm-up", daemon=True).start()


def _wait_until_ready(ctx: Any) -> None:
    try:
        with without_main_script():
            proc = ctx.Process(target=_nothing, name="studio-worker-warm-up", daemon=True)
            proc.start()  # returns once the forkserver has imported PRELOAD and forked
        proc.join()
        _ready.set()
    except Exception:  # the app then trains in its threads, as before workers
        log.exception("the training workers' forkserver did not start")


def _nothing() -> None:
    """The warm-up's worker."""


def ready() -> bool:
    """Whether a worker starts at once now (the forkserver is up, after :func:`warm_up`). Never where
    workers are spawned (not Linux): a spawned worker imports torch each time, seconds per run."""
    return _ready.is_set()


def train_in_worker(call: WorkerCall, control: Any, probe: Any = None, on_run_dir: Any = None) -> WorkerResult:
    """Train ``call`` in a child process; ``control`` is the Job's :class:`~studio.train.job.JobControl`
    (events go to its ``emit``, its pause and stop to the child), ``probe`` the page's BoundaryProbe
    (its plane follows ``probe.wanted``), ``on_run_dir(path)`` is told the run directory once it exists.

    Returns the run's :class:`WorkerResult`; raises what the child raised (a StudioError keeps its
    sentence), or a TrainingError when the child died without a word.
    """
    ctx = context()
    here, there = ctx.Pipe(duplex=True)
    proc = ctx.Process(target=_child, args=(there, call), name="studio-train-worker", daemon=True)
    with pixels_in_pickles(), without_main_script():  # the child has not got this process's image cache
        proc.start()
    there.close()
    try:
        return _follow(here, proc, control, probe, on_run_dir)
    finally:
        here.close()
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
            proc.join()


def _follow(conn: Connection, proc: Any, control: Any, probe: Any, on_run_dir: Any) -> WorkerResult:
    paused = stopped = False
    plane = getattr(probe, "wanted", None)
    while True:
        try:
            if control.stop_requested() and not stopped:
                conn.send(("stop",))
                stopped = True
            if control.paused() != paused and not stopped:
                paused = not paused
                conn.send(("pause",) if paused else ("resume",))
            if probe is not None and probe.wanted != plane:
                plane = probe.wanted
                conn.send(("plane", plane))
            if not conn.poll(WAIT):
                continue
            kind, *rest = conn.recv()
        except (EOFError, OSError):  # the child is gone without its last word
            proc.join(timeout=5)
            raise TrainingError(_died(proc.exitcode)) from None
        if kind == "event":
            control.emit(rest[0])
        elif kind == "run_dir":
            if on_run_dir is not None:
                on_run_dir(Path(rest[0]))
        elif kind == "done":
            return WorkerResult(Path(rest[0]), RunStatus.parse(rest[1]), rest[2])
        elif kind == "error":
            err, text = rest
            log.error("the training process failed:\n%s", text)
            raise err


def _died(code: int | None) -> str:
    if code is not None and code < 0:
        how = "killed by signal 9 (perhaps out of memory)" if code == -9 else f"killed by signal {-code}"
    else:
        how = f"exit status {code}"
    return f"the training process ended unexpectedly ({how}); the server is fine: train again, or with less data"


class _ChildControl:
    """The child's side: ``checkpoint()`` reads the go-between's messages (blocks while paused)."""

    stop_reason: str | None = None  # the Callback interface

    def __init__(self, conn: Connection, probe: Any) -> None:
        self.conn, self.probe = conn, probe
        self.paused = self.stopped = False

    def _read(self, timeout: float) -> None:
        try:
            while self.conn.poll(timeout):
                kind, *rest = self.conn.recv()
                if kind == "stop":
                    self.stopped = True
                elif kind in ("pause", "resume"):
                    self.paused = kind == "pause"
                elif kind == "plane" and self.probe is not None:
                    self.probe.set_plane(rest[0])
                timeout = 0
        except (EOFError, OSError):  # the server is gone: stop, and save what there is
            self.stopped = True

    def checkpoint(self) -> bool:
        self._read(0)
        while self.paused and not self.stopped:
            self._read(0.1)
        return not self.stopped

    def send(self, *message: Any) -> None:
        try:
            self.conn.send(message)
        except (EOFError, OSError):
            self.stopped = True

    def emit(self, event: Any) -> None:
        self.send("event", event if isinstance(event, dict) else event.to_dict())

    on_event = emit


def _child(conn: Connection, call: WorkerCall) -> None:
    """The worker process: train, then send ("done", ...) or ("error", exception, traceback)."""
    os.environ.clear()
    os.environ.update(call.env)
    if call.nice > 0 and hasattr(os, "nice"):
        now = os.nice(0)  # the forkserver's, which a worker cannot go above
        if call.nice > now:
            os.nice(call.nice - now)
    from studio.pipeline import train_recipe
    from studio.train.callbacks import Relay
    from studio.train.cpu_share import set_sharers

    set_sharers(call.sharers)
    control = _ChildControl(conn, call.probe)
    try:
        result = train_recipe(call.recipe, runs_root=call.runs_root, callbacks=[Relay(control.emit)],
                              control=control, on_run_dir=lambda path: control.send("run_dir", str(path)),
                              prepared=call.prepared, access=call.access, user=call.user, resume=call.resume,
                              probes=[call.probe] if call.probe is not None else [])
        control.send("done", str(result.run_dir), str(result.status), result.summary)
    except BaseException as err:  # everything goes back to the server, which decides
        text = traceback.format_exc()
        try:
            conn.send(("error", err, text))
        except Exception:  # an exception that does not pickle: its type and sentence
            control.send("error", RuntimeError(f"{type(err).__name__}: {err}"), text)
    finally:
        conn.close()
