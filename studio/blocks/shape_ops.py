"""Blocks that only rearrange elements: reshape and flatten."""

from __future__ import annotations

import torch
from pydantic import Field, field_validator
from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, Steps, Tokens, fmt, numel, refuse_sequence
from studio.blocks.sequence_base import FlattenSteps
from studio.errors import ShapeError
from studio.registry import Params


class ReshapeParams(Params):
    shape: list[int] = Field(
        default_factory=lambda: [1, 8, 8],
        min_length=1,
        max_length=3,
        description="Target shape without the batch, e.g. [1, 8, 8] for (C, H, W); one entry may be -1.",
    )

    @field_validator("shape")
    @classmethod
    def _sizes(cls, v: list[int]) -> list[int]:
        if any(d == 0 or d < -1 for d in v) or v.count(-1) > 1:
            raise ValueError(f"sizes must be positive with at most one -1, got {v}")
        return v


class Reshape(nn.Module):
    """(B, ...) -> (B, *shape); the shape is fixed when the model is built (export-friendly)."""

    def __init__(self, shape: Shape) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


def resolve(target: list[int], shape: Shape, where: str) -> Shape:
    """``target`` with its -1 filled in for an input of ``shape``, or a ShapeError naming both counts."""
    count = numel(shape)
    known = numel([d for d in target if d != -1])
    if -1 in target:
        if count % known:
            raise ShapeError(
                f"{where} to {target} needs a multiple of {known} elements but gets {count} from "
                f"{fmt(shape)}: change the shape so its sizes multiply to a divisor of {count}"
            )
        return tuple(count // known if d == -1 else d for d in target)
    if known != count:
        raise ShapeError(
            f"{where} to {target} needs {known} elements but gets {count} from {fmt(shape)}: "
            f"change the shape so its sizes multiply to {count}"
        )
    return tuple(target)


@BLOCKS.register("reshape", ReshapeParams, "Rearranges the features into a new shape, e.g. 64 -> (1, 8, 8).")
class ReshapeBlock(Block):
    @classmethod
    def out_shape(cls, p: ReshapeParams, shape: Shape, where: str) -> Shape:
        return resolve(p.shape, shape, where)

    @classmethod
    def build(cls, p: ReshapeParams, shape: Shape) -> nn.Module:
        return Reshape(resolve(p.shape, shape, "reshape"))

    @classmethod
    def label(cls, p: ReshapeParams) -> str:
        return "reshape " + "x".join(str(d) for d in p.shape)


class FlattenParams(Params):
    pass


@BLOCKS.register("flatten", FlattenParams,
                 "Flattens (C, H, W) into one vector of C*H*W features (a sequence (L, D): L*D, pads as zeros).")
class Flatten(Block):
    takes_sequences = True

    @classmethod
    def out_shape(cls, p: FlattenParams, shape: Shape, where: str) -> Shape:
        if isinstance(shape, Tokens):
            raise refuse_sequence(where, "features, an image or a sequence (L, D)", shape)
        return (numel(shape),)

    @classmethod
    def build(cls, p: FlattenParams, shape: Shape) -> nn.Module:
        return FlattenSteps() if isinstance(shape, Steps) else nn.Flatten()
