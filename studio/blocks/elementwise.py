"""Blocks that keep the shape and act on each element: activations and dropout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import Field
from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, require_image
from studio.registry import Params

ActivationName = Literal["relu", "leaky_relu", "gelu", "silu", "tanh", "sigmoid", "elu"]

# name -> constructor; ActivationName lists the same names (a test checks they agree).
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "elu": nn.ELU,
}


class ActivationParams(Params):
    fn: ActivationName = Field(
        "relu", description="The non-linearity applied to each element.", json_schema_extra={"ui": "select"}
    )


@BLOCKS.register("activation", ActivationParams, "Element-wise non-linearity (ReLU, GELU, tanh, ...).")
class Activation(Block):
    on_steps = True
    @classmethod
    def build(cls, p: ActivationParams, shape: Shape) -> nn.Module:
        return ACTIVATIONS[p.fn]()

    @classmethod
    def label(cls, p: ActivationParams) -> str:
        return p.fn


class DropoutParams(Params):
    p: float = Field(
        0.2, ge=0.0, le=0.9, description="Share of elements zeroed at random during training.",
        json_schema_extra={"ui": "slider"},
    )


@BLOCKS.register("dropout", DropoutParams, "Zeroes random elements while training (off at inference).")
class Dropout(Block):
    on_steps = True
    @classmethod
    def build(cls, p: DropoutParams, shape: Shape) -> nn.Module:
        return nn.Dropout(p.p)

    @classmethod
    def label(cls, p: DropoutParams) -> str:
        return f"dropout {p.p:g}"


@BLOCKS.register("dropout2d", DropoutParams,
                 "Zeroes whole random channels of an image while training (off at inference).")
class Dropout2d(Block):
    needs = "input (C, H, W)"
    @classmethod
    def out_shape(cls, p: DropoutParams, shape: Shape, where: str) -> Shape:
        require_image(where, shape)
        return shape

    @classmethod
    def build(cls, p: DropoutParams, shape: Shape) -> nn.Module:
        return nn.Dropout2d(p.p)

    @classmethod
    def label(cls, p: DropoutParams) -> str:
        return f"dropout2d {p.p:g}"
