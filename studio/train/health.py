"""The network's health after epochs: each weight layer's gradient norm and each ReLU's dead units.

:class:`HealthProbe` is a Trainer probe (see :class:`studio.train.boundary.BoundaryProbe`). At most once
per ``interval`` seconds, and at the end, it reads the gradient norm of every weight tensor (the
gradients of the epoch's last batch, still held after its optimizer step) and runs a fixed sample of
training rows through the model in eval mode with hooks on every ``nn.ReLU`` to count the units
(channels, for images) that are never active on any of them. What it measures, :class:`HealthEnd`,
feeds the dead-ReLU and vanishing/exploding-gradient diagnoses.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import torch
from torch import nn

from studio.train.events import Event
from studio.train.tensors import hooked_forward, sample_rows

SAMPLE_ROWS = 512


@dataclass(frozen=True)
class HealthEnd(Event):
    """After ``epoch``: weight layers (input side first) with their gradient norms, ReLU layers with the
    share of their units never active on the sample."""

    name: ClassVar[str] = "health"
    epoch: int
    layers: tuple[str, ...]
    grad_norms: tuple[float, ...]
    relus: tuple[str, ...]
    dead_shares: tuple[float, ...]
    rows: int  # rows in the sample


class HealthProbe:
    inputs = "all"  # the Trainer starts it for a network of several inputs too (x: the tuple of their tensors)

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._last = -float("inf")
        self.model: nn.Module | None = None
        self.latest: HealthEnd | None = None

    def start(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor, x_val: Any, y_val: Any, classes: int) -> bool:
        self.model = model
        self.sample = sample_rows(x, SAMPLE_ROWS)
        self.weights = [(name.removesuffix(".weight"), p) for name, p in model.named_parameters()
                        if p.requires_grad and p.ndim >= 2]
        self.relus = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.ReLU)]
        return bool(self.weights)

    def after_epoch(self, epoch: int, final: bool = False) -> HealthEnd | None:
        now = time.perf_counter()
        if self.model is None or (not final and now - self._last < self.interval):
            return None
        self._last = now
        grads = [p.grad for _, p in self.weights]
        present = [g.detach().float().norm() for g in grads if g is not None]
        read = iter(torch.stack(present).tolist() if present else [])  # one sync for every layer
        norms = [next(read) if g is not None else math.nan for g in grads]
        self.latest = HealthEnd(epoch, tuple(f"layer {i + 1}" for i in range(len(self.weights))), tuple(norms),
                                tuple(f"ReLU {i + 1}" for i in range(len(self.relus))), self._dead(),
                                len(self.sample[0]))
        return self.latest

    @torch.no_grad()
    def _dead(self) -> tuple[float, ...]:
        if not self.relus or self.model is None:
            return ()
        active: dict[int, torch.Tensor] = {}

        def hook(index: int) -> Any:
            def record(module: nn.Module, args: Any, out: torch.Tensor) -> None:
                dims = [d for d in range(out.ndim) if d != 1]  # every dim but the units / channels
                on = (out > 0).amax(dim=dims) if out.ndim > 1 else (out > 0)
                active[index] = on if index not in active else active[index] | on

            return record

        hooked_forward(self.model, self.sample, [(m, hook(i)) for i, (_, m) in enumerate(self.relus)])
        return tuple(float(1.0 - active[i].float().mean()) if i in active else math.nan
                     for i in range(len(self.relus)))


def as_dict(event: HealthEnd | None) -> dict[str, Any] | None:
    """Plain data for summary.json (None when nothing was measured)."""
    return None if event is None else {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(event).items()}
