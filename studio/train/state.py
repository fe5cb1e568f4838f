"""The training state a checkpoint holds: enough to go on after an epoch exactly as if nothing stopped."""

from __future__ import annotations

from typing import Any

import torch

from studio.train.callbacks import EarlyStopping


def training_state(trainer: Any, epoch: int) -> dict[str, Any]:
    """The current weights, optimizer, schedule, gradient scaler, RNG and early-stopping state of a
    :class:`~studio.train.trainer.Trainer` after ``epoch``: tensors, numbers and plain containers
    only, so that ``torch.load(..., weights_only=True)`` reads it back."""
    early = next((cb for cb in trainer.callbacks if isinstance(cb, EarlyStopping)), None)
    return {
        "epoch": epoch,
        "model": {k: v.detach().cpu().clone() for k, v in trainer.model.state_dict().items()},
        "optimizer": trainer.optimizer.state_dict(),
        "schedule": trainer.schedule.scheduler.state_dict(),
        "scaler": trainer.scaler.state_dict() if trainer.scaler is not None else None,
        "rng": {"torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state_all() if trainer.device.type == "cuda" else []},
        "best": trainer.best.state_dict(),
        "early_stopping": early.state_dict() if early is not None else None,
    }
