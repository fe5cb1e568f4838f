"""Normalization: batchnorm (statistics over the batch) and layernorm (over each sample)."""

from __future__ import annotations

from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, fmt, numel
from studio.errors import ShapeError
from studio.registry import Params


class NormParams(Params):
    pass


def _check_rank(where: str, shape: Shape) -> None:
    if len(shape) not in (1, 2, 3):
        raise ShapeError(
            f"{where} needs input (features,) or (C, H, W) but gets {fmt(shape)}: "
            "add a flatten or reshape block before it"
        )


@BLOCKS.register(
    "batchnorm", NormParams, "Normalizes each feature / channel with batch statistics (stabilizes training)."
)
class BatchNorm(Block):
    needs = "input (features,) or (C, H, W)"
    steps_fix = "use a layernorm block on a sequence (batch statistics would count the pads)"
    @classmethod
    def out_shape(cls, p: NormParams, shape: Shape, where: str) -> Shape:
        _check_rank(where, shape)
        return shape

    @classmethod
    def build(cls, p: NormParams, shape: Shape) -> nn.Module:
        # (B, C) and (B, C, L) are BatchNorm1d's inputs; (B, C, H, W) is BatchNorm2d's
        return nn.BatchNorm2d(shape[0]) if len(shape) == 3 else nn.BatchNorm1d(shape[0])

    @classmethod
    def macs(cls, p: NormParams, shape: Shape) -> int:
        return numel(shape)  # one scale-and-shift per element at inference


@BLOCKS.register(
    "layernorm", NormParams, "Normalizes each sample over its own features (independent of the batch)."
)
class LayerNorm(Block):
    on_steps = True  # over each step's D features
    @classmethod
    def out_shape(cls, p: NormParams, shape: Shape, where: str) -> Shape:
        _check_rank(where, shape)
        return shape

    @classmethod
    def build(cls, p: NormParams, shape: Shape) -> nn.Module:
        if len(shape) == 3:
            # over (C, H, W) of each sample, with one scale and shift per channel
            return nn.GroupNorm(1, shape[0])
        return nn.LayerNorm(shape[-1])

    @classmethod
    def macs(cls, p: NormParams, shape: Shape) -> int:
        return numel(shape)
