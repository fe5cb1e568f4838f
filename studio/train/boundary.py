"""The live decision boundary of a classifier: what the output and every hidden unit compute over a
plane of its input space, TensorFlow-Playground style, as plain data for the page to draw.

A :class:`BoundaryProbe` is handed to the Trainer (``probes=``). At most every ``interval`` seconds,
after an epoch or during a long one (and once more at the end, with the weights the run keeps), it
evaluates the model on a grid over the plane (see :mod:`studio.train.plane`: the inputs themselves for
2-D data, else the first two principal components or two chosen features, in the model's input space
after preprocessing) and emits a :class:`BoundaryEnd`: the output's surface (the probability of the
second class for two classes, else the predicted class), each hidden activation unit's value on a
coarser grid, and a sample of the training and validation points projected onto the plane. It runs on
the training thread, in eval mode, without gradients; a 2-8-8-2 network costs about a millisecond a look.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from studio.train.events import Event
from studio.train.plane import MAX_INPUTS, Plane, PlaneChoice, fit_plane, plane_inputs

ACTIVATION_TYPES = (nn.ReLU, nn.LeakyReLU, nn.GELU, nn.SiLU, nn.Tanh, nn.Sigmoid, nn.ELU)
MAX_UNITS = 16  # a hidden layer wider than this is not drawn unit by unit
MAX_POINTS = 400  # points of each split drawn over the surface
MARGIN = 0.1  # the grid reaches this share of the points' range beyond them


@dataclass(frozen=True)
class BoundaryEnd(Event):
    """The network over the plane after ``epoch`` (``during``: part-way through it; ``final``: with the
    weights the run keeps). ``x_label``/``y_label`` name the plane's axes; ``plane`` is its kind."""

    name: ClassVar[str] = "boundary"
    epoch: int
    final: bool
    xs: tuple[float, ...]  # grid columns (first plane coordinate)
    ys: tuple[float, ...]  # grid rows (second plane coordinate)
    surface: tuple[tuple[float, ...], ...]  # (rows, columns): P(second class), or the predicted class code
    classes: int
    unit_xs: tuple[float, ...]
    unit_ys: tuple[float, ...]
    units: tuple[tuple[int, int, tuple[tuple[float, ...], ...]], ...]  # (layer, unit, its values on the grid)
    points: tuple[tuple[float, float, int, str], ...]  # (x, y, class code, "train" | "val")
    x_label: str = "feature 1"
    y_label: str = "feature 2"
    plane: str = "input"  # "input" (2-D data) | "pca" | "features"
    during: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Shallow (its fields are immutable): ``asdict``'s deep copy of the grids costs ~20 ms a look."""
        return {"event": self.name, **{f.name: getattr(self, f.name) for f in fields(self)}}


