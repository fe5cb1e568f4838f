"""`studio train RECIPE --nproc N`: the same recipe in N processes, started by torchrun through its API.

This process is torchrun's agent (``torch.distributed.run.run``); it starts N copies of
``python -m studio train RECIPE ...`` with the rendezvous environment, and each joins the process
group (:mod:`studio.parallel.context`). Without ``--master-port`` torchrun's own c10d rendezvous
takes a free port. ``--max-restarts 0``: a process that dies ends the run, torchrun stops the
others (SIGTERM, then SIGKILL after 30 s), and this process says in one sentence which one died
and how; if rank 0 could not record the failure itself, the run's summary is marked failed here.
Ctrl-C or SIGTERM reach every process once (torchrun forwards them): they stop at the same batch
and rank 0 saves the run as ``stopped``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from studio.errors import TrainingError
from studio.parallel.context import RUN_DIR_FILE_ENV
from studio.parallel.trainer import LOST
from studio.train.threads import usable_cores

STATUS_OF_A_MISTAKE = 2  # what a process exits with after printing a person's mistake or the run's failure
_STOPPED_BY_TORCHRUN = (-signal.SIGTERM, 128 + signal.SIGTERM)


def launch(recipe_path: Path, out: Path, nproc: int, backend: str, timeout: float, quiet: bool = False,
           master_port: int | None = None) -> int:
    """Run the recipe in ``nproc`` processes; the exit status of `studio train` (0, 2, 130, 143...).

    Raises a TrainingError naming the process that died (or what torchrun could not start).
    """
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import parse_args, run

    argv = ["--nnodes", "1", "--nproc-per-node", str(nproc), "--max-restarts", "0"]
    if master_port is not None:
        argv += ["--master-addr", "127.0.0.1", "--master-port", str(master_port)]
    argv += ["--module", "studio", "train", str(recipe_path), "--out", str(out), "--backend", backend,
             "--timeout", f"{timeout:g}", *(["--quiet"] if quiet else [])]
    threads = str(max(1, usable_cores() // nproc))
    with tempfile.TemporaryDirectory(prefix="studio-ddp-") as tmp, _quiet_torchrun():
        record = Path(tmp) / "run_dir"
        with _environment({RUN_DIR_FILE_ENV: str(record), "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS",
                                                                                           threads)}):
            try:
                run(parse_args(argv))
            except ChildFailedError as err:
                return _failed(err.failures, nproc, _recorded(record))
            except SignalException as err:
                return 128 + int(err.sigval)
            except Exception as err:  # torchrun could not start them: a port taken meanwhile, a rendezvous...
                raise TrainingError(f"torchrun could not start {nproc} processes: {_first_line(err)}") from None
    return 0


def _failed(failures: dict[int, Any], nproc: int, run_dir: Path | None) -> int:
    """Say which process died, mark the run failed if rank 0 could not; or pass on the processes' own status."""
    dead = [(rank, f) for rank, f in failures.items() if f.exitcode != STATUS_OF_A_MISTAKE]
    if not dead:
        return STATUS_OF_A_MISTAKE  # each process printed its sentence (rank 0 the recipe's or the run's)
    # torchrun ends the survivors with SIGTERM: a process that died otherwise is the cause
    rank, failure = min(dead, key=lambda d: (d[1].exitcode in _STOPPED_BY_TORCHRUN, d[0]))
    how = describe_exit(failure.exitcode)
    if run_dir is None:
        raise TrainingError(f"process {rank} of {nproc} {how} before a run directory was made; nothing was saved")
    _mark_failed(run_dir, f"process {rank} of {nproc} {how}; the run keeps its last checkpoint")
    raise TrainingError(f"process {rank} of {nproc} {how}; the run is saved as failed in {run_dir}")


def describe_exit(code: int) -> str:
    """``-9`` -> "was killed by SIGKILL"; ``1`` -> "exited with status 1"."""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    if code > 128:
        with contextlib.suppress(ValueError):
            return f"exited after {signal.Signals(code - 128).name} (status {code})"
    return f"exited with status {code}"


def _mark_failed(run_dir: Path, message: str) -> None:
    """Rank 0 died before writing how the run ended: write it now (every process has stopped)."""
    from studio.runs import RunDir
    from studio.status import RunStatus

    with contextlib.suppress(Exception):  # a damaged or missing run stays as readers find it
        run = RunDir.open(run_dir)
        summary = run.read_summary()
        if summary.status.active or summary.message.startswith(LOST):  # rank 0 died, or could not say who did
            summary.status, summary.message = RunStatus.FAILED, message
            run.write_summary(summary)


def _recorded(record: Path) -> Path | None:
    try:
        return Path(record.read_text(encoding="utf-8").strip())
    except OSError:
        return None


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the processes torchrun starts (they inherit ours), then restore."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _quiet_torchrun() -> Iterator[None]:
    """torchrun's agent logs its settings, signals and each failure with a traceback (each module's logger
    has its own level); this process only waits for it, so its logging is off meanwhile and we say
    what happened in one sentence."""
    before = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(before)


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return (lines[0] if lines else type(err).__name__)[:200]
