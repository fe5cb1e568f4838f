"""Decisions the processes of a data-parallel run take together, so that none waits for a peer that
left: a stop (Ctrl-C, SIGTERM) asked in any of them, and the end of an epoch (a NaN, early stopping).

Each is a MAX all-reduce of CPU flags on the gloo control group. The stop vote is cast every
``EVERY`` batches and asynchronously: the vote cast at batch b is read ``EVERY`` batches later, so
its latency hides behind the steps, and every process still stops at the same batch (at most
2 × EVERY batches after the signal). One vote costs about 90 µs of CPU here (gloo), a tenth of a
small MLP's step: voting every batch cost ~9%, every 4th ~2%.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import torch
import torch.distributed as dist

from studio.train.trainer import Control


def agree(flags: Sequence[bool], group: Any) -> list[bool]:
    """Each flag, true when it is true in any process (a blocking MAX all-reduce)."""
    votes = torch.tensor([1.0 if f else 0.0 for f in flags])
    dist.all_reduce(votes, op=dist.ReduceOp.MAX, group=group)
    return [v > 0 for v in votes.tolist()]


EVERY = 4


class AgreedControl:
    """The Trainer's :class:`Control` in a data-parallel run: ``checkpoint()`` is False in every
    process at the same batch once any process's own control (a signal handler) asked to stop.

    Every process calls ``checkpoint()`` once per batch, the same number of times, so counting the
    calls tells them all when to vote."""

    def __init__(self, inner: Control | None, group: Any, every: int = EVERY) -> None:
        self.inner, self.group, self.every = inner, group, every
        self._asked = False  # this process's own control asked to stop
        self._calls = 0
        self._votes: torch.Tensor | None = None
        self._work: Any = None

    def checkpoint(self) -> bool:
        if self.inner is not None and not self.inner.checkpoint():
            self._asked = True
        self._calls += 1
        if self._calls % self.every:
            return True
        stop = False
        if self._work is not None:
            self._work.wait()
            stop = bool(self._votes[0] > 0)  # type: ignore[index]
        self._votes = torch.tensor([1.0 if self._asked else 0.0])
        self._work = dist.all_reduce(self._votes, op=dist.ReduceOp.MAX, group=self.group, async_op=True)
        return not stop

    def close(self) -> None:
        """Wait for the vote in flight (every process casts the same number of votes); never raises."""
        work, self._work = self._work, None
        if work is not None:
            with contextlib.suppress(Exception):  # a peer is gone: the run has failed already
                work.wait()
