"""A picture with the pixels the model looked at painted over it: pure numpy, for st.image."""

from __future__ import annotations

import numpy as np

RED = np.array([255.0, 40.0, 0.0])
STRENGTH = 0.85  # how opaque the hottest pixels are


def overlay(chw: np.ndarray, heat: np.ndarray, side: int = 96) -> np.ndarray:
    """uint8 (C, H, W) picture + (H, W) attribution magnitudes -> uint8 (H', W', 3): the picture in grey,
    red where the heat is high (scaled to its 99th percentile), enlarged by a whole factor to about ``side``."""
    pixels = np.asarray(chw, dtype=np.float64)
    grey = pixels.mean(axis=0)  # (H, W) in [0, 255]
    top = float(np.percentile(heat, 99)) if heat.size else 0.0
    h = np.clip(np.asarray(heat, dtype=np.float64) / top, 0.0, 1.0) if top > 0 else np.zeros_like(grey)
    alpha = (STRENGTH * h)[..., None]  # (H, W, 1)
    rgb = (1.0 - alpha) * (0.8 * grey[..., None]) + alpha * RED  # (H, W, 3), the picture dimmed a little
    factor = max(1, side // max(grey.shape))
    out = np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)
