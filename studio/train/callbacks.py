"""Subscribers to the Trainer's events: history, early stopping, the NaN guard, a progress bar.

A callback sees every event through :meth:`Callback.on_event`. It may end the run early by setting
``stop_reason`` (the Trainer checks it after each epoch and finishes as "early_stopped"), or fail it
by raising a :class:`~studio.errors.StudioError`. Callbacks never see tensors or the model.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from studio.errors import TrainingError, plain
from studio.train.events import BatchEnd, EpochEnd, Event, Finished, Started


class Callback:
    """Base of every callback. ``stop_reason`` set to a sentence asks the Trainer to stop after this epoch."""

    stop_reason: str | None = None

    def on_event(self, event: Event) -> None:
        """Called with every event, in order, on the training thread."""


class Relay(Callback):
    """Hands every event to a function, e.g. a Job's ``emit``."""

    def __init__(self, fn: Callable[[Event], Any]) -> None:
        self.fn = fn

    def on_event(self, event: Event) -> None:
        self.fn(event)


class History(Callback):
    """Keeps every EpochEnd, in order."""

    def __init__(self) -> None:
        self.epochs: list[EpochEnd] = []

    def on_event(self, event: Event) -> None:
        if isinstance(event, EpochEnd):
            self.epochs.append(event)


class Monitor:
    """Which number of an EpochEnd decides "better", and whether one value beats another.

    ``val_loss`` is minimized and ``val_metric`` maximized; without a validation split the training
    loss / metric stand in. Shared by early stopping and the Trainer's best-weights tracking.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0) -> None:
        self.monitor, self.min_delta = monitor, min_delta
        self.maximize = monitor == "val_metric"

    def value(self, e: EpochEnd) -> float:
        """The monitored number; NaN (never an improvement) when the metric is undefined."""
        if self.monitor == "val_metric":
            value = e.val_metric if e.val_loss is not None else e.train_metric
        else:
            value = e.val_loss if e.val_loss is not None else e.train_loss
        return math.nan if value is None else value

    def label(self, e: EpochEnd) -> str:
        has_val = e.val_loss is not None
        if self.monitor == "val_metric":
            return f"{'val' if has_val else 'train'} {e.metric_name}"
        return "val loss" if has_val else "train loss"

    def improved(self, value: float, best: float | None) -> bool:
        if not math.isfinite(value):
            return False
        if best is None:
            return True
        return value > best + self.min_delta if self.maximize else value < best - self.min_delta


class EarlyStopping(Callback):
    """Asks to stop after ``patience`` epochs without an improvement of at least ``min_delta``.

    The Trainer keeps the best epoch's weights with the same :class:`Monitor` and restores them at
    the end of the run.
    """

    def __init__(self, patience: int = 10, monitor: str = "val_loss", min_delta: float = 0.0) -> None:
        self.patience = patience
        self.monitor = Monitor(monitor, min_delta)
        self.best: float | None = None
        self.best_epoch = 0
        self.waited = 0

    def state_dict(self) -> dict[str, object]:
        """What a resumed run needs to go on counting where this one stopped."""
        return {"best": self.best, "best_epoch": self.best_epoch, "waited": self.waited}

    def load_state_dict(self, state: dict[str, object]) -> None:
        best = state.get("best")
        self.best = float(best) if isinstance(best, int | float) else None
        self.best_epoch = int(state.get("best_epoch") or 0)  # type: ignore[call-overload]
        self.waited = int(state.get("waited") or 0)  # type: ignore[call-overload]

    def on_event(self, event: Event) -> None:
        if isinstance(event, Started):
            self.best, self.best_epoch, self.waited, self.stop_reason = None, 0, 0, None
        if not isinstance(event, EpochEnd):
            return
        value = self.monitor.value(event)
        if self.monitor.improved(value, self.best):
            self.best, self.best_epoch, self.waited = value, event.epoch, 0
            return
        self.waited += 1
        if self.waited >= self.patience:
            self.stop_reason = (
                f"stopped early: {self.monitor.label(event)} did not improve for {self.patience} epochs "
                f"(best {self.best:.4g} at epoch {self.best_epoch})"
            )


class NanGuard(Callback):
    """Fails the run as soon as a reported loss is NaN or infinite, naming the likeliest cause.

    It sees only events, never tensors, so the cause is inferred from the recipe's values: a huge
    L1/L2 weight (its penalty overflows at once), then a huge learning rate, else the usual advice.
    ``batches=False`` checks only EpochEnd: a data-parallel run's processes see the same epoch
    figures (reduced across them) but each its own batches, so only the former fail them together.
    """

    HUGE_PENALTY = 1e3  # usual L1/L2 weights are 1e-6..1e-2; from here on the penalty swamps the loss
    HUGE_LR = 1.0  # usual learning rates are 1e-4..1e-1

    def __init__(self, lr: float, grad_clip: float | None = None, l1: float = 0.0, l2: float = 0.0,
                 batches: bool = True) -> None:
        self.lr, self.grad_clip, self.l1, self.l2, self.batches = lr, grad_clip, l1, l2, batches

    def on_event(self, event: Event) -> None:
        if self.batches and isinstance(event, BatchEnd) and not math.isfinite(event.loss):
            self._fail(event.loss, f"epoch {event.epoch}, by batch {event.batch} of {event.batches}")
        if isinstance(event, EpochEnd):
            for name in ("train_loss", "val_loss"):
                value = getattr(event, name)
                if value is not None and not math.isfinite(value):
                    where = "in the validation loss" if name == "val_loss" else "in training"
                    self._fail(value, f"epoch {event.epoch} ({where})")

    def likeliest_cause(self) -> str:
        """What to change, most likely first."""
        name, weight = ("l2", self.l2) if self.l2 >= self.l1 else ("l1", self.l1)
        if weight >= self.HUGE_PENALTY:
            return (f"regularization.{name} is {plain(weight)}, so its penalty overflows; use a small weight such "
                    "as 1e-4 (or 0)")
        if self.lr >= self.HUGE_LR:
            return f"the learning rate {plain(self.lr)} is far too large; lower optimizer.lr to e.g. 0.001"
        clip = (f"lower regularization.grad_clip (now {plain(self.grad_clip)})" if self.grad_clip
                else "add gradient clipping (regularization.grad_clip, e.g. 1.0)")
        return f"lower the learning rate (now {plain(self.lr)}) or {clip}; huge values in the data can also cause it"

    def _fail(self, loss: float, where: str) -> None:
        raise TrainingError(f"the loss became {plain(loss)} at {where}; {self.likeliest_cause()}")


class ProgressBar(Callback):
    """A tqdm bar over epochs for the command line, with the latest losses as its postfix."""

    def __init__(self, **tqdm_kwargs: Any) -> None:
        self.kwargs = tqdm_kwargs
        self.bar: Any = None

    def on_event(self, event: Event) -> None:
        from tqdm.auto import tqdm

        if isinstance(event, Started):
            self.bar = tqdm(total=event.epochs, unit="epoch", **self.kwargs)
        elif self.bar is None:
            return
        elif isinstance(event, BatchEnd):
            self.bar.set_postfix_str(f"batch {event.batch}/{event.batches} loss {event.loss:.4f}")
        elif isinstance(event, EpochEnd):
            val = "" if event.val_loss is None else f" val {event.val_loss:.4f}"
            metric = "" if event.val_metric is None else f" {event.metric_name} {event.val_metric:.3f}"
            self.bar.set_postfix_str(f"loss {event.train_loss:.4f}{val}{metric}")
            self.bar.update(1)
        elif isinstance(event, Finished):
            self.bar.close()
            self.bar = None
