"""The fully connected layer."""

from __future__ import annotations

from pydantic import Field
from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, require_flat
from studio.registry import Params


class DenseParams(Params):
    units: int = Field(64, ge=1, le=8192, description="Number of output features (neurons).")
    bias: bool = Field(True, description="Add a learned bias to each output.")


@BLOCKS.register("dense", DenseParams, "Fully connected layer: every output sees every input feature.")
class Dense(Block):
    needs = "a flat input (features,)"
    @classmethod
    def out_shape(cls, p: DenseParams, shape: Shape, where: str) -> Shape:
        require_flat(where, shape)
        return (p.units,)

    @classmethod
    def build(cls, p: DenseParams, shape: Shape) -> nn.Module:
        return nn.Linear(shape[0], p.units, bias=p.bias)

    @classmethod
    def macs(cls, p: DenseParams, shape: Shape) -> int:
        return shape[0] * p.units  # (B, n) @ (n, units)

    @classmethod
    def label(cls, p: DenseParams) -> str:
        return f"dense {p.units}"
