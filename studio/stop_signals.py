"""Ctrl-C and ``kill`` during `studio train`: the run stops at its next batch and is saved as ``stopped``.

:class:`StopOnSignal` handles SIGINT and SIGTERM while it is entered (in the main thread only, and
not for a signal the process ignores, as ``nohup`` and background jobs of scripts do). It is the
Trainer's control: the first signal makes ``checkpoint()`` return False, so training ends after
the batch in progress, through its normal end (checkpoint, best weights, metrics, summary). No
exception is thrown into the middle of an optimizer step, which would leave the saved checkpoint
half-updated. Before the run directory exists nothing needs saving, so a signal raises
KeyboardInterrupt at once; a second signal always does (the user insists).
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopOnSignal:
    """Use as ``with StopOnSignal() as stop: train_recipe(..., control=stop, on_run_dir=stop.saving)``."""

    def __init__(self) -> None:
        self.received: int | None = None  # the first signal's number
        self.run_dir: Path | None = None
        self._previous: dict[int, Any] = {}

    @property
    def name(self) -> str:
        """The first signal's name ("SIGTERM"), or "" when none came."""
        return signal.Signals(self.received).name if self.received else ""

    @property
    def exit_status(self) -> int:
        """128 + the signal's number (130 for SIGINT, 143 for SIGTERM), the shells' convention."""
        return 128 + (self.received or 0)

    def saving(self, run_dir: Path) -> None:
        """From now on (the run directory exists) a first signal stops training instead of aborting it."""
        self.run_dir = run_dir

    def checkpoint(self) -> bool:
        """The Trainer asks this once per batch: False once a signal came."""
        return self.received is None

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = self.received is None
        if first:
            self.received = signum
        if not first or self.run_dir is None:
            raise KeyboardInterrupt

    def __enter__(self) -> StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                if signal.getsignal(sig) is not signal.SIG_IGN:
                    self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()
