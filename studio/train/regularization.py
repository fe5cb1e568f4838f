"""Penalties added to the loss and gradient clipping.

L1 and L2 act on weights only (parameters with 2 or more dimensions: linear and conv kernels), not
on biases or normalization scales, as is usual. The L2 term is ``l2 * sum(w**2)`` (Keras'
convention), separate from an optimizer's weight_decay.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

Penalty = Callable[[], torch.Tensor]


def penalized_weights(model: nn.Module) -> list[nn.Parameter]:
    """The parameters L1/L2 apply to: trainable tensors with at least 2 dimensions."""
    return [p for p in model.parameters() if p.requires_grad and p.ndim >= 2]


def make_penalty(model: nn.Module, l1: float, l2: float) -> Penalty | None:
    """A function returning ``l1 * sum|w| + l2 * sum w**2`` over the weights, or None when both are 0."""
    weights = penalized_weights(model)
    if not weights or (l1 == 0 and l2 == 0):
        return None

    def penalty() -> torch.Tensor:
        total = torch.zeros((), device=weights[0].device)
        if l1:
            total = total + l1 * torch.stack([w.abs().sum() for w in weights]).sum()
        if l2:
            total = total + l2 * torch.stack([w.pow(2).sum() for w in weights]).sum()
        return total

    return penalty


def clip_gradients(parameters: list[nn.Parameter], max_norm: float | None) -> None:
    """Rescale the gradients so that their global norm is at most ``max_norm`` (no-op when None)."""
    if max_norm is not None:
        nn.utils.clip_grad_norm_(parameters, max_norm)
