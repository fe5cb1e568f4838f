"""The residual block: an inner stack of blocks plus a skip connection, ``body(x) + skip(x)``.

The skip is the identity when the inner stack keeps the shape, else a projection: a Linear for
flat shapes, a 1x1 convolution (with the stride that matches H and W) for images, a Linear on each
step for a sequence whose inner blocks keep its length (the mask passes on, pads stay zero).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from pydantic import Field, field_validator
from torch import nn

from studio.blocks.base import BLOCKS, PARSING_WHERE, Block, Shape, Steps, Tokens, fmt, numel, refuse_sequence
from studio.blocks.sequence_base import Seq, zero_pads
from studio.blocks.stack import build_stack, infer_stack, parse_stack, stack_macs
from studio.errors import RecipeError, ShapeError, with_location
from studio.registry import Params

MAX_NESTING = 8  # residual blocks inside residual blocks; real networks use 1 or 2


class ResidualParams(Params):
    blocks: list[dict[str, Any]] = Field(
        default_factory=lambda: [{"kind": "dense"}, {"kind": "activation"}],
        min_length=1,
        validate_default=True,
        description="The inner blocks, e.g. [conv2d, batchnorm, activation]; their output is added to the input.",
    )

    @field_validator("blocks")
    @classmethod
    def _inner(cls, v: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # RecipeError (not ValueError) passes through pydantic untouched, keeping the inner position.
        outer = PARSING_WHERE.get()
        prefix = f"{outer} (residual)" if outer else "residual"
        if prefix.count("(residual)") > MAX_NESTING:  # deeper stacks only exhaust the recursion of parsing
            top = prefix.split(" (residual)", 1)[0]
            raise RecipeError(f"{top}: residual blocks are nested more than {MAX_NESTING} deep; put the inner blocks "
                              "one after another instead")
        out = []
        for j, b in enumerate(v):
            try:
                out.append(BLOCKS.normalize(b, f"{prefix} inner block {j + 1}"))
            except RecipeError as err:
                raise with_location(err, "blocks", j) from None
        return out


class Residual(nn.Module):
    """``body(x) + skip(x)``: the skip is nn.Identity or a projection to the body's shape."""

    def __init__(self, body: nn.Sequential, skip: nn.Module) -> None:
        super().__init__()
        self.body = body
        self.skip = skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x) + self.skip(x)


class SeqResidual(nn.Module):
    """``body(seq) + skip(seq.x)`` on a ``Seq``; the skip is nn.Identity or a Linear on each step."""

    def __init__(self, body: nn.Sequential, skip: nn.Module) -> None:
        super().__init__()
        self.body = body
        self.skip = skip

    def forward(self, seq: Seq) -> Seq:
        return Seq(zero_pads(self.body(seq).x + self.skip(seq.x), seq.mask), seq.mask)


def _conv_stride(in_shape: Shape, out_shape: Shape) -> int | None:
    """The stride s for which a 1x1 conv maps H, W to the body's (ceil(H / s) each), if any."""
    (_, h, w), (_, oh, ow) = in_shape, out_shape
    for s in range(1, max(h, w) + 1):
        if math.ceil(h / s) == oh and math.ceil(w / s) == ow:
            return s
    return None


def _check_skip(where: str, in_shape: Shape, out_shape: Shape) -> None:
    if isinstance(in_shape, Steps):
        if isinstance(out_shape, Steps) and out_shape[0] == in_shape[0]:
            return
        raise ShapeError(
            f"{where}: its inner blocks turn {fmt(in_shape)} into {fmt(out_shape)}, which the skip connection "
            "cannot be added to: keep blocks that shorten or pool the steps (maxpool1d, seq_pool, an lstm or gru "
            "without return_sequence) outside it"
        )
    if in_shape == out_shape or (len(in_shape) == len(out_shape) == 1):
        return
    if len(in_shape) == len(out_shape) == 3 and _conv_stride(in_shape, out_shape) is not None:
        return
    if len(in_shape) != len(out_shape):
        fix = "keep blocks that change the rank (flatten, reshape, global_avg_pool) outside it"
    else:
        fix = "make the inner blocks keep H and W, or shrink them by a whole factor (stride 2, pool 2 on even sizes)"
    raise ShapeError(
        f"{where}: its inner blocks turn {fmt(in_shape)} into {fmt(out_shape)}, which the skip "
        f"connection cannot be projected to: {fix}"
    )


def _inner_prefix(where: str) -> str:
    """'block 4 residual' -> 'block 4 (residual) inner ' for the inner blocks' positions."""
    return where.removesuffix(" residual") + " (residual) inner "


@BLOCKS.register("residual", ResidualParams, "Inner blocks plus a skip connection that adds the input back.")
class ResidualBlock(Block):
    takes_sequences = True  # Steps (not Tokens): see _check_skip

    @classmethod
    def out_shape(cls, p: ResidualParams, shape: Shape, where: str) -> Shape:
        if isinstance(shape, Tokens):
            raise refuse_sequence(where, "features, an image or a sequence (L, D)", shape)
        layers = parse_stack(p.blocks, _inner_prefix(where))
        try:
            out = infer_stack(layers, shape)[-1]
        except ShapeError as err:  # the inner position, below this block's "blocks" field
            raise with_location(err, "blocks") from None
        _check_skip(where, shape, out)
        return out

    @classmethod
    def build(cls, p: ResidualParams, shape: Shape) -> nn.Module:
        layers = parse_stack(p.blocks, "residual inner ")
        out = infer_stack(layers, shape)[-1]
        module = SeqResidual if isinstance(shape, Steps) else Residual
        return module(nn.Sequential(*build_stack(layers, shape)), _projection(shape, out))

    @classmethod
    def macs(cls, p: ResidualParams, shape: Shape) -> int:
        layers = parse_stack(p.blocks, "residual inner ")
        out = infer_stack(layers, shape)[-1]
        if shape == out:
            proj = 0
        elif isinstance(shape, Steps):
            proj = shape[0] * shape[1] * out[1]  # a Linear on each step
        elif len(shape) == 1:
            proj = shape[0] * out[0]
        else:
            proj = shape[0] * numel(out)  # 1x1 conv: c_in products per output element
        return sum(stack_macs(layers, shape)) + proj

    @classmethod
    def label(cls, p: ResidualParams) -> str:
        return f"residual ({len(p.blocks)} blocks)"


def _projection(in_shape: Shape, out_shape: Shape) -> nn.Module:
    if in_shape == out_shape:
        return nn.Identity()
    if isinstance(in_shape, Steps):
        return nn.Linear(in_shape[1], out_shape[1])
    if len(in_shape) == 1:
        return nn.Linear(in_shape[0], out_shape[0])
    stride = _conv_stride(in_shape, out_shape)
    assert stride is not None  # out_shape() checked it
    return nn.Conv2d(in_shape[0], out_shape[0], kernel_size=1, stride=stride)
