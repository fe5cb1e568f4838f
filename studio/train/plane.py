"""Which plane of a classifier's input space the live decision boundary shows.

Data with two inputs is its own plane. With more, :class:`BoundaryProbe` looks at one plane through
the model's input space (after preprocessing), chosen by a :class:`PlaneChoice`:

* ``"pca"`` (the default): the first two principal components of the training rows' inputs
  (scikit-learn's PCA); a point of the plane is mapped back with ``inverse_transform``, so the grid
  lies in the plane through the inputs' mean spanned by PC1 and PC2.
* ``"features"``: two chosen raw numeric features, which reach the model as columns of their own
  (scaled, clipped, imputed); every other input is held at its median over the training rows.

A fitted :class:`Plane` maps plane coordinates ``(n, 2)`` to model inputs ``(n, d)`` and projects
inputs onto the plane; its axis labels name raw columns, or "PC1 (73% of variance)".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from studio.errors import StudioError

PlaneKind = Literal["input", "pca", "features"]
FIT_ROWS = 5000  # training rows the PCA and the medians are computed on (evenly spaced)
MAX_INPUTS = 4096  # wider rows are not drawn: each grid as inputs would take 1,600 x inputs floats


class PlaneError(StudioError):
    """A plane that cannot be drawn for this data (a feature that is not a numeric input)."""


@dataclass(frozen=True)
class PlaneChoice:
    """``kind`` "pca", or "features" with ``features`` = (the x feature, the y feature)."""

    kind: Literal["pca", "features"] = "pca"
    features: tuple[str, str] | None = None

    def check(self, names: Sequence[str], numeric: Sequence[str]) -> None:
        """Raise a PlaneError unless both chosen features are numeric inputs among ``names``."""
        if self.kind == "pca":
            return
        if self.features is None or len(self.features) != 2 or self.features[0] == self.features[1]:
            raise PlaneError(f"the plane needs two different features, got {self.features!r}; "
                             "choose two numeric features or the principal components")
        for f in self.features:
            if f not in numeric:
                why = "is not numeric" if f in names else "is not an input of the model"
                raise PlaneError(f"feature {f!r} {why}; choose two of: {', '.join(numeric) or '(none)'}, "
                                 "or the principal components")


def plane_inputs(prepared: Any) -> tuple[list[str], list[str]]:
    """(the model's input names, the raw numeric features among them) of a table recipe's Prepared;
    ([], []) when its data has no table input. A numeric feature that a step turned into something
    else (a ``pca`` step, a dropped column) is not an input under its own name."""
    pre = getattr(prepared, "preprocessor", None)
    if pre is None or len(prepared.inputs) != 1:
        return [], []
    names = list(pre.feature_names)
    return names, [n for n in pre.encoder.numeric if n in names]


def shows_boundary(prepared: Any) -> bool:
    """True when a run of this data shows the live decision boundary: one table input of 2 to MAX_INPUTS
    columns, a classification task."""
    names, _ = plane_inputs(prepared)
    return 2 <= len(names) <= MAX_INPUTS and prepared.table.task == "classification"


def redrawn_fast(prepared: Any) -> bool:
    """True when the live boundary is the Playground's own view, data of exactly two inputs, which the
    Train page redraws twice a second. Over a plane of more inputs it is redrawn at the ordinary pace:
    on 2 cores each redraw's CPU comes out of training (benchmarks/ui_throughput.py on breast cancer:
    0.64 of a bare run's throughput at 0.45 s)."""
    return shows_boundary(prepared) and len(plane_inputs(prepared)[0]) == 2


@dataclass(frozen=True)
class Plane:
    """A fitted plane: ``inputs(uv)`` (n, 2) -> (n, d) model inputs; ``project(x)`` (n, d) -> (n, 2)."""

    kind: PlaneKind
    x_label: str
    y_label: str
    origin: np.ndarray  # (d,): the inputs at plane coordinates (0, 0) (pca: the mean; features: medians)
    axes: np.ndarray  # (2, d): the inputs' change per unit of each plane coordinate

    def inputs(self, uv: np.ndarray) -> np.ndarray:
        return (self.origin[None, :] + uv @ self.axes).astype(np.float32)  # (n, d)

    def project(self, x: np.ndarray) -> np.ndarray:
        if self.kind == "pca":
            return (x - self.origin[None, :]) @ self.axes.T  # the axes are orthonormal
        cols = np.argmax(self.axes, axis=1)
        return x[:, cols]


def fit_plane(choice: PlaneChoice | None, x: np.ndarray, names: Sequence[str] | None = None,
              numeric: Sequence[str] | None = None) -> Plane:
    """The plane to draw for training inputs ``x`` (n, d); ``names`` (d,) and ``numeric`` as
    :func:`plane_inputs` gives them (without names, a features choice falls back to the PCA plane)."""
    d = x.shape[1]
    labels = list(names) if names is not None and len(names) == d else [f"feature {i + 1}" for i in range(d)]
    rows = x[np.linspace(0, len(x) - 1, min(len(x), FIT_ROWS)).astype(int)].astype(np.float64)
    if choice is None and d == 2:
        return _columns("input", rows, labels, 0, 1, origin=np.zeros(d))
    if choice is not None and choice.kind == "features" and names is not None and len(names) == d:
        choice.check(names, numeric if numeric is not None else names)
        assert choice.features is not None
        i, j = labels.index(choice.features[0]), labels.index(choice.features[1])
        return _columns("features", rows, labels, i, j, origin=np.median(rows, axis=0))
    return _pca(rows)


def _columns(kind: PlaneKind, rows: np.ndarray, labels: list[str], i: int, j: int, origin: np.ndarray) -> Plane:
    origin = origin.copy()
    origin[[i, j]] = 0.0  # the grid's coordinates are these two inputs' own values
    axes = np.zeros((2, rows.shape[1]))
    axes[0, i] = axes[1, j] = 1.0
    return Plane(kind, labels[i], labels[j], origin, axes)


def _pca(rows: np.ndarray) -> Plane:
    from sklearn.decomposition import PCA

    pca = PCA(n_components=2, random_state=0).fit(rows)  # "auto": a randomized solver for wide data
    share = pca.explained_variance_ratio_
    return Plane("pca", f"PC1 ({share[0]:.0%} of variance)", f"PC2 ({share[1]:.0%} of variance)",
                 pca.mean_.astype(np.float64), pca.components_.astype(np.float64))
