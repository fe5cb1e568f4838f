"""Normalization: batchnorm (statistics over the batch) and layernorm (over each sample)."""

from __future__ import annotations

from torch import nn

from studio.blocks.base import BLOCKS, Block, Shape, fmt, numel
from studio.errors import ShapeError
from studio.registry import Explanation, Params


class NormParams(Params):
    pass


def _check_rank(where: str, shape: Shape) -> None:
    if len(shape) not in (1, 2, 3):
        raise ShapeError(
            f"{where} needs input (features,) or (C, H, W) but gets {fmt(shape)}: "
            "add a flatten or reshape block before it"
        )


BATCHNORM_EXPLAINED = Explanation(
    formula=r"""\begin{aligned}
\mu_B &= \frac{1}{m}\sum_{i=1}^{m} x_i, \qquad \sigma_B^2 = \frac{1}{m}\sum_{i=1}^{m} (x_i - \mu_B)^2 \\
y_i &= \gamma\, \frac{x_i - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}} + \beta \\
\text{at inference: } y &= \gamma\, \frac{x - \hat\mu}{\sqrt{\hat\sigma^2 + \epsilon}} + \beta, \quad
\hat\mu \leftarrow 0.9\,\hat\mu + 0.1\,\mu_B \text{ (and } \hat\sigma^2 \text{ alike)}
\end{aligned}""",
    words="For each feature (or each channel of an image, over all its pixels), batch norm subtracts the mean "
          "of the current batch and divides by its standard deviation, then applies a learned scale γ and "
          "shift β. m is the number of values in the batch for that feature; ε = 1e-5. While training it also "
          "keeps running averages of the batch statistics, and at inference it uses those, so a prediction "
          "does not depend on the other samples.",
    expect="Layers after it see inputs of a steady scale, so training usually tolerates a larger learning "
           "rate and converges in fewer epochs, and deep networks of sigmoid or tanh train at all. With very "
           "small batches (under ~8) the batch statistics are noisy and it can hurt; layer norm does not have "
           "that problem.",
)

LAYERNORM_EXPLAINED = Explanation(
    formula=r"""\begin{aligned}
\mu &= \frac{1}{H}\sum_{j=1}^{H} x_j, \qquad \sigma^2 = \frac{1}{H}\sum_{j=1}^{H} (x_j - \mu)^2 \\
y_j &= \gamma_j\, \frac{x_j - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta_j
\end{aligned}""",
    words="Layer norm normalizes each sample on its own: the mean and variance are taken over that sample's H "
          "features (for an image, over all its channels and pixels, with one γ and β per channel), then a "
          "learned scale γ and shift β are applied; ε = 1e-5. Nothing depends on the batch, so training and "
          "inference compute the same thing.",
    expect="Like batch norm it keeps activations at a steady scale and speeds up training, and it works with "
           "any batch size, even 1. On images batch norm is usually the stronger choice; in MLPs and "
           "sequence models layer norm is common.",
)


@BLOCKS.register(
    "batchnorm", NormParams, "Normalizes each feature / channel with batch statistics (stabilizes training).",
    explain=BATCHNORM_EXPLAINED,
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
    "layernorm", NormParams, "Normalizes each sample over its own features (independent of the batch).",
    explain=LAYERNORM_EXPLAINED,
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
