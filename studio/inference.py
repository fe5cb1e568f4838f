"""The inference module: raw inputs in, probabilities (or values in original units) out.

It is what a run serves and what the ONNX export traces: per input, what turns it from what a
person has into what the network takes (a table's encoded columns through the fitted preprocessing;
an image's uint8 (N, H, W, C) pixels into (N, C, H, W)), then the network (whose fronts normalize
images), and a softmax (classification) or the inverse of the target standardization (regression).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class ChannelsFirst(nn.Module):
    """Images as people and libraries store them, (N, H, W, C), to the network's (N, C, H, W)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, 3, 1, 2)


class InferenceModule(nn.Module):
    """``network(*(prep_i(x_i)))`` + the task's output transform; one ``preprocess`` module per input."""

    def __init__(
        self,
        preprocess: nn.Module | Sequence[nn.Module],
        network: nn.Module,
        task: str,
        target_mean: float = 0.0,
        target_std: float = 1.0,
    ) -> None:
        super().__init__()
        self.preprocess = nn.ModuleList([preprocess] if isinstance(preprocess, nn.Module) else list(preprocess))
        self.network = network
        self.classification = task == "classification"
        self.register_buffer("target_mean", torch.tensor(float(target_mean)))
        self.register_buffer("target_std", torch.tensor(float(target_std)))

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        out = self.network(*(p(x) for p, x in zip(self.preprocess, inputs, strict=True)))  # (B, K) or (B, 1)
        if self.classification:
            return torch.softmax(out, dim=-1)
        return out * self.target_std + self.target_mean
