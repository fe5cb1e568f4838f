"""The 2-D convolution."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator
from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, fmt, require_image, window_out
from studio.errors import ShapeError
from studio.registry import Params


class Conv2dParams(Params):
    filters: int = Field(16, ge=1, le=1024, description="Number of output channels (learned filters).")
    kernel_size: int = Field(3, ge=1, le=11, description="Side of the square filter, in pixels.")
    stride: int = Field(1, ge=1, le=4, description="Step between filter positions; 2 halves the image.")
    padding: Literal["same", "valid"] | Annotated[int, Field(ge=0, le=5)] = Field(
        "same",
        description="'same' keeps H and W at stride 1 (pads kernel_size // 2 otherwise), "
        "'valid' pads nothing, a number pads that many pixels on each side.",
    )
    bias: bool = Field(True, description="Add a learned bias to each output channel.")

    @field_validator("padding", mode="before")
    @classmethod
    def _padding_choice(cls, v: object) -> object:
        # one sentence instead of pydantic's report on each member of the union
        ok = v in ("same", "valid") or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 5)
        if not ok:
            raise ValueError("padding must be 'same', 'valid' or a number of pixels from 0 to 5")
        return v


def _padding(p: Conv2dParams) -> int | str:
    """What nn.Conv2d gets: torch's 'same' only exists at stride 1, else symmetric k // 2."""
    if p.padding == "same":
        return "same" if p.stride == 1 else p.kernel_size // 2
    if p.padding == "valid":
        return 0
    return p.padding


def _side(p: Conv2dParams, side: int) -> int:
    pad = _padding(p)
    if pad == "same":
        return side
    return window_out(side, p.kernel_size, p.stride, int(pad))


@BLOCKS.register("conv2d", Conv2dParams, "2-D convolution: learned filters slid over an image (C, H, W).")
class Conv2d(Block):
    needs = "input (C, H, W)"
    @classmethod
    def out_shape(cls, p: Conv2dParams, shape: Shape, where: str) -> Shape:
        _, h, w = require_image(where, shape)
        oh, ow = _side(p, h), _side(p, w)
        if oh < 1 or ow < 1:
            raise ShapeError(
                f"{where} with kernel {p.kernel_size}, stride {p.stride} and padding {p.padding!r} "
                f"shrinks its {h}x{w} input {fmt(shape)} below 1 pixel: "
                "use a smaller kernel, padding 'same', or fewer pooling blocks before it"
            )
        return (p.filters, oh, ow)

    @classmethod
    def build(cls, p: Conv2dParams, shape: Shape) -> nn.Module:
        return nn.Conv2d(shape[0], p.filters, p.kernel_size, p.stride, _padding(p), bias=p.bias)

    @classmethod
    def macs(cls, p: Conv2dParams, shape: Shape) -> int:
        c, h, w = shape
        # each output element sums c * k * k products
        return p.filters * _side(p, h) * _side(p, w) * c * p.kernel_size**2

    @classmethod
    def label(cls, p: Conv2dParams) -> str:
        text = f"conv2d {p.filters}@{p.kernel_size}x{p.kernel_size}"
        if p.stride != 1:
            text += f" /{p.stride}"
        return text if p.padding == "same" else f"{text} pad {p.padding}"
