"""The training loss: cross-entropy for classification, MSE or Huber for regression.

``training.loss = "auto"`` picks cross_entropy for classification and mse for regression. Every
loss takes the model's raw output ``(B, n_outputs)`` and the targets ``(B,)`` (or ``(B, h)`` for a
regression of h values, e.g. a forecast) and returns the batch mean, so the regression head's
``(B, 1)`` is flattened here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from sklearn.utils.class_weight import compute_class_weight
from torch.nn import functional as F

from studio.errors import RecipeError

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

_BY_TASK = {"classification": ("cross_entropy",), "regression": ("mse", "huber")}
_AUTO = {"classification": "cross_entropy", "regression": "mse"}
AUTO_LOSSES = tuple(_AUTO.values())  # what training.loss "auto" may pick, in the order of the tasks


def resolve_loss(name: str, task: str) -> str:
    """The loss really used; a loss that does not fit the task is a RecipeError."""
    if name == "auto":
        return _AUTO[task]
    if name not in _BY_TASK[task]:
        raise RecipeError(
            f"training.loss {name!r} does not fit a {task} task; use 'auto' or one of {', '.join(_BY_TASK[task])}"
        )
    return name


def balanced_class_weights(y_train: np.ndarray, n_classes: int) -> np.ndarray:
    """scikit-learn's "balanced" weights n / (k * count); classes absent from training get weight 1."""
    present = np.unique(y_train)
    weights = np.ones(n_classes, dtype=np.float32)
    weights[present] = compute_class_weight("balanced", classes=present, y=y_train)
    return weights


def make_loss(
    name: str,
    task: str,
    *,
    label_smoothing: float = 0.0,
    class_weights: torch.Tensor | None = None,
) -> LossFn:
    """The loss function ``(output, target) -> mean loss`` for ``training.loss`` and the task."""
    kind = resolve_loss(name, task)
    if kind == "cross_entropy":
        def cross_entropy(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            return F.cross_entropy(out, y, weight=class_weights, label_smoothing=label_smoothing)

        return cross_entropy
    regress = F.mse_loss if kind == "mse" else F.huber_loss

    def regression(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return regress(out.float().reshape(y.shape), y)  # (B, 1) -> (B,), (B, h) stays; fp32 under autocast

    return regression
