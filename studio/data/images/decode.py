"""One image file -> a uint8 array (C, H, W) at the training size, whatever its format or mode.

Pillow reads PNG, JPEG, GIF (first frame), BMP, WebP and more. Every mode becomes the recipe's
channels: grey (L) or colour (RGB). Transparency is composited onto a background (white unless the
options say otherwise), palettes are expanded, 16-bit and 32-bit integer images are scaled down to
8 bits, and the EXIF orientation is applied, so a phone photo is upright. The aspect ratio is kept:
``pad`` letterboxes the image onto the background, ``crop`` cuts the centre to the target shape.

Large JPEGs are decoded at a reduced scale (``Image.draft``) when that still leaves at least twice
the target size: a 4000x3000 photo for a 64x64 model then decodes about 16x faster.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from studio.errors import DataError

MAX_PIXELS = 64_000_000  # more pixels than this is refused as a likely decompression bomb
Fit = Literal["pad", "crop"]


@dataclass(frozen=True)
class ImageSpec:
    """What every image becomes: ``channels`` (1 or 3) x ``height`` x ``width``, ``fit`` keeps the aspect."""

    channels: int
    height: int
    width: int
    fit: Fit = "pad"
    background: tuple[int, int, int] = (255, 255, 255)

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.channels, self.height, self.width)

    @property
    def mode(self) -> str:
        return "L" if self.channels == 1 else "RGB"


def open_image(source: str | Path | bytes, name: str) -> Image.Image:
    """Open (lazily) an image file or its bytes; a DataError naming ``name`` if it is not a readable image."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(stream)
            img.seek(0)  # an animated GIF or WebP: its first frame
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise DataError(f"image {name!r} is too large to decode safely (a decompression bomb?); "
                            "use a smaller picture") from None
        except (UnidentifiedImageError, OSError, ValueError, EOFError, SyntaxError):
            raise DataError(f"{name!r} is not a readable image (PNG, JPEG, GIF, BMP or WebP); remove it or "
                            "fix it") from None
    if img.width * img.height > MAX_PIXELS:
        raise DataError(f"image {name!r} has {img.width}x{img.height} pixels, more than this studio decodes "
                        f"({MAX_PIXELS:,}); use a smaller picture")
    return img


def decode_image(source: str | Path | bytes, spec: ImageSpec, name: str = "image") -> np.ndarray:
    """The image as uint8 ``(C, H, W)`` in ``spec``; a DataError naming ``name`` when it cannot be read."""
    img = open_image(source, name)
    try:
        if img.format == "JPEG":
            img.draft(spec.mode, (spec.width * 2, spec.height * 2))
        img = ImageOps.exif_transpose(img)
        img = to_mode(img, spec)
        size = (spec.width, spec.height)
        if spec.fit == "crop":
            img = ImageOps.fit(img, size, Image.Resampling.BILINEAR)
        else:
            color = spec.background[0] if spec.channels == 1 else spec.background
            img = ImageOps.pad(img, size, Image.Resampling.BILINEAR, color=color)
        arr = np.asarray(img, dtype=np.uint8)
    except (OSError, ValueError, EOFError, SyntaxError) as err:  # truncated or corrupt pixel data
        raise DataError(f"image {name!r} is damaged ({str(err).splitlines()[0][:80]}); remove it or fix it") from None
    arr = arr[None, :, :] if arr.ndim == 2 else arr.transpose(2, 0, 1)  # (1, H, W) or (H, W, C) -> (C, H, W)
    return np.ascontiguousarray(arr)


def to_mode(img: Image.Image, spec: ImageSpec) -> Image.Image:
    """Any Pillow mode -> "L" or "RGB": alpha composited onto the background, high bit depths scaled to 8."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        values = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or values.max(initial=0) > 255 else 255.0
        img = Image.fromarray(np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    elif img.mode == "F":
        values = np.asarray(img, dtype=np.float64)
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
        scaled = (values - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(values)
        img = Image.fromarray(np.nan_to_num(scaled).astype(np.uint8), "L")
    if img.mode == "P":
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "La", "RGBa", "PA"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*spec.background, 255))
        img = Image.alpha_composite(background, rgba)
    return img.convert(spec.mode)


def image_size(source: str | Path | bytes, name: str) -> tuple[int, int]:
    """(width, height) of an image without decoding its pixels, EXIF rotation applied."""
    img = open_image(source, name)
    w, h = img.size
    try:
        orientation = img.getexif().get(0x0112, 1)
    except Exception:  # a broken EXIF block: the pixels may still be fine
        orientation = 1
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)
