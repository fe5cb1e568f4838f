"""Pooling: shrink an image by taking the max / mean of each window, or of the whole image."""

from __future__ import annotations

from pydantic import Field
from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, fmt, require_image, window_out
from studio.errors import ShapeError
from studio.registry import Params


class PoolParams(Params):
    kernel_size: int = Field(2, ge=1, le=8, description="Side of the square window, in pixels.")
    stride: int | None = Field(
        None, ge=1, le=8, description="Step between windows; empty means equal to kernel_size."
    )


def _stride(p: PoolParams) -> int:
    return p.stride or p.kernel_size


class _Pool2d(Block):
    needs = "input (C, H, W)"
    module: type[nn.Module] = nn.MaxPool2d

    @classmethod
    def out_shape(cls, p: PoolParams, shape: Shape, where: str) -> Shape:
        c, h, w = require_image(where, shape)
        if h < p.kernel_size or w < p.kernel_size:
            raise ShapeError(
                f"{where} with a {p.kernel_size}x{p.kernel_size} window cannot pool its {h}x{w} input "
                f"{fmt(shape)}: use a smaller kernel_size or fewer shrinking blocks before it"
            )
        s = _stride(p)
        return (c, window_out(h, p.kernel_size, s, 0), window_out(w, p.kernel_size, s, 0))

    @classmethod
    def build(cls, p: PoolParams, shape: Shape) -> nn.Module:
        return cls.module(p.kernel_size, _stride(p))

    @classmethod
    def label(cls, p: PoolParams) -> str:
        text = f"{cls.kind} {p.kernel_size}x{p.kernel_size}"
        return text if p.stride in (None, p.kernel_size) else f"{text} /{p.stride}"


@BLOCKS.register("maxpool2d", PoolParams, "Keeps the largest value of each window (shrinks H and W).")
class MaxPool2d(_Pool2d):
    module = nn.MaxPool2d


@BLOCKS.register("avgpool2d", PoolParams, "Keeps the mean of each window (shrinks H and W).")
class AvgPool2d(_Pool2d):
    module = nn.AvgPool2d


class GlobalAvgPoolParams(Params):
    pass


@BLOCKS.register(
    "global_avg_pool", GlobalAvgPoolParams, "Averages each channel over the whole image: (C, H, W) -> (C,)."
)
class GlobalAvgPool(Block):
    needs = "input (C, H, W)"
    @classmethod
    def out_shape(cls, p: GlobalAvgPoolParams, shape: Shape, where: str) -> Shape:
        c, _, _ = require_image(where, shape)
        return (c,)

    @classmethod
    def build(cls, p: GlobalAvgPoolParams, shape: Shape) -> nn.Module:
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())  # (B, C, H, W) -> (B, C)
