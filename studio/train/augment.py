"""Training-time augmentation of each input of a batch: noise for the table, kornia's for images.

A flat input (the table's scaled features) may get Gaussian noise; an image input (C, H, W) gets the
per-sample crops, flips, rotations, colour changes and cutout of :mod:`studio.train.image_augment`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from studio.train.image_augment import make_image_augment

Augment = Callable[[torch.Tensor], torch.Tensor]


def gaussian_noise(x: torch.Tensor, std: float) -> torch.Tensor:
    """``x + N(0, std²)`` elementwise; token ids (integers) are left as they are."""
    if not x.is_floating_point():
        return x
    return x + torch.randn_like(x) * std


def make_augments(options: Any, shapes: list[tuple[int, ...]]) -> list[Augment | None]:
    """One augmentation per input (None where the recipe asks for nothing that applies to it)."""
    if options is None:
        return [None] * len(shapes)
    out: list[Augment | None] = []
    for shape in shapes:
        if len(shape) == 3:
            out.append(make_image_augment(options, shape))  # type: ignore[arg-type]
        elif len(shape) == 1 and options.noise_std > 0:
            out.append(lambda x, std=options.noise_std: gaussian_noise(x, std))
        else:
            out.append(None)
    return out
