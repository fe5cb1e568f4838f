"""From a list of blocks to a torch model: shapes are checked first, then modules are built."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import nn

from studio.blocks.base import EMBED_FIX, Shape, Steps, Tokens, fmt, numel
from studio.blocks.sequence_base import ToSeq
from studio.blocks.stack import Layer, build_stack, check_in_shape, infer_stack, parse_stack
from studio.errors import ShapeError, located


def infer_shapes(blocks: Sequence[dict[str, Any]], in_shape: Sequence[int]) -> list[Shape]:
    """The output shape after each block (batch dimension left out).

    Raises:
        RecipeError: a block's kind or params are invalid.
        ShapeError: a block cannot take the shape it receives; the message names it ("block 3 conv2d").
    """
    with located("model"):
        return infer_stack(parse_stack(blocks), check_in_shape(in_shape))


def needs_flatten(shape: Shape) -> bool:
    """Whether the head needs a Flatten before it (the last block's output is not 1-D)."""
    return len(shape) != 1


def require_features(last: Shape, ends: str = "the model ends", needs: str = "the head needs") -> None:
    """A ShapeError unless ``last`` (what a stack ends in) can be flattened into features.

    A sequence must be pooled first (pads would otherwise count), token ids embedded.
    """
    if isinstance(last, Steps):
        raise ShapeError(f"{ends} in {fmt(last)}, but {needs} flat features: add a seq_pool block at the end")
    if isinstance(last, Tokens):
        raise ShapeError(f"{ends} in {fmt(last)}, but {needs} features: {EMBED_FIX}")


def head_modules(last: Shape, n_outputs: int) -> list[nn.Module]:
    """The implicit tail: Flatten when ``last`` is not flat, then Linear(.., n_outputs)."""
    require_features(last)
    if n_outputs < 1:
        raise ShapeError(f"the model needs at least 1 output, got n_outputs={n_outputs}")
    tail: list[nn.Module] = [nn.Flatten()] if needs_flatten(last) else []
    return [*tail, nn.Linear(numel(last), n_outputs)]


def input_modules(in_shape: Shape) -> list[nn.Module]:
    """What an input needs before its first block: a ``Steps`` input arrives as a float (B, L, D)
    tensor (a series window) and becomes a ``Seq`` whose steps are all real; others need nothing."""
    return [ToSeq()] if isinstance(in_shape, Steps) else []


def build_layers(layers: Sequence[Layer], in_shape: Shape, n_outputs: int) -> nn.Sequential:
    shapes = infer_stack(layers, in_shape)
    last = shapes[-1] if shapes else in_shape
    return nn.Sequential(*input_modules(in_shape), *build_stack(layers, in_shape), *head_modules(last, n_outputs))


def build_model(blocks: Sequence[dict[str, Any]], in_shape: Sequence[int], n_outputs: int) -> nn.Sequential:
    """Build the network for inputs of ``(B, *in_shape)``, returning ``(B, n_outputs)``.

    The blocks are ``{"kind": ..., **params}`` (a Recipe's ``model``). Shapes are checked before
    anything is built. A Flatten is appended when the last shape is not 1-D, then the head
    ``nn.Linear(.., n_outputs)``. ``forward`` is inference only: logits for classification
    (no softmax), ``(B, 1)`` for regression. Weights keep torch's default initialisation, so seed
    torch before calling for a repeatable model.

    Raises:
        RecipeError: a block's kind or params are invalid.
        ShapeError: the blocks cannot be stacked on ``in_shape``.
    """
    with located("model"):
        return build_layers(parse_stack(blocks), check_in_shape(in_shape), n_outputs)
