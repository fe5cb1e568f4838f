"""The live decision boundary of a network on 2-D data: what the output and every hidden unit compute
over the plane, TensorFlow-Playground style, as plain data for the page to draw.

A :class:`BoundaryProbe` is handed to the Trainer (``probes=``); after an epoch, at most every
``interval`` seconds (and once more at the end, with the weights the run keeps), it evaluates the model
on a grid over the training points' range (in the model's input space, after preprocessing) and emits
a :class:`BoundaryEnd`: the output's surface (the probability of the second class for two classes,
else the predicted class), each hidden activation unit's value on a coarser grid, and a sample of the
training and validation points. It runs on the training thread, in eval mode, without gradients;
a 2-8-8-2 network costs well under a millisecond per look.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from studio.train.events import Event

ACTIVATION_TYPES = (nn.ReLU, nn.LeakyReLU, nn.GELU, nn.SiLU, nn.Tanh, nn.Sigmoid, nn.ELU)
MAX_UNITS = 16  # a hidden layer wider than this is not drawn unit by unit
MAX_POINTS = 400  # points of each split drawn over the surface
MARGIN = 0.1  # the grid reaches this share of the points' range beyond them


@dataclass(frozen=True)
class BoundaryEnd(Event):
    """The network over the plane after ``epoch`` (``final``: with the weights the run keeps)."""

    name: ClassVar[str] = "boundary"
    epoch: int
    final: bool
    xs: tuple[float, ...]  # grid columns (first input feature)
    ys: tuple[float, ...]  # grid rows (second input feature)
    surface: tuple[tuple[float, ...], ...]  # (rows, columns): P(second class), or the predicted class code
    classes: int
    unit_xs: tuple[float, ...]
    unit_ys: tuple[float, ...]
    units: tuple[tuple[int, int, tuple[tuple[float, ...], ...]], ...]  # (layer, unit, its values on the grid)
    points: tuple[tuple[float, float, int, str], ...]  # (x, y, class code, "train" | "val")


class BoundaryProbe:
    """Evaluates a 2-D classifier over a grid after epochs; see the module's doc."""

    def __init__(self, resolution: int = 40, unit_resolution: int = 20, interval: float = 0.4) -> None:
        self.resolution, self.unit_resolution, self.interval = resolution, unit_resolution, interval
        self._last = -float("inf")
        self.model: nn.Module | None = None

    def start(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor, x_val: torch.Tensor | None,
              y_val: torch.Tensor | None, classes: int) -> bool:
        """Take the training (and validation) points; False (and the probe stays quiet) unless 2-D."""
        if not isinstance(model, nn.Sequential) or x.ndim != 2 or x.shape[1] != 2 or classes < 2:
            return False
        self.model, self.classes = model, classes
        pts = x.detach().float().cpu().numpy()
        low, high = pts.min(0), pts.max(0)
        pad = (high - low) * MARGIN + 1e-6
        self.xs = np.linspace(low[0] - pad[0], high[0] + pad[0], self.resolution)
        self.ys = np.linspace(low[1] - pad[1], high[1] + pad[1], self.resolution)
        self.uxs = np.linspace(self.xs[0], self.xs[-1], self.unit_resolution)
        self.uys = np.linspace(self.ys[0], self.ys[-1], self.unit_resolution)
        self.points = _sample(pts, y, "train")
        if x_val is not None and y_val is not None and len(y_val):
            self.points += _sample(x_val.detach().float().cpu().numpy(), y_val, "val")
        self.device = next(model.parameters()).device
        return True

    def after_epoch(self, epoch: int, final: bool = False) -> BoundaryEnd | None:
        """The boundary now, when ``interval`` has passed since the last one (always when ``final``)."""
        now = time.perf_counter()
        if self.model is None or (not final and now - self._last < self.interval):
            return None
        self._last = now
        model = self.model
        was_training = model.training
        model.eval()
        try:
            surface = self._surface(model)
            units = self._units(model)
        finally:
            model.train(was_training)
        return BoundaryEnd(epoch, final, _floats(self.xs), _floats(self.ys), surface, self.classes,
                           _floats(self.uxs), _floats(self.uys), units, self.points)

    def _grid(self, xs: np.ndarray, ys: np.ndarray) -> torch.Tensor:
        gx, gy = np.meshgrid(xs, ys)  # (rows = y, columns = x)
        return torch.as_tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32, device=self.device)

    @torch.no_grad()
    def _surface(self, model: nn.Module) -> tuple[tuple[float, ...], ...]:
        proba = torch.softmax(model(self._grid(self.xs, self.ys)).float(), dim=1)  # (G*G, K)
        values = proba[:, 1] if self.classes == 2 else proba.argmax(1).float()
        return _rows(values.cpu().numpy().reshape(len(self.ys), len(self.xs)))

    @torch.no_grad()
    def _units(self, model: nn.Module) -> tuple[tuple[int, int, tuple[tuple[float, ...], ...]], ...]:
        out = []
        h = self._grid(self.uxs, self.uys)
        for layer, module in enumerate(model):
            h = module(h)
            if isinstance(module, ACTIVATION_TYPES) and h.ndim == 2 and h.shape[1] <= MAX_UNITS:
                grid = h.float().cpu().numpy().reshape(len(self.uys), len(self.uxs), -1)
                out += [(layer, u, _rows(grid[:, :, u])) for u in range(h.shape[1])]
        return tuple(out)


def _floats(a: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in a)


def _rows(a: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(v) for v in row) for row in np.round(a, 4))


def _sample(pts: np.ndarray, y: torch.Tensor, split: str) -> tuple[tuple[float, float, int, str], ...]:
    labels = y.detach().cpu().numpy().astype(int)
    keep = np.linspace(0, len(pts) - 1, min(len(pts), MAX_POINTS)).astype(int) if len(pts) else []
    return tuple((float(pts[i, 0]), float(pts[i, 1]), int(labels[i]), split) for i in keep)
