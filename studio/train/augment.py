"""Training-time augmentation of a batch: Gaussian noise, and random shifts / flips for images.

Model inputs are flat ``(B, C*H*W)``; image augmentations view a batch as ``(B, C, H, W)`` and
return it flat again. Shifts fill the uncovered border with zeros (pad + per-sample crop).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional as F

from studio.errors import TrainingError

Augment = Callable[[torch.Tensor], torch.Tensor]


def gaussian_noise(x: torch.Tensor, std: float) -> torch.Tensor:
    """``x + N(0, std²)`` elementwise."""
    return x + torch.randn_like(x) * std


def random_shift(images: torch.Tensor, max_shift: int) -> torch.Tensor:
    """Shift each image by its own random (dy, dx) in ``[-max_shift, max_shift]``; zeros fill the border."""
    b, _, h, w = images.shape  # (B, C, H, W)
    s = max_shift
    padded = F.pad(images, (s, s, s, s))  # (B, C, H+2s, W+2s)
    dy = torch.randint(0, 2 * s + 1, (b,), device=images.device)
    dx = torch.randint(0, 2 * s + 1, (b,), device=images.device)
    rows = (dy[:, None] + torch.arange(h, device=images.device))[:, None, :, None]  # (B, 1, H, 1)
    cols = (dx[:, None] + torch.arange(w, device=images.device))[:, None, None, :]  # (B, 1, 1, W)
    batch = torch.arange(b, device=images.device)[:, None, None, None]
    chans = torch.arange(images.shape[1], device=images.device)[None, :, None, None]
    return padded[batch, chans, rows, cols]  # (B, C, H, W)


def random_hflip(images: torch.Tensor) -> torch.Tensor:
    """Mirror a random half of the images left-right."""
    flip = torch.rand(images.shape[0], device=images.device) < 0.5
    return torch.where(flip[:, None, None, None], images.flip(-1), images)


def make_augment(
    noise_std: float, shift: int, hflip: bool, image_shape: tuple[int, int, int] | None, n_features: int
) -> Augment | None:
    """The augmentation for a recipe's settings, or None when it would do nothing.

    Shifts and flips apply only to image data (``image_shape`` given); noise applies to any input.
    """
    image_steps: list[Augment] = []
    if image_shape is not None and (shift or hflip):
        c, h, w = image_shape
        if c * h * w != n_features:
            raise TrainingError(
                f"image shape {image_shape} has {c * h * w} pixels but the inputs have {n_features} "
                "features; remove preprocessing steps that change the columns of image data"
            )
        if shift:
            image_steps.append(lambda x: random_shift(x, shift))
        if hflip:
            image_steps.append(random_hflip)
    if not image_steps and noise_std <= 0:
        return None

    def augment(x: torch.Tensor) -> torch.Tensor:  # (B, F) -> (B, F)
        if image_steps:
            images = x.view(x.shape[0], *image_shape)  # (B, C, H, W)
            for step in image_steps:
                images = step(images)
            x = images.reshape(x.shape[0], -1)
        if noise_std > 0:
            x = gaussian_noise(x, noise_std)
        return x

    return augment