class BoundaryProbe:
    """Evaluates a classifier over a plane of its inputs after epochs; see the module's doc.

    Args:
        interval: least seconds between two views. Asked after epochs and at every BatchEnd (0.2 s
            apart), a probe of 0.3 s looks about every 0.4 s: each poll of the Train page (0.45 s while
            it draws the boundary) finds a new view.
        plane: which plane when the data has more than 2 inputs (None: the principal components).
        names, numeric: the model's input names and the raw numeric features among them
            (:func:`studio.train.plane.plane_inputs`); they label the axes and let ``plane`` name features.
    """

    def __init__(self, resolution: int = 40, unit_resolution: int = 20, interval: float = 0.3,
                 plane: PlaneChoice | None = None, names: Sequence[str] | None = None,
                 numeric: Sequence[str] | None = None) -> None:
        self.resolution, self.unit_resolution, self.interval = resolution, unit_resolution, interval
        self.names = list(names) if names else None
        self.numeric = list(numeric) if numeric is not None else self.names  # None: every input is numeric
        if plane is not None and self.names is not None:
            plane.check(self.names, self.numeric or [])
        self.wanted: PlaneChoice | None = plane  # read at every look: set_plane switches a running probe
        self._last = -float("inf")
        self.model: nn.Module | None = None

    @classmethod
    def for_data(cls, prepared: Any, plane: PlaneChoice | None = None, **kwargs: Any) -> BoundaryProbe:
        """A probe for a recipe's Prepared data: its axes named after the model's inputs; a PlaneError
        (one sentence) when ``plane`` names a feature that is not a numeric input."""
        names, numeric = plane_inputs(prepared)
        return cls(plane=plane, names=names or None, numeric=numeric if names else None, **kwargs)

    def set_plane(self, plane: PlaneChoice | None) -> None:
        """Show ``plane`` from the next look on (thread-safe: one attribute, read by the training thread)."""
        if plane is not None and self.names is not None:
            plane.check(self.names, self.numeric or [])
        self.wanted = plane

    def start(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor, x_val: torch.Tensor | None,
              y_val: torch.Tensor | None, classes: int) -> bool:
        """Take the training (and validation) points; False (and the probe stays quiet) unless the model
        is an nn.Sequential over rows of 2 to MAX_INPUTS float inputs."""
        if not isinstance(model, nn.Sequential) or x.ndim != 2 or not 2 <= x.shape[1] <= MAX_INPUTS \
                or len(x) < 3 or not x.is_floating_point() or classes < 2:
            return False
        self.model, self.classes = model, classes
        self._x = x.detach().float().cpu().numpy()
        self._y = y.detach().cpu().numpy().astype(int)
        has_val = x_val is not None and y_val is not None and len(y_val)
        self._x_val = x_val.detach().float().cpu().numpy() if has_val else None  # type: ignore[union-attr]
        self._y_val = y_val.detach().cpu().numpy().astype(int) if has_val else None  # type: ignore[union-attr]
        self.device = next(model.parameters()).device
        self._fit(self.wanted)
        return True

    def _fit(self, choice: PlaneChoice | None) -> None:
        """Fit the plane, its grids (as model inputs, kept on the device) and the projected points."""
        self.choice = choice
        self.plane: Plane = fit_plane(choice, self._x, self.names, self.numeric)
        uv = self.plane.project(self._x)
        low, high = uv.min(0), uv.max(0)
        pad = (high - low) * MARGIN + 1e-6
        self.xs = np.linspace(low[0] - pad[0], high[0] + pad[0], self.resolution)
        self.ys = np.linspace(low[1] - pad[1], high[1] + pad[1], self.resolution)
        self.uxs = np.linspace(self.xs[0], self.xs[-1], self.unit_resolution)
        self.uys = np.linspace(self.ys[0], self.ys[-1], self.unit_resolution)
        self._grid_in, self._unit_in = self._grid(self.xs, self.ys), self._grid(self.uxs, self.uys)
        self.points = _sample(uv, self._y, "train")
        if self._x_val is not None:
            self.points += _sample(self.plane.project(self._x_val), self._y_val, "val")

    def after_epoch(self, epoch: int, final: bool = False) -> BoundaryEnd | None:
        """The boundary now, when ``interval`` has passed since the last one (always when ``final``)."""
        return self._look(epoch, final, during=False)

    def during_epoch(self, epoch: int) -> BoundaryEnd | None:
        """The same, part-way through ``epoch`` (the Trainer asks when it reports a batch), so a long
        epoch does not slow the redraws."""
        return self._look(epoch, False, during=True)

    def _look(self, epoch: int, final: bool, during: bool) -> BoundaryEnd | None:
        now = time.perf_counter()
        if self.model is None or (not final and now - self._last < self.interval):
            return None
        self._last = now
        if self.wanted != self.choice:
            self._fit(self.wanted)
        model = self.model
        was_training = model.training
        model.eval()
        try:
            surface = self._surface(model)
            units = self._units(model)
        finally:
            model.train(was_training)
        p = self.plane
        return BoundaryEnd(epoch, final, _floats(self.xs), _floats(self.ys), surface, self.classes,
                           _floats(self.uxs), _floats(self.uys), units, self.points, p.x_label, p.y_label,
                           p.kind, during)

    def _grid(self, xs: np.ndarray, ys: np.ndarray) -> torch.Tensor:
        gx, gy = np.meshgrid(xs, ys)  # (rows = y, columns = x)
        uv = np.stack([gx.ravel(), gy.ravel()], 1)  # (G*G, 2) plane coordinates
        return torch.as_tensor(self.plane.inputs(uv), dtype=torch.float32, device=self.device)  # (G*G, d)

    @torch.no_grad()
    def _surface(self, model: nn.Module) -> tuple[tuple[float, ...], ...]:
        proba = torch.softmax(model(self._grid_in).float(), dim=1)  # (G*G, K)
        values = proba[:, 1] if self.classes == 2 else proba.argmax(1).float()
        return _rows(values.cpu().numpy().reshape(len(self.ys), len(self.xs)))

    @torch.no_grad()
    def _units(self, model: nn.Module) -> tuple[tuple[int, int, tuple[tuple[float, ...], ...]], ...]:
        out = []
        h = self._unit_in
        for layer, module in enumerate(model):
            h = module(h)
            if isinstance(module, ACTIVATION_TYPES) and h.ndim == 2 and h.shape[1] <= MAX_UNITS:
                grid = h.float().cpu().numpy().reshape(len(self.uys), len(self.uxs), -1)
                out += [(layer, u, _rows(grid[:, :, u])) for u in range(h.shape[1])]
        return tuple(out)


def _floats(a: np.ndarray) -> tuple[float, ...]:
    return tuple(a.tolist())


def _rows(a: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(map(tuple, np.round(a.astype(np.float64), 4).tolist()))


def _sample(pts: np.ndarray, labels: np.ndarray, split: str) -> tuple[tuple[float, float, int, str], ...]:
    keep = np.linspace(0, len(pts) - 1, min(len(pts), MAX_POINTS)).astype(int) if len(pts) else []
    return tuple((float(pts[i, 0]), float(pts[i, 1]), int(labels[i]), split) for i in keep)
