"""The inference module: raw encoded features in, probabilities (or values in original units) out.

It is what a run serves and what the ONNX export traces: fitted preprocessing, the network, and a
softmax (classification) or the inverse of the target standardization (regression), in one module.
"""

from __future__ import annotations

import torch
from torch import nn


class InferenceModule(nn.Module):
    """``preprocess`` (encoded (B, k) -> (B, d)) + ``network`` + the task's output transform."""

    def __init__(
        self,
        preprocess: nn.Module,
        network: nn.Module,
        task: str,
        target_mean: float = 0.0,
        target_std: float = 1.0,
    ) -> None:
        super().__init__()
        self.preprocess = preprocess
        self.network = network
        self.classification = task == "classification"
        self.register_buffer("target_mean", torch.tensor(float(target_mean)))
        self.register_buffer("target_std", torch.tensor(float(target_std)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.network(self.preprocess(x))  # (B, K) logits or (B, 1) standardized value
        if self.classification:
            return torch.softmax(out, dim=-1)
        return out * self.target_std + self.target_mean
