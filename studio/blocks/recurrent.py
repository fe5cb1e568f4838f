"""Recurrent blocks, ``lstm`` and ``gru``, that never read a pad.

Texts are padded at the end, so a forward recurrence reaches every real step before any pad, and a
row's last state is read at its last *real* step. The backward direction reads each row's real steps
in reverse (``reverse_within``, a gather), runs a forward recurrence on that, and reverses back, so
it starts at the last real token, not at the pads. Each layer and direction is its own one-layer
torch RNN, which exports to ONNX's LSTM / GRU operators.
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, Steps
from studio.blocks.sequence_base import Seq, last_real, require_steps, reverse_within, zero_pads
from studio.registry import Params


class RecurrentParams(Params):
    hidden: int = Field(64, ge=1, le=2048, description="Size of the state carried from step to step.")
    layers: int = Field(1, ge=1, le=8, description="Recurrent layers stacked; each reads the one below.")
    bidirectional: bool = Field(False, description="Also read each text backwards; the output doubles to 2*hidden.")
    return_sequence: bool = Field(False, description="Give every step's state (a sequence, for more sequence "
                                                     "blocks) instead of the last real step's (flat features).")


class Recurrent(nn.Module):
    """``Seq`` -> ``Seq`` (B, L, H*dirs) or the last state (B, H*dirs)."""

    def __init__(self, cell: type[nn.RNNBase], dim: int, p: RecurrentParams) -> None:
        super().__init__()
        dirs = 2 if p.bidirectional else 1
        self.hidden = p.hidden
        self.return_sequence = p.return_sequence
        self.layers = nn.ModuleList(
            nn.ModuleList(cell(dim if i == 0 else p.hidden * dirs, p.hidden, batch_first=True) for _ in range(dirs))
            for i in range(p.layers)
        )

    def forward(self, seq: Seq) -> Seq | torch.Tensor:
        x, mask = seq
        for directions in self.layers:
            outs = [directions[0](x)[0]]  # (B, L, H)
            if len(directions) == 2:
                outs.append(reverse_within(directions[1](reverse_within(x, mask))[0], mask))
            x = zero_pads(torch.cat(outs, dim=-1), mask)  # (B, L, H * dirs)
        if self.return_sequence:
            return Seq(x, mask)
        last = last_real(x[..., : self.hidden], mask)  # (B, H): forward direction after the last real step
        if x.shape[-1] == self.hidden:
            return last
        return torch.cat([last, x[:, 0, self.hidden:]], dim=-1)  # backward direction ends at step 0


class _Recurrent(Block):
    takes_sequences = True
    cell: type[nn.RNNBase] = nn.LSTM
    gates = 4  # weight blocks per cell: LSTM 4 (input, forget, cell, output), GRU 3 (reset, update, new)

    @classmethod
    def out_shape(cls, p: RecurrentParams, shape: Shape, where: str) -> Shape:
        length, _ = require_steps(where, shape)
        width = p.hidden * (2 if p.bidirectional else 1)
        return Steps(length, width) if p.return_sequence else (width,)

    @classmethod
    def build(cls, p: RecurrentParams, shape: Shape) -> nn.Module:
        return Recurrent(cls.cell, shape[1], p)

    @classmethod
    def macs(cls, p: RecurrentParams, shape: Shape) -> int:
        length, dim = shape
        dirs = 2 if p.bidirectional else 1
        total = 0
        for i in range(p.layers):
            width = dim if i == 0 else p.hidden * dirs
            total += dirs * length * cls.gates * (width + p.hidden) * p.hidden  # input and state products per step
        return total

    @classmethod
    def label(cls, p: RecurrentParams) -> str:
        text = f"{cls.kind} {p.hidden}" + (f" x{p.layers}" if p.layers > 1 else "")
        return text + (" bi" if p.bidirectional else "") + (" seq" if p.return_sequence else "")


@BLOCKS.register("lstm", RecurrentParams,
                 "Long short-term memory: reads the steps in order, keeping a gated state (the last one by default).")
class LSTM(_Recurrent):
    cell = nn.LSTM
    gates = 4


@BLOCKS.register("gru", RecurrentParams,
                 "Gated recurrent unit: a lighter LSTM with two gates; reads the steps in order.")
class GRU(_Recurrent):
    cell = nn.GRU
    gates = 3
