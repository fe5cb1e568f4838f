"""Over time: ``conv1d`` (a filter sliding along the steps) and ``maxpool1d`` (shorten the sequence).

Pad steps are zeros going in, which is exactly the zero padding 'same' adds past a row's end, so a
row padded longer gives the same values at its real steps. The pooled mask is True where a window
holds a real step; pads are never the max.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from pydantic import Field
from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, Steps
from studio.blocks.sequence_base import Seq, require_steps, zero_pads
from studio.registry import Params


class Conv1dParams(Params):
    filters: int = Field(64, ge=1, le=2048, description="Number of output features per step (learned filters).")
    kernel_size: int = Field(3, ge=1, le=15, description="Steps each filter sees at once (a 3-gram for 3).")
    bias: bool = Field(True, description="Add a learned bias to each output feature.")


class ConvSteps(nn.Module):
    """``Seq`` (B, L, D) -> ``Seq`` (B, L, filters); 'same' padding keeps L."""

    def __init__(self, dim: int, p: Conv1dParams) -> None:
        super().__init__()
        self.conv = nn.Conv1d(dim, p.filters, p.kernel_size, bias=p.bias)
        before = (p.kernel_size - 1) // 2  # torch's 'same', written out: no warning, no copy for even kernels
        self.pad = (before, p.kernel_size - 1 - before)

    def forward(self, seq: Seq) -> Seq:
        x = F.pad(seq.x.transpose(1, 2), self.pad)  # (B, D, L + k - 1)
        x = self.conv(x).transpose(1, 2)  # (B, filters, L) -> (B, L, filters)
        return Seq(zero_pads(x, seq.mask), seq.mask)


@BLOCKS.register("conv1d", Conv1dParams,
                 "1-D convolution over time: each step's output mixes kernel_size neighbouring steps.")
class Conv1d(Block):
    takes_sequences = True

    @classmethod
    def out_shape(cls, p: Conv1dParams, shape: Shape, where: str) -> Shape:
        length, _ = require_steps(where, shape)
        return Steps(length, p.filters)

    @classmethod
    def build(cls, p: Conv1dParams, shape: Shape) -> nn.Module:
        return ConvSteps(shape[1], p)

    @classmethod
    def macs(cls, p: Conv1dParams, shape: Shape) -> int:
        length, dim = shape
        return length * p.filters * dim * p.kernel_size

    @classmethod
    def label(cls, p: Conv1dParams) -> str:
        return f"conv1d {p.filters}@{p.kernel_size}"


class Pool1dParams(Params):
    kernel_size: int = Field(2, ge=2, le=16, description="Steps per window; the sequence gets that many times shorter.")


class MaxPoolSteps(nn.Module):
    """``Seq`` (B, L, D) -> ``Seq`` (B, ceil(L / k), D): the max of each window's real steps."""

    def __init__(self, kernel: int) -> None:
        super().__init__()
        self.kernel = kernel

    def forward(self, seq: Seq) -> Seq:
        x, mask = seq
        b, length, dim = x.shape
        k = self.kernel
        extra = (-length) % k  # the last window is completed with pads
        x = F.pad(x, (0, 0, 0, extra))
        mask = F.pad(mask, (0, extra))
        windows = mask.reshape(b, -1, k)  # (B, L', k)
        low = torch.finfo(x.dtype).min
        x = x.masked_fill(~mask.unsqueeze(-1), low).reshape(b, -1, k, dim).amax(2)  # (B, L', D)
        pooled = windows.any(2)  # (B, L')
        return Seq(zero_pads(x, pooled), pooled)


@BLOCKS.register("maxpool1d", Pool1dParams,
                 "Keeps the largest value of each window of steps: the sequence gets kernel_size times shorter.")
class MaxPool1d(Block):
    takes_sequences = True

    @classmethod
    def out_shape(cls, p: Pool1dParams, shape: Shape, where: str) -> Shape:
        length, dim = require_steps(where, shape)
        return Steps(math.ceil(length / p.kernel_size), dim)

    @classmethod
    def build(cls, p: Pool1dParams, shape: Shape) -> nn.Module:
        return MaxPoolSteps(p.kernel_size)

    @classmethod
    def label(cls, p: Pool1dParams) -> str:
        return f"maxpool1d {p.kernel_size}"
