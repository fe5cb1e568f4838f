"""Blocks that keep the shape and act on each element: activations and dropout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import Field
from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, require_image
from studio.registry import Explanation, Params

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


DROPOUT_EXPLAINED = Explanation(
    formula=r"""\begin{aligned}
\text{training: } y_i &= \frac{m_i\, x_i}{1 - p}, \qquad m_i \sim \text{Bernoulli}(1 - p) \\
\text{inference: } y_i &= x_i
\end{aligned}""",
    words="While training, each element is set to zero with probability p, anew for every sample and every "
          "batch, and the elements kept are divided by 1 − p so that their expected value stays x. The network "
          "cannot rely on any single unit and learns redundant features instead. At inference dropout does "
          "nothing.",
    expect="Training loss goes up and gets noisier, and training accuracy can stay below validation accuracy; "
           "the gap between training and validation shrinks when the model was overfitting. p = 0.1 to 0.5 is "
           "usual; too much makes the model underfit.",
)


@BLOCKS.register("dropout", DropoutParams, "Zeroes random elements while training (off at inference).",
                 explain=DROPOUT_EXPLAINED)
class Dropout(Block):
    on_steps = True
    @classmethod
    def build(cls, p: DropoutParams, shape: Shape) -> nn.Module:
        return nn.Dropout(p.p)

    @classmethod
    def label(cls, p: DropoutParams) -> str:
        return f"dropout {p.p:g}"


@BLOCKS.register("dropout2d", DropoutParams,
                 "Zeroes whole random channels of an image while training (off at inference).",
                 explain=Explanation(
                     formula=r"""\begin{aligned}
\text{training: } y_{c,h,w} &= \frac{m_c\, x_{c,h,w}}{1 - p}, \qquad m_c \sim \text{Bernoulli}(1 - p) \\
\text{inference: } y &= x
\end{aligned}""",
                     words="Like dropout, but one coin is drawn per channel c of each picture, so whole "
                           "feature maps vanish together. Neighbouring pixels of one map are strongly "
                           "correlated, so dropping single pixels would hardly regularize a convolutional "
                           "network; dropping maps does.",
                     expect=DROPOUT_EXPLAINED.expect))
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
