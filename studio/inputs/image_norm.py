"""Per-channel normalization of images, fit on the training images and kept inside the model.

The model takes images as a person has them, uint8 in [0, 255] (or floats in that range after
augmentation); its first module standardizes each channel with the training set's mean and
standard deviation, so the exported graph needs nothing done to the pixels before it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

CHUNK = 4096  # images summed at a time: float64 sums of a 10k-image set stay small


def channel_stats(images: np.ndarray) -> tuple[list[float], list[float]]:
    """Mean and standard deviation of each channel of uint8 images (N, C, H, W), in [0, 1] units."""
    n, c = images.shape[:2]
    total = np.zeros(c)
    squares = np.zeros(c)
    for start in range(0, n, CHUNK):
        part = np.asarray(images[start:start + CHUNK], dtype=np.float64) / 255.0  # (n', C, H, W)
        total += part.sum(axis=(0, 2, 3))
        squares += np.square(part).sum(axis=(0, 2, 3))
    count = max(1, n * images.shape[2] * images.shape[3])
    mean = total / count
    std = np.sqrt(np.maximum(squares / count - mean**2, 0.0))
    return [float(m) for m in mean], [float(max(s, 1e-3)) for s in std]  # a constant channel: no division by 0


class ImageNormalize(nn.Module):
    """(B, C, H, W) pixels in [0, 255] -> float32 ``(x / 255 - mean) / std`` per channel (one multiply-add)."""

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        super().__init__()
        m = torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1)
        s = torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1)
        self.register_buffer("scale", 1.0 / (255.0 * s))  # (1, C, 1, 1)
        self.register_buffer("shift", m / s)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.to(torch.float32) * self.scale - self.shift
