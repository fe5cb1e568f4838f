"""Generated colour shapes: the teaching example of why convolution matters.

Each 32x32 picture holds one shape (circle, square, triangle, plus, ring or stripes) of a random
colour, size and position on a noisy background of another random colour. Position and size vary,
so a dense network on the raw pixels has to learn every shape at every place, while a small CNN's
shared filters find the edges and corners wherever they are: on this set the CNN clearly wins.
Nothing is downloaded: the pictures are drawn from the seed.
"""

from __future__ import annotations

import colorsys

import numpy as np
from PIL import Image, ImageDraw

CLASSES = ("circle", "square", "triangle", "plus", "ring", "stripes")
SIZE = 32


def draw_shapes(n: int, seed: int = 0, size: int = SIZE, classes: tuple[str, ...] = CLASSES) -> \
        tuple[np.ndarray, np.ndarray]:
    """``n`` pictures as uint8 (n, 3, size, size) and their class codes (n,) into ``classes``, balanced."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(classes)
    rng.shuffle(labels)
    images = np.empty((n, 3, size, size), dtype=np.uint8)
    for i, label in enumerate(labels):
        images[i] = _one(classes[label], rng, size)
    return images, labels.astype(np.int64)


def _colour(rng: np.random.Generator, lightness: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(rng.random(), lightness, 0.5 + 0.5 * rng.random())
    return int(r * 255), int(g * 255), int(b * 255)


def _one(kind: str, rng: np.random.Generator, size: int) -> np.ndarray:
    dark_shape = rng.random() < 0.5  # a light shape on a dark background, or the other way round
    bg = np.array(_colour(rng, 0.25 if not dark_shape else 0.75), dtype=np.float64)
    fg = _colour(rng, 0.75 if not dark_shape else 0.25)
    base = np.clip(bg + rng.normal(0, 18, (size, size, 3)), 0, 255).astype(np.uint8)  # (H, W, 3) noise
    img = Image.fromarray(base, "RGB")
    draw = ImageDraw.Draw(img)
    r = rng.uniform(0.18, 0.36) * size  # half the shape's extent
    cx, cy = rng.uniform(r + 1, size - r - 1, 2)
    box = (cx - r, cy - r, cx + r, cy + r)
    width = max(2, int(r / 3))
    if kind == "circle":
        draw.ellipse(box, fill=fg)
    elif kind == "square":
        draw.rectangle(box, fill=fg)
    elif kind == "triangle":
        draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=fg)
    elif kind == "plus":
        draw.rectangle((cx - r, cy - width / 2, cx + r, cy + width / 2), fill=fg)
        draw.rectangle((cx - width / 2, cy - r, cx + width / 2, cy + r), fill=fg)
    elif kind == "ring":
        draw.ellipse(box, outline=fg, width=width)
    else:  # stripes: three parallel bars
        for k in (-1, 0, 1):
            y = cy + k * r * 0.7
            draw.rectangle((cx - r, y - width / 3, cx + r, y + width / 3), fill=fg)
    return np.asarray(img, dtype=np.uint8).transpose(2, 0, 1)  # (3, H, W)
