"""The Trainer's fixed vocabulary of events: small frozen dataclasses of plain data.

Events cross the thread boundary (the Job stores ``event.to_dict()``), so they hold only ints,
floats, strings and None, never tensors or models. Epochs and batches are counted from 1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from studio.status import RunStatus


@dataclass(frozen=True)
class Event:
    """Base of every event; ``name`` is what ``to_dict()`` stores under ``"event"``."""

    name: ClassVar[str] = "event"

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.name, **asdict(self)}


@dataclass(frozen=True)
class Started(Event):
    """Emitted once, before the first batch."""

    name: ClassVar[str] = "started"
    epochs: int
    batches_per_epoch: int
    n_train: int
    n_val: int
    device: str  # e.g. "cpu (2 threads)" or "cuda:0 (NVIDIA H100 80GB HBM3)"
    precision: str  # "fp32" | "bf16" | "fp16": what autocast really uses


@dataclass(frozen=True)
class BatchEnd(Event):
    """Emitted after a batch, at most a few times per second (the Trainer throttles it)."""

    name: ClassVar[str] = "batch"
    epoch: int
    batch: int
    batches: int
    loss: float  # mean training loss of this epoch's batches so far
    samples_per_sec: float
    recent_loss: float | None = None  # mean training loss of the batches since the previous BatchEnd
    step: int = 0  # batches trained in the run so far, this one included (the x of a per-batch curve)


@dataclass(frozen=True)
class EpochEnd(Event):
    """Emitted after each complete epoch. ``val_*`` are None when there is no validation split."""

    name: ClassVar[str] = "epoch"
    epoch: int
    train_loss: float
    val_loss: float | None
    train_metric: float | None  # None only where undefined (R² of a constant target)
    val_metric: float | None
    metric_name: str  # "accuracy" | "r2"
    lr: float  # learning rate at the start of the epoch
    seconds: float  # wall time of the epoch, evaluation included, pauses excluded
    samples_per_sec: float  # training samples per second of the training part
    batch_losses: tuple[float, ...] = ()  # the training loss of each batch of the epoch, in order


@dataclass(frozen=True)
class Finished(Event):
    """Emitted exactly once at the end of every fit, whatever the outcome."""

    name: ClassVar[str] = "finished"
    status: RunStatus  # completed, stopped, early_stopped or failed
    message: str
    epochs_run: int
    best_epoch: int | None
    seconds: float

