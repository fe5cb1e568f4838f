"""The training state a checkpoint holds: enough to go on after an epoch exactly as if nothing stopped."""

from __future__ import annotations

from typing import Any

import torch

from studio.train.callbacks import EarlyStopping


def training_state(trainer: Any, epoch: int, rng: dict[str, Any] | None = None) -> dict[str, Any]:
    """The current weights, optimizer, schedule, gradient scaler, RNG and early-stopping state of a
    :class:`~studio.train.trainer.Trainer` after ``epoch``: tensors, numbers and plain containers
    only, so that ``torch.load(..., weights_only=True)`` reads it back. ``rng``: the RNG state to save
    instead of the current one (a run stopped as an epoch began has already drawn that epoch's order)."""
    early = next((cb for cb in trainer.callbacks if isinstance(cb, EarlyStopping)), None)
    return {
        "epoch": epoch,
        "model": {k: v.detach().cpu().clone() for k, v in trainer.model.state_dict().items()},
        "optimizer": trainer.optimizer.state_dict(),
        "schedule": trainer.schedule.scheduler.state_dict(),
        "scaler": trainer.scaler.state_dict() if trainer.scaler is not None else None,
        "rng": rng or {"torch": torch.get_rng_state(),
                       "cuda": torch.cuda.get_rng_state_all() if trainer.device.type == "cuda" else []},
        "best": trainer.best.state_dict(),
        # the best epoch's weights when they are not the ones above, so a resumed run keeps the same best
        "best_model": trainer.best.weights_if_not(epoch),
        "early_stopping": early.state_dict() if early is not None else None,
    }


def restore_training_state(trainer: Any, state: dict[str, Any]) -> int:
    """Put a checkpoint's state back into a freshly built Trainer (same recipe, same data): weights,
    optimizer, schedule, gradient scaler, RNG, best epoch and early stopping. Returns its epoch.

    Called by :meth:`Trainer.fit` after the Started event (which resets early stopping), so the run
    goes on exactly as if it had never stopped.
    """
    trainer.model.load_state_dict(state["model"])
    trainer.optimizer.load_state_dict(state["optimizer"])
    trainer.schedule.scheduler.load_state_dict(state["schedule"])
    if trainer.scaler is not None and state.get("scaler"):
        trainer.scaler.load_state_dict(state["scaler"])
    torch.set_rng_state(state["rng"]["torch"])
    if trainer.device.type == "cuda" and state["rng"].get("cuda"):
        torch.cuda.set_rng_state_all(state["rng"]["cuda"])
    epoch = int(state["epoch"])
    best_model = state.get("best_model")
    trainer.best.load_state_dict(state["best"], best_model if best_model is not None else state["model"])
    early = next((cb for cb in trainer.callbacks if isinstance(cb, EarlyStopping)), None)
    if early is not None and state.get("early_stopping"):
        early.load_state_dict(state["early_stopping"])
    return epoch
