"""Evaluation and prediction in large batches under ``torch.inference_mode()``.

The per-epoch metric is accuracy (classification) or R² (regression), computed on the device with
one ``.item()`` per call; the full report for the test split lives in :mod:`studio.train.metrics`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

EVAL_BATCH = 4096
METRIC_NAMES = {"classification": "accuracy", "regression": "r2"}


def _outputs(model: nn.Module, xs: Sequence[torch.Tensor], batch_size: int, ctx: Callable[[], Any]) -> torch.Tensor:
    """The model's outputs for every row of the inputs ``xs`` as fp32 ``(n, n_outputs)``, in eval mode."""
    was_training = model.training
    model.eval()
    n = len(xs[0])
    try:
        with torch.inference_mode(), ctx():
            # max(.., 1): empty inputs still run once, so the result has the right number of columns
            parts = [model(*(x[i:i + batch_size] for x in xs)).float() for i in range(0, max(n, 1), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(parts)


def model_outputs(model: nn.Module, xs: Sequence[torch.Tensor], batch_size: int = EVAL_BATCH,
                  ctx: Callable[[], Any] = contextlib.nullcontext) -> torch.Tensor:
    """The model's fp32 outputs ``(n, n_outputs)`` for the inputs ``xs``, in eval mode and large batches."""
    return _outputs(model, xs, batch_size, ctx)


def evaluate(
    model: nn.Module,
    x: torch.Tensor | Sequence[torch.Tensor],
    y: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    task: str,
    batch_size: int = EVAL_BATCH,
    ctx: Callable[[], Any] = contextlib.nullcontext,
) -> tuple[float, float]:
    """``(mean loss, metric)`` of the model on ``(x, y)``; the metric is accuracy or R². ``x`` is one
    input tensor, or one per input of the model."""
    out = _outputs(model, [x] if isinstance(x, torch.Tensor) else list(x), batch_size, ctx)  # (n, n_outputs)
    with torch.inference_mode():
        loss = loss_fn(out, y)
        metric = _METRICS[task](out, y)
        values = torch.stack([loss.float(), metric.float()]).tolist()  # one sync for both
    return float(values[0]), float(values[1])


def accuracy_tensor(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Share of rows whose highest output is the true class (0-d tensor)."""
    return (out.argmax(1) == y).float().mean()


def r2_tensor(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """R² = 1 - SSE / SST (0-d tensor); a constant target gives -inf or nan, as scikit-learn's raw formula.

    Several outputs (y of shape (n, h)): SST per output column, summed, which is scikit-learn's
    ``multioutput="variance_weighted"``.
    """
    sse = (pred - y).pow(2).sum()
    sst = (y - y.mean(dim=0)).pow(2).sum()
    return 1.0 - sse / sst


_METRICS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "classification": accuracy_tensor,
    "regression": lambda out, y: r2_tensor(out.reshape(y.shape), y),
}


def predict(
    model: nn.Module,
    x: np.ndarray | Sequence[np.ndarray],
    task: str,
    device: torch.device | None = None,
    batch_size: int = EVAL_BATCH,
) -> np.ndarray:
    """Class probabilities ``(n, k)`` (softmax) or predicted values ``(n,)`` (``(n, h)`` for h outputs), float64.

    ``x``: one input array, or one per input of the model (floats as float32, pixels kept uint8, token ids int64).
    """
    if device is None:
        device = next(model.parameters()).device
    arrays = [x] if isinstance(x, np.ndarray) else list(x)
    kept = (np.uint8, np.int64)  # pixels, token ids
    xs = [torch.as_tensor(np.ascontiguousarray(a if a.dtype in kept else a.astype(np.float32, copy=False)),
                          device=device) for a in arrays]
    out = _outputs(model, xs, batch_size, contextlib.nullcontext)
    result = torch.softmax(out, dim=1) if task == "classification" else out.reshape(-1) if out.shape[1] == 1 else out
    return result.cpu().numpy().astype(np.float64)
