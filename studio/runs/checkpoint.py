"""RunCheckpointer: how the Trainer's state reaches the run directory while it trains.

The Trainer hands over its state (last weights, optimizer, schedule, RNG, early stopping) after an
epoch when :meth:`RunCheckpointer.due` says so: after every epoch that ends ``interval`` seconds or
more after the last write, so slow epochs are all saved and fast ones at most every few seconds.
The best weights so far go to model.safetensors at the same moment, and summary.json records the
checkpoint's epoch, so a ``kill -9`` loses at most a few seconds of training.
"""

from __future__ import annotations

import time
from typing import Any

from studio.runs.rundir import RunDir
from studio.runs.summary import RunSummary

CHECKPOINT_SECONDS = 2.0


class RunCheckpointer:
    """Writes checkpoints of one run (see the module docstring); ``summary`` is the run's live summary."""

    def __init__(self, run: RunDir, summary: RunSummary, interval: float = CHECKPOINT_SECONDS) -> None:
        self.run, self.summary, self.interval = run, summary, interval
        self._last = time.monotonic()
        self.saved_epoch: int | None = None

    def due(self) -> bool:
        return time.monotonic() - self._last >= self.interval

    def save(self, epoch: int, state: dict[str, Any], best_weights: dict[str, Any] | None) -> None:
        """Write ``state`` (from :meth:`studio.train.trainer.Trainer.training_state`) and, when given,
        the best weights so far; then record the epoch in summary.json."""
        if best_weights is not None:
            self.run.write_weights(best_weights)
        self.run.write_checkpoint(state)
        self.summary.checkpoint_epoch = epoch
        self.summary.epochs_run = max(self.summary.epochs_run, epoch)
        self.run.write_summary(self.summary)
        self.saved_epoch = epoch
        self._last = time.monotonic()
