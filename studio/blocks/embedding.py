"""Token ids to vectors (``embedding``) and where each step stands (``positional``)."""

from __future__ import annotations

import math
from typing import Literal

import torch
from pydantic import Field
from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, Steps, Tokens, fmt
from studio.blocks.sequence_base import Seq, require_steps, zero_pads
from studio.errors import ShapeError
from studio.registry import Params
from studio.text.spec import PAD


class EmbeddingParams(Params):
    dim: int = Field(64, ge=1, le=1024, description="Length of each token's learned vector.")


class Embed(nn.Module):
    """int64 ids (B, L) -> ``Seq``: one learned vector per id, PAD's row fixed at zero, mask = ids != PAD."""

    def __init__(self, vocab: int, dim: int) -> None:
        super().__init__()
        self.table = nn.Embedding(vocab, dim, padding_idx=PAD)

    def forward(self, ids: torch.Tensor) -> Seq:
        mask = ids != PAD  # (B, L)
        return Seq(zero_pads(self.table(ids), mask), mask)  # (B, L, D)


@BLOCKS.register("embedding", EmbeddingParams,
                 "Turns each token id of a text into a learned vector: token ids (L,) -> a sequence (L, dim).")
class Embedding(Block):
    takes_sequences = True

    @classmethod
    def out_shape(cls, p: EmbeddingParams, shape: Shape, where: str) -> Shape:
        if not isinstance(shape, Tokens):
            raise ShapeError(f"{where} needs token ids (L,) but gets {fmt(shape)}: "
                             "put it first in the blocks of a text input")
        return Steps(shape[0], p.dim)

    @classmethod
    def build(cls, p: EmbeddingParams, shape: Shape) -> nn.Module:
        assert isinstance(shape, Tokens)
        return Embed(shape.vocab, p.dim)

    @classmethod
    def label(cls, p: EmbeddingParams) -> str:
        return f"embedding {p.dim}"


class PositionalParams(Params):
    encoding: Literal["learned", "sinusoidal"] = Field(
        "learned", description="'learned': one trained vector per position; 'sinusoidal': fixed sines and "
        "cosines of the position (no weights).", json_schema_extra={"ui": "select"},
    )


def sinusoids(length: int, dim: int) -> torch.Tensor:
    """(length, dim): sin at even features, cos at odd ones, wavelengths 2*pi to 10000*2*pi."""
    position = torch.arange(length, dtype=torch.float32).unsqueeze(1)  # (L, 1)
    rate = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))  # (ceil(D/2),)
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(position * rate)
    table[:, 1::2] = torch.cos(position * rate[: dim // 2])
    return table


class AddPosition(nn.Module):
    """``x + table[:L]``: position t of every row gets row t (texts start at step 0, pads stay zero)."""

    def __init__(self, table: torch.Tensor, learned: bool) -> None:
        super().__init__()
        if learned:
            self.table = nn.Parameter(table)
        else:
            self.register_buffer("table", table)

    def forward(self, seq: Seq) -> Seq:
        x = seq.x + self.table[: seq.x.shape[1]]  # (B, L, D) + (L, D)
        return Seq(zero_pads(x, seq.mask), seq.mask)


@BLOCKS.register("positional", PositionalParams,
                 "Adds where each step stands to its features, so attention can tell word order.")
class Positional(Block):
    takes_sequences = True

    @classmethod
    def out_shape(cls, p: PositionalParams, shape: Shape, where: str) -> Shape:
        require_steps(where, shape)
        return shape

    @classmethod
    def build(cls, p: PositionalParams, shape: Shape) -> nn.Module:
        length, dim = shape
        if p.encoding == "learned":
            return AddPosition(torch.randn(length, dim) * 0.02, learned=True)
        return AddPosition(sinusoids(length, dim), learned=False)

    @classmethod
    def label(cls, p: PositionalParams) -> str:
        return f"positional {p.encoding}"
