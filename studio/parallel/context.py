"""Inside a process that torchrun started: its rank, its device and the process groups it joined.

torchrun sets RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT;
:func:`launched_by_torchrun` reads them, :func:`join` joins the group (``env://``) with a timeout,
so a process that stops answering fails the others within that time instead of hanging them.
Besides the main group (gloo or NCCL, for gradients and figures) a gloo group carries the
processes' agreements (stop, fail, early stop) as CPU numbers, so they never wait on a GPU.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist

from studio.errors import TrainingError
from studio.parallel.checks import choose_backend, distributed_device

DEFAULT_TIMEOUT = 120.0  # seconds a collective may wait for a process before the run fails
RUN_DIR_FILE_ENV = "STUDIO_RUN_DIR_FILE"  # where rank 0 writes its run directory's path (for `--nproc`)


@dataclass(frozen=True)
class ParallelContext:
    """One process of a data-parallel run."""

    rank: int
    world_size: int
    local_rank: int
    local_world_size: int
    backend: str  # "gloo" | "nccl"
    device: torch.device
    control_group: Any  # a gloo ProcessGroup for the agreements
    timeout: float

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that writes the run directory."""
        return self.rank == 0

    def describe(self) -> str:
        return f"process {self.rank} of {self.world_size}"


def launched_by_torchrun() -> bool:
    """Whether this process is one of several that torchrun started (WORLD_SIZE > 1)."""
    try:
        return "RANK" in os.environ and int(os.environ.get("WORLD_SIZE", "1")) > 1
    except ValueError:
        return False


def join(device_name: str, backend: str = "auto", timeout: float = DEFAULT_TIMEOUT) -> ParallelContext:
    """Join the process group torchrun prepared, on the device ``training.device`` names."""
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", str(world)))
    device = distributed_device(device_name, local_rank)
    backend = choose_backend(backend, device)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    where = f"{os.environ.get('MASTER_ADDR', '?')}:{os.environ.get('MASTER_PORT', '?')}"
    try:
        dist.init_process_group(backend, timeout=timedelta(seconds=timeout))
        control = dist.new_group(backend="gloo")
    except (RuntimeError, ValueError) as err:
        raise TrainingError(f"process {rank} of {world} could not join the others at {where} within "
                            f"{timeout:g} s ({_first_line(err)}); start them together with torchrun") from None
    return ParallelContext(rank, world, local_rank, local_world, backend, device, control, timeout)


def leave() -> None:
    """Leave the process group (when one was joined); never raises, even when the others are gone."""
    if dist.is_available() and dist.is_initialized():
        with contextlib.suppress(Exception):  # the others may be dead already: nothing is left to tell them
            dist.destroy_process_group()


def record_run_dir(path: Path) -> None:
    """Tell `studio train --nproc` (through $STUDIO_RUN_DIR_FILE) which run directory rank 0 made."""
    target = os.environ.get(RUN_DIR_FILE_ENV)
    if target:
        from studio.atomic import write_text_atomic

        write_text_atomic(target, str(path))  # as rank 0 prints it: the processes share their working folder


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return (text[0] if text else type(err).__name__)[:160]
