"""The checks of a data-parallel run that need no process group: each mistake is one sentence.

How many processes: one per CUDA GPU on a GPU machine; on the CPU at most the cores this process
may use. DistributedDataParallel waits for every process at every step, so a process without a
core of its own slows all of them down; the limit keeps that mistake out (factor 1, not more).
"""

from __future__ import annotations

import socket

import torch
import torch.distributed as dist

from studio.errors import TrainingError
from studio.train import device as dev
from studio.train.threads import usable_cores

BACKENDS = ("auto", "gloo", "nccl")


def distributed_device(name: str, local_rank: int | None = None) -> torch.device:
    """The device of a data-parallel run for ``training.device``: "auto" is CUDA when there is a GPU,
    else the CPU (Apple's mps has no process-group backend). ``local_rank`` picks the process's GPU."""
    if name == "mps":
        raise TrainingError("data-parallel training runs on CPUs (gloo) or CUDA GPUs (nccl), not on mps; "
                            "set training.device to 'cpu' or 'auto', or train in one process")
    device = dev.resolve_device("cuda" if name == "auto" and torch.cuda.is_available() else
                                "cpu" if name == "auto" else name)
    if device.type == "cuda" and local_rank is not None:
        return torch.device("cuda", local_rank)
    return device


def choose_backend(backend: str, device: torch.device) -> str:
    """The process-group backend: ``auto`` is NCCL on CUDA and gloo on the CPU."""
    if backend not in BACKENDS:
        raise TrainingError(f"--backend {backend!r} is not known; use one of {', '.join(BACKENDS)}")
    if backend == "auto":
        return "nccl" if device.type == "cuda" else "gloo"
    if backend == "nccl" and device.type != "cuda":
        raise TrainingError(f"--backend nccl needs CUDA GPUs, but this run trains on the CPU (torch "
                            f"{torch.__version__}, CUDA available: {torch.cuda.is_available()}); use --backend gloo "
                            "or auto")
    if backend == "nccl" and not dist.is_nccl_available():
        raise TrainingError(f"--backend nccl is not built into torch {torch.__version__}; use --backend gloo or auto")
    return backend


def max_processes(device: torch.device) -> int:
    """How many processes a run on ``device`` may start: the GPUs, or the usable CPU cores."""
    return torch.cuda.device_count() if device.type == "cuda" else usable_cores()


def check_nproc(nproc: int, device: torch.device | None = None) -> None:
    """Refuse 0 or fewer processes, and more than the devices (see the module docstring)."""
    if nproc < 1:
        raise TrainingError(f"--nproc must be 1 or more processes, got {nproc}")
    if device is None:
        return
    limit = max_processes(device)
    if nproc <= limit:
        return
    if device.type == "cuda":
        raise TrainingError(f"--nproc {nproc} asks for more processes than this machine's {limit} CUDA GPU"
                            f"{'' if limit == 1 else 's'}; use --nproc {limit} or fewer (one process per GPU)")
    raise TrainingError(f"--nproc {nproc} asks for more processes than the {limit} CPU core"
                        f"{'' if limit == 1 else 's'} this process may use; use --nproc {limit} or fewer "
                        "(every step waits for the slowest process, so each needs a core of its own)")


def free_port() -> int:
    """A TCP port no one listens on now (the system's choice), for torchrun's rendezvous."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_port(port: int) -> None:
    """Refuse a --master-port that another program already listens on (or that may not be opened)."""
    if not 1 <= port <= 65535:
        raise TrainingError(f"--master-port must be a port number from 1 to 65535, got {port}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as torch's store does: TIME_WAIT is no clash
        try:
            s.bind(("", port))
        except OSError as err:
            why = "is already in use" if err.errno in (98, 48, 10048) else f"cannot be opened ({err.strerror})"
            raise TrainingError(f"--master-port {port} {why}; choose another port, or leave --master-port out "
                                "to use a free one") from None


def gpu_count() -> int:
    """CUDA devices a data-parallel run could spread over here (0 without CUDA)."""
    return torch.cuda.device_count() if torch.cuda.is_available() else 0
