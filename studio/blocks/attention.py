"""Attention over a sequence: ``transformer_encoder`` (torch's own layers) and ``self_attention``.

Pads are keys no query may attend to (``key_padding_mask``). A row of only pads (an empty text)
would leave its queries nothing to attend to and softmax would give NaN, so such a row is let
attend to all its (zero) steps instead; its steps are pads, zeroed on the way out, so nothing of it
is read downstream.
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, fmt
from studio.blocks.sequence_base import Seq, require_steps, zero_pads
from studio.errors import ShapeError
from studio.registry import Params


def padding_keys(mask: torch.Tensor) -> torch.Tensor:
    """(B, L) bool, True = a key to ignore: the pads, except in a row of only pads."""
    return ~mask & mask.any(1, keepdim=True)


def check_heads(where: str, shape: Shape, heads: int) -> tuple[int, int]:
    length, dim = require_steps(where, shape)
    if dim % heads:
        fits = [h for h in range(1, min(dim, 16) + 1) if dim % h == 0]
        raise ShapeError(f"{where} splits each step's {dim} features into {heads} heads, but {dim} is not a "
                         f"multiple of {heads} (it gets {fmt(shape)}): use heads that divide {dim} "
                         f"({', '.join(map(str, fits))}) or change the width before it")
    return length, dim


def attention_macs(length: int, dim: int) -> int:
    """Q, K, V and output projections (4 L D^2) plus scores and weighted sum (2 L^2 D)."""
    return 4 * length * dim * dim + 2 * length * length * dim


class TransformerParams(Params):
    layers: int = Field(2, ge=1, le=24, description="Number of encoder layers stacked.")
    heads: int = Field(4, ge=1, le=64, description="Attention heads; must divide the sequence's width D.")
    ff: int = Field(128, ge=1, le=8192, description="Width of each layer's feed-forward part.")
    dropout: float = Field(0.1, ge=0.0, le=0.9, description="Dropout inside each layer while training.",
                           json_schema_extra={"ui": "slider"})
    norm_first: bool = Field(False, description="Normalize before attention and feed-forward (pre-norm) rather "
                             "than after (post-norm); pre-norm trains deep stacks more easily.")


class Encoder(nn.Module):
    """torch's nn.TransformerEncoder on ``Seq``, the pads masked as keys and zeroed on the way out."""

    def __init__(self, dim: int, p: TransformerParams) -> None:
        super().__init__()
        layer = nn.TransformerEncoderLayer(dim, p.heads, p.ff, p.dropout, batch_first=True, norm_first=p.norm_first)
        # nested tensors (the fast path's packing of padded rows) do not export; the plain path does
        self.encoder = nn.TransformerEncoder(layer, p.layers, enable_nested_tensor=False)

    def forward(self, seq: Seq) -> Seq:
        x = self.encoder(seq.x, src_key_padding_mask=padding_keys(seq.mask))  # (B, L, D)
        return Seq(zero_pads(x, seq.mask), seq.mask)


@BLOCKS.register("transformer_encoder", TransformerParams,
                 "Transformer encoder layers: every step attends to every real step, then a feed-forward part.")
class TransformerEncoder(Block):
    takes_sequences = True

    @classmethod
    def out_shape(cls, p: TransformerParams, shape: Shape, where: str) -> Shape:
        check_heads(where, shape, p.heads)
        return shape

    @classmethod
    def build(cls, p: TransformerParams, shape: Shape) -> nn.Module:
        return Encoder(shape[1], p)

    @classmethod
    def macs(cls, p: TransformerParams, shape: Shape) -> int:
        length, dim = shape
        per_layer = attention_macs(length, dim) + 2 * length * dim * p.ff + 2 * length * dim  # + 2 layernorms
        return p.layers * per_layer

    @classmethod
    def label(cls, p: TransformerParams) -> str:
        return f"transformer {p.layers}x{p.heads}h ff{p.ff}{' pre-norm' if p.norm_first else ''}"


class SelfAttentionParams(Params):
    heads: int = Field(4, ge=1, le=64, description="Attention heads; must divide the sequence's width D.")
    dropout: float = Field(0.0, ge=0.0, le=0.9, description="Dropout on the attention weights while training.",
                           json_schema_extra={"ui": "slider"})
    residual: bool = Field(True, description="Add the input back to the attention's output (x + attention(x)).")


class SelfAttend(nn.Module):
    """Multi-head self-attention on ``Seq``: queries, keys and values are the steps; pads are no keys."""

    def __init__(self, dim: int, p: SelfAttentionParams) -> None:
        super().__init__()
        self.attention = nn.MultiheadAttention(dim, p.heads, dropout=p.dropout, batch_first=True)
        self.residual = p.residual

    def forward(self, seq: Seq) -> Seq:
        x = seq.x
        out, _ = self.attention(x, x, x, key_padding_mask=padding_keys(seq.mask), need_weights=False)
        if self.residual:
            out = out + x
        return Seq(zero_pads(out, seq.mask), seq.mask)


@BLOCKS.register("self_attention", SelfAttentionParams,
                 "Multi-head self-attention: each step becomes a weighted mix of every real step.")
class SelfAttention(Block):
    takes_sequences = True

    @classmethod
    def out_shape(cls, p: SelfAttentionParams, shape: Shape, where: str) -> Shape:
        check_heads(where, shape, p.heads)
        return shape

    @classmethod
    def build(cls, p: SelfAttentionParams, shape: Shape) -> nn.Module:
        return SelfAttend(shape[1], p)

    @classmethod
    def macs(cls, p: SelfAttentionParams, shape: Shape) -> int:
        return attention_macs(*shape)

    @classmethod
    def label(cls, p: SelfAttentionParams) -> str:
        return f"self-attention {p.heads}h"
