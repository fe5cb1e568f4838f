"""Evaluation and prediction in large batches under ``torch.inference_mode()``.

The per-epoch metric is accuracy (classification) or R² (regression), computed on the device with
one ``.item()`` per call; the full report for the test split lives in :mod:`studio.train.metrics`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

EVAL_BATCH = 4096
METRIC_NAMES = {"classification": "accuracy", "regression": "r2"}


def _outputs(model: nn.Module, x: torch.Tensor, batch_size: int, ctx: Callable[[], Any]) -> torch.Tensor:
    """The model's outputs for every row of ``x`` as fp32 ``(n, n_outputs)``, in eval mode."""
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode(), ctx():
            # max(.., 1): an empty x still runs once, so the result has the right number of columns
            parts = [model(x[i:i + batch_size]).float() for i in range(0, max(len(x), 1), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(parts)


def evaluate(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    task: str,
    batch_size: int = EVAL_BATCH,
    ctx: Callable[[], Any] = contextlib.nullcontext,
) -> tuple[float, float]:
    """``(mean loss, metric)`` of the model on ``(x, y)``; the metric is accuracy or R²."""
    out = _outputs(model, x, batch_size, ctx)  # (n, n_outputs)
    with torch.inference_mode():
        loss = loss_fn(out, y)
        metric = _METRICS[task](out, y)
        values = torch.stack([loss.float(), metric.float()]).tolist()  # one sync for both
    return float(values[0]), float(values[1])


def accuracy_tensor(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Share of rows whose highest output is the true class (0-d tensor)."""
    return (out.argmax(1) == y).float().mean()


def r2_tensor(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """R² = 1 - SSE / SST (0-d tensor); a constant target gives -inf or nan, as scikit-learn's raw formula."""
    sse = (pred - y).pow(2).sum()
    sst = (y - y.mean()).pow(2).sum()
    return 1.0 - sse / sst


_METRICS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "classification": accuracy_tensor,
    "regression": lambda out, y: r2_tensor(out.reshape(-1), y),
}


def predict(
    model: nn.Module,
    x: np.ndarray,
    task: str,
    device: torch.device | None = None,
    batch_size: int = EVAL_BATCH,
) -> np.ndarray:
    """Class probabilities ``(n, k)`` (softmax) or predicted values ``(n,)``, as float64 numpy."""
    if device is None:
        device = next(model.parameters()).device
    xt = torch.as_tensor(np.ascontiguousarray(x, dtype=np.float32), device=device)
    out = _outputs(model, xt, batch_size, contextlib.nullcontext)
    result = torch.softmax(out, dim=1) if task == "classification" else out.reshape(-1)
    return result.cpu().numpy().astype(np.float64)
