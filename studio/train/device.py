"""Where training runs and in which precision.

Mixed precision (autocast to bf16/fp16) is used only on CUDA, where it pays; on CPU and MPS the
run is always fp32. fp16 also needs a GradScaler (bf16 has fp32's range and does not).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import torch

from studio.errors import TrainingError
from studio.train.threads import choose_threads


def _has_mps() -> bool:
    return bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()


_AVAILABLE: dict[str, Callable[[], bool]] = {
    "cpu": lambda: True,
    "cuda": torch.cuda.is_available,
    "mps": _has_mps,
}


def resolve_device(name: str = "auto") -> torch.device:
    """``"auto"`` picks CUDA, then MPS, then the CPU; naming a device that is not there is a TrainingError."""
    if name == "auto":
        return torch.device(next(d for d in ("cuda", "mps", "cpu") if _AVAILABLE[d]()))
    if name not in _AVAILABLE:
        raise TrainingError(f"training.device {name!r} is not known; use one of auto, {', '.join(_AVAILABLE)}")
    if not _AVAILABLE[name]():
        raise TrainingError(
            f"training.device is {name!r} but this machine has no such device (torch {torch.__version__}); "
            "set training.device to 'auto' or 'cpu'"
        )
    return torch.device(name)


def use_cpu_threads_for_training(device: torch.device, threads: int | None = None) -> None:
    """On the CPU, set torch's intra-op threads to ``threads`` (``training.threads``) or to the policy's
    choice (:mod:`studio.train.threads`: all cores but one, fewer when others are busy), in any thread.

    Torch's own default (a thread per core) is not kept anywhere: with other work busy on a 2-core
    machine it trained 12-80x slower than one thread, in the main thread (the CLI) and, less badly,
    in a Job's thread.
    """
    if device.type != "cpu":
        return
    torch.set_num_threads(choose_threads(threads).threads)


def describe_device(device: torch.device) -> str:
    """A short human description: ``"cpu (2 threads)"``, ``"cuda:0 (NVIDIA H100 80GB HBM3)"``, ``"mps"``."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    if device.type == "cpu":
        n = torch.get_num_threads()
        return f"cpu ({n} thread{'' if n == 1 else 's'})"
    return device.type


def resolve_precision(requested: str, device: torch.device) -> str:
    """The precision really used: fp32 off CUDA; on CUDA ``"auto"`` means bf16 where supported, else fp32."""
    if device.type != "cuda":
        return "fp32"
    bf16_ok = torch.cuda.is_bf16_supported()
    if requested == "auto":
        return "bf16" if bf16_ok else "fp32"
    if requested == "bf16" and not bf16_ok:
        raise TrainingError(
            f"training.precision is 'bf16' but {describe_device(device)} does not support bfloat16; "
            "use 'fp16', 'fp32' or 'auto'"
        )
    if requested not in ("fp32", "bf16", "fp16"):
        raise TrainingError(f"training.precision {requested!r} is not known; use auto, fp32, bf16 or fp16")
    return requested


_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager[Any]:
    """The autocast context for ``precision`` (a no-op for fp32)."""
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=_DTYPES[precision])


def grad_scaler(device: torch.device, precision: str) -> torch.amp.GradScaler:
    """A GradScaler that is active only for fp16 (disabled scalers pass values through)."""
    return torch.amp.GradScaler(device.type, enabled=precision == "fp16")
