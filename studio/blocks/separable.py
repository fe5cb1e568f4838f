"""Depthwise-separable convolution: a per-channel spatial filter, then a 1x1 mix of the channels.

MobileNet's building block: for C input and F output channels with a k x k kernel it costs
C*k*k + C*F weights instead of C*F*k*k, so it learns spatial patterns with far fewer parameters.
"""

from __future__ import annotations

from pydantic import Field
from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape
from studio.blocks.conv import Conv2d, Conv2dParams, _padding, _side


class SeparableConv2dParams(Conv2dParams):
    filters: int = Field(32, ge=1, le=1024, description="Number of output channels of the 1x1 mix.")


@BLOCKS.register("separable_conv2d", SeparableConv2dParams,
                 "Depthwise-separable convolution: a filter per channel, then a 1x1 mix (far fewer weights).")
class SeparableConv2d(Block):
    needs = "input (C, H, W)"
    @classmethod
    def out_shape(cls, p: SeparableConv2dParams, shape: Shape, where: str) -> Shape:
        return Conv2d.out_shape(p, shape, where)

    @classmethod
    def build(cls, p: SeparableConv2dParams, shape: Shape) -> nn.Module:
        c = shape[0]
        depthwise = nn.Conv2d(c, c, p.kernel_size, p.stride, _padding(p), groups=c, bias=False)
        return nn.Sequential(depthwise, nn.Conv2d(c, p.filters, 1, bias=p.bias))

    @classmethod
    def macs(cls, p: SeparableConv2dParams, shape: Shape) -> int:
        c, h, w = shape
        oh, ow = _side(p, h), _side(p, w)
        return oh * ow * c * p.kernel_size**2 + oh * ow * c * p.filters  # depthwise, then pointwise

    @classmethod
    def label(cls, p: SeparableConv2dParams) -> str:
        return f"separable {p.filters}@{p.kernel_size}x{p.kernel_size}" + (f" /{p.stride}" if p.stride != 1 else "")
