"""What sequence blocks share: the ``Seq`` pair that travels between them, and mask arithmetic.

A sequence is ``Seq(x, mask)``: ``x`` (B, L, D) float features and ``mask`` (B, L) bool, True at a
real step. Texts are padded at the end, so a row's real steps are its first ``lengths`` steps. Every
sequence module returns pad steps as zeros (``zero_pads``), so nothing downstream can pick a value
up from a pad, and an all-pad row (an empty text) stays finite: softmaxes never see a row of only
-inf (see :func:`masked_softmax`).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from studio.blocks.base import Shape, Steps, fmt
from studio.errors import ShapeError

SEQUENCE_NEEDS = "a sequence (L, D)"


class Seq(NamedTuple):
    """A batch of sequences: ``x`` (B, L, D) float, ``mask`` (B, L) bool, True = a real step."""

    x: torch.Tensor
    mask: torch.Tensor


def require_steps(where: str, shape: Shape) -> tuple[int, int]:
    """``(L, D)`` of a sequence input, or a ShapeError with the fix."""
    if not isinstance(shape, Steps):
        raise ShapeError(f"{where} needs {SEQUENCE_NEEDS} but gets {fmt(shape)}: add an embedding block first")
    length, dim = shape
    return length, dim


def zero_pads(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``x`` (B, L, D) with every pad step set to 0 (a select, so even a NaN at a pad goes)."""
    return torch.where(mask.unsqueeze(-1), x, 0.0)


def lengths(mask: torch.Tensor) -> torch.Tensor:
    """(B,) int64: real steps per row."""
    return mask.long().sum(1)


def reverse_within(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Each row's real steps in reverse order, pads left where they are: (B, L, D) -> (B, L, D).

    Step t < n of a row of length n takes step n - 1 - t; a pad takes itself. Applied twice it is
    the identity, so a backward recurrence is ``reverse_within(rnn(reverse_within(x)))``.
    """
    steps = torch.arange(x.shape[1], device=x.device).unsqueeze(0)  # (1, L)
    n = lengths(mask).unsqueeze(1)  # (B, 1)
    index = torch.where(steps < n, n - 1 - steps, steps)  # (B, L)
    return x.gather(1, index.unsqueeze(-1).expand_as(x))


def last_real(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(B, L, D) -> (B, D): each row's last real step (step 0, a zero pad, for an empty row)."""
    index = (lengths(mask) - 1).clamp(min=0)  # (B,)
    return x.gather(1, index.view(-1, 1, 1).expand(-1, 1, x.shape[2])).squeeze(1)


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax over ``dim`` giving pads weight 0; a row of only pads gets uniform (finite) weights.

    Pads get the dtype's lowest finite value, not -inf, so ``max`` is never -inf and nothing is NaN.
    """
    low = torch.finfo(scores.dtype).min
    return scores.masked_fill(~mask, low).softmax(dim)


class ToSeq(nn.Module):
    """A float (B, L, D) input (a series window: no pads) -> ``Seq`` with every step real."""

    def forward(self, x: torch.Tensor) -> Seq:
        return Seq(x, torch.ones(x.shape[:2], dtype=torch.bool, device=x.device))


class OnSteps(nn.Module):
    """Runs a per-feature module (dropout, activation, layernorm) on ``x`` and passes the mask on."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, seq: Seq) -> Seq:
        return Seq(zero_pads(self.inner(seq.x), seq.mask), seq.mask)


class FlattenSteps(nn.Module):
    """``Seq`` -> (B, L * D): the features of every step in order, pads as zeros."""

    def forward(self, seq: Seq) -> torch.Tensor:
        return seq.x.flatten(1)
