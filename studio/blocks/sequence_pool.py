"""``seq_pool``: a sequence (L, D) to flat features (D,), over the real steps only.

An empty row (no real step) pools to zeros: the mean divides by at least 1, the max of nothing is 0,
the last real step of nothing is step 0 (a zero pad), and attention weighs zero steps.
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field
from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape
from studio.blocks.sequence_base import Seq, last_real, lengths, masked_softmax, require_steps
from studio.registry import Params

PoolMode = Literal["mean", "max", "last", "attention"]


class SeqPoolParams(Params):
    mode: PoolMode = Field(
        "mean", description="'mean' / 'max' over the real steps, 'last': the last real step, 'attention': a "
        "learned weighting of the steps.", json_schema_extra={"ui": "select"},
    )


class MeanPool(nn.Module):
    def forward(self, seq: Seq) -> torch.Tensor:
        count = lengths(seq.mask).clamp(min=1).unsqueeze(1).to(seq.x.dtype)  # (B, 1)
        return seq.x.sum(1) / count  # pads are zeros: the sum is over real steps


class MaxPool(nn.Module):
    def forward(self, seq: Seq) -> torch.Tensor:
        low = torch.finfo(seq.x.dtype).min
        top = seq.x.masked_fill(~seq.mask.unsqueeze(-1), low).amax(1)  # (B, D)
        return torch.where(seq.mask.any(1, keepdim=True), top, 0.0)


class LastPool(nn.Module):
    def forward(self, seq: Seq) -> torch.Tensor:
        return last_real(seq.x, seq.mask)


class AttentionPool(nn.Module):
    """``sum_t softmax(w . x_t + b) x_t`` over the real steps: a learned score per step."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.score = nn.Linear(dim, 1)

    def forward(self, seq: Seq) -> torch.Tensor:
        weights = masked_softmax(self.score(seq.x).squeeze(-1), seq.mask)  # (B, L), 0 at pads
        return (weights.unsqueeze(-1) * seq.x).sum(1)  # (B, D); an empty row weighs zero steps


POOLS = {"mean": MeanPool, "max": MaxPool, "last": LastPool}


@BLOCKS.register("seq_pool", SeqPoolParams,
                 "Pools a sequence (L, D) into flat features (D,): mean, max, last or attention over real steps.")
class SequencePool(Block):
    takes_sequences = True

    @classmethod
    def out_shape(cls, p: SeqPoolParams, shape: Shape, where: str) -> Shape:
        _, dim = require_steps(where, shape)
        return (dim,)

    @classmethod
    def build(cls, p: SeqPoolParams, shape: Shape) -> nn.Module:
        return AttentionPool(shape[1]) if p.mode == "attention" else POOLS[p.mode]()

    @classmethod
    def macs(cls, p: SeqPoolParams, shape: Shape) -> int:
        length, dim = shape
        return 2 * length * dim if p.mode == "attention" else 0  # scores, then the weighted sum

    @classmethod
    def label(cls, p: SeqPoolParams) -> str:
        return f"seq_pool {p.mode}"
