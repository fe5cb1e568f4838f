"""A list of blocks: parsed once, then walked for shapes, modules and MACs.

Used by :func:`studio.blocks.build_model` for the model and by the residual block for its inner
stack, so both report positions the same way (``"block 3 conv2d"``).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, Steps, Tokens, is_sequence, refuse_sequence
from studio.blocks.sequence_base import OnSteps
from studio.errors import RecipeError, ShapeError, with_location
from studio.registry import Params


@dataclass(frozen=True)
class Layer:
    """One parsed block with its 1-based position, ready to infer and build."""

    index: int
    kind: str
    params: Params
    impl: type[Block]
    where: str  # "block 3 conv2d" or "block 4 (residual) inner block 2 conv2d"

    def out_shape(self, shape: Shape) -> Shape:
        if is_sequence(shape) and not self.impl.takes_sequences:
            if isinstance(shape, Steps) and self.impl.on_steps:
                return shape
            raise refuse_sequence(self.where, self.impl.needs, shape, self.impl.steps_fix)
        return self.impl.out_shape(self.params, shape, self.where)

    def build(self, shape: Shape) -> nn.Module:
        if isinstance(shape, Steps) and self.impl.on_steps and not self.impl.takes_sequences:
            return OnSteps(self.impl.build(self.params, tuple(shape)))
        return self.impl.build(self.params, shape)

    def macs(self, shape: Shape) -> int:
        return self.impl.macs(self.params, shape)

    def label(self) -> str:
        return self.impl.label(self.params)


def parse_stack(blocks: Sequence[Any], prefix: str = "") -> list[Layer]:
    """Validate each ``{"kind": ..., **params}``; a bad one is a RecipeError naming its position
    (and located at its 0-based index in the list, see :mod:`studio.errors`).

    ``prefix`` is prepended to positions: ``"block 4 (residual) inner "`` for a residual's stack.
    """
    layers = []
    for i, raw in enumerate(blocks, start=1):
        try:
            params = BLOCKS.parse(raw, f"model {prefix}block {i}")
        except RecipeError as err:
            raise with_location(err, i - 1) from None
        kind = raw["kind"]
        layers.append(Layer(i, kind, params, BLOCKS[kind].impl, f"{prefix}block {i} {kind}"))
    return layers


def check_in_shape(in_shape: Sequence[int]) -> Shape:
    """The model's input shape as a tuple of positive Python ints, or a ShapeError.

    :class:`Tokens` and :class:`Steps` keep their class (and a Tokens its vocabulary).
    """
    try:
        shape = tuple(operator.index(d) for d in in_shape)
    except TypeError:
        shape = ()
    if not shape or min(shape) < 1:
        raise ShapeError(f"the model's input shape must be positive sizes like (64,), got {tuple(in_shape)!r}")
    if isinstance(in_shape, Tokens):
        if in_shape.vocab < 2:
            raise ShapeError(f"token ids need a vocabulary of at least 2 ids (PAD and one more), got {in_shape!r}")
        return Tokens(shape[0], vocab=operator.index(in_shape.vocab))
    if isinstance(in_shape, Steps):
        return Steps(*shape)
    return shape


def infer_stack(layers: Sequence[Layer], in_shape: Shape) -> list[Shape]:
    """The output shape after each layer; the first impossible one raises ShapeError."""
    shapes = []
    shape = in_shape
    for layer in layers:
        try:
            out = layer.out_shape(shape)
            shape = out if isinstance(out, tuple) else tuple(out)  # keeps Tokens / Steps
        except ShapeError as err:
            raise with_location(err, layer.index - 1) from None
        shapes.append(shape)
    return shapes


def input_shapes(in_shape: Shape, shapes: Sequence[Shape]) -> list[Shape]:
    """The shape each layer receives, given the stack's input and each layer's output."""
    return [in_shape, *shapes][: len(shapes)]


def build_stack(layers: Sequence[Layer], in_shape: Shape) -> list[nn.Module]:
    """One module per layer; shapes are checked first so nothing is built for an impossible stack."""
    ins = input_shapes(in_shape, infer_stack(layers, in_shape))
    return [layer.build(shape) for layer, shape in zip(layers, ins, strict=True)]


def stack_macs(layers: Sequence[Layer], in_shape: Shape) -> list[int]:
    """MACs per sample of each layer."""
    ins = input_shapes(in_shape, infer_stack(layers, in_shape))
    return [layer.macs(shape) for layer, shape in zip(layers, ins, strict=True)]

