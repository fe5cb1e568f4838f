"""Image data as a Table: a class-per-folder source (``images:PATH``), and image columns of a CSV.

The frame holds each picture's reference (its path relative to the folder or CSV, or a name for a
generated set); the pixels live beside it in :class:`ImageColumn`, one uint8 array (N, C, H, W)
aligned with the frame's rows (the frame has a plain 0..N-1 index). What every picture becomes is
decided from the data unless the recipe says: the size (the median shorter side, at most
:data:`AUTO_MAX_SIDE`, since the model is trained from scratch, often on a CPU) and the channels
(grey when every picture is grey, else colour).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from PIL import Image
from pydantic import Field

from studio.data.columns import plural
from studio.data.images.cache import Progress, decode_all, lookup, pickles_carry_pixels
from studio.data.images.decode import ImageSpec, open_image
from studio.errors import DataError
from studio.registry import Params

AUTO_MAX_SIDE = 64
AUTO_MIN_SIDE = 8
GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


class ImageOptions(Params):
    """How pictures become the network's input (``data.options`` of an image source or an image column)."""

    image_size: int | None = Field(None, ge=4, le=512, description="Side of the square training size in pixels; "
                                   f"empty: the median shorter side of the pictures, at most {AUTO_MAX_SIDE}.")
    channels: Literal["auto", "grey", "colour"] = Field(
        "auto", description="grey (1 channel) or colour (3 channels); auto: grey only when every picture is grey.")
    fit: Literal["pad", "crop"] = Field("pad", description="Keep the aspect ratio by padding the short side "
                                        "(pad) or by cutting the centre (crop).")
    skip_unreadable: bool = Field(False, description="Skip pictures that cannot be read (they are counted and "
                                  "named) instead of stopping with an error.")


WIDE_SPREAD = 8  # shorter sides this many times apart are worth a word


@dataclass
class FoundSizes:
    """What the pictures were before resizing: a summary for the Data page and the loading notes."""

    count: int
    sizes: Counter[tuple[int, int]]  # (width, height) -> pictures
    grey: bool

    def short_median(self) -> int:
        return int(statistics.median(min(w, h) for (w, h), n in self.sizes.items() for _ in range(n)))

    def describe(self) -> str:
        if len(self.sizes) == 1:
            (w, h), = self.sizes
            return f"all {plural(self.count, 'picture')} are {w}x{h}"
        widths = [w for w, _ in self.sizes]
        heights = [h for _, h in self.sizes]
        text = (f"{len(self.sizes)} sizes among {plural(self.count, 'picture')}: from {min(widths)}x{min(heights)} "
                f"to {max(widths)}x{max(heights)}")
        sides = [min(w, h) for w, h in self.sizes]
        if max(sides) >= WIDE_SPREAD * min(sides):
            text += (f"; the sizes differ widely (shorter sides from {min(sides)} to {max(sides)} pixels), so the "
                     "smallest are enlarged and blurred or the largest lose detail: check for thumbnails or icons "
                     "mixed in, or choose data.options.image_size")
        return text


@dataclass
class ImageColumn:
    """The pixels of one image column, row i of the table's frame at ``images[i]``.

    Pickling (Streamlit's data cache copies what it caches) leaves the pixels out when they are in
    this process's image cache under ``key``, and takes them back from there: a table of ten thousand
    pictures is not copied on every page rerun. Pickles for another process (a training worker) carry
    them (:func:`studio.data.images.cache.pixels_in_pickles`).
    """

    spec: ImageSpec
    images: np.ndarray  # uint8 (N, C, H, W)
    root: Path | None = None  # the folder the frame's references are relative to (None: generated)
    found: FoundSizes | None = None
    notes: list[str] = field(default_factory=list)
    key: str = ""  # the image cache's key of ``images`` ("" when they are not cached)
    positions: np.ndarray | None = None  # rows of the cached set, when only some were kept

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if self.key and not pickles_carry_pixels() and lookup(self.key) is not None:
            state["images"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self.images is None:
            cached = lookup(self.key)
            if cached is None:
                raise RuntimeError(f"image set {self.key} left the cache while a copy of its table was kept")
            self.images = cached if self.positions is None else cached[self.positions]

    def take(self, positions: Any) -> np.ndarray:
        """The pictures of the frame rows at ``positions`` (a frame's index after a split)."""
        return self.images[np.asarray(positions, dtype=np.int64)]


def survey(paths: Sequence[Path], names: Sequence[str]) -> FoundSizes:
    """Sizes and modes of every picture, from their headers (nothing is decoded)."""
    sizes: Counter[tuple[int, int]] = Counter()
    grey = True
    for path, name in zip(paths, names, strict=True):
        try:
            img = open_image(path, name)
        except DataError:
            continue  # the decoder names it (or skips it when allowed)
        with img:
            w, h = img.size
            orientation = _orientation(img)
            sizes[(h, w) if orientation in (5, 6, 7, 8) else (w, h)] += 1
            grey = grey and img.mode in GREY_MODES
    return FoundSizes(sum(sizes.values()), sizes, grey and bool(sizes))


def _orientation(img: Image.Image) -> int:
    """The EXIF orientation from the header. ``getexif()`` on a PNG without an early eXIf chunk
    decodes the whole picture to look for a late one; the survey reads headers only, so it takes
    what the header holds (JPEG, WebP and TIFF keep EXIF there)."""
    try:
        if img.format in ("JPEG", "MPO", "WEBP", "TIFF"):
            return int(img.getexif().get(0x0112, 1))
        raw = img.info.get("exif")
        if not raw:
            return 1
        exif = Image.Exif()
        exif.load(raw)
        return int(exif.get(0x0112, 1))
    except Exception:  # a broken EXIF block: the decoder ignores it too
        return 1


def choose_spec(options: ImageOptions, found: FoundSizes) -> tuple[ImageSpec, str]:
    """The training size and channels, and a sentence saying what was decided and why."""
    if found.count == 0:
        raise DataError("none of the pictures can be read; check that the files are PNG, JPEG, GIF, BMP or WebP")
    if options.image_size is not None:
        side, why = options.image_size, "set by data.options.image_size"
    else:
        median = found.short_median()
        side = int(min(AUTO_MAX_SIDE, max(AUTO_MIN_SIDE, median)))
        why = f"the median shorter side is {median} px" + (f", capped at {AUTO_MAX_SIDE}" if median > side else "")
    channels = {"grey": 1, "colour": 3}.get(options.channels, 1 if found.grey else 3)
    spec = ImageSpec(channels, side, side, fit=options.fit)
    how = "padded to a square" if options.fit == "pad" else "cut to a square at the centre"
    note = (f"pictures: {found.describe()}; each is {how} and resized to {side}x{side} ({why}), "
            f"{'grey' if channels == 1 else 'colour'}")
    return spec, note


def decode_column(paths: Sequence[Path], names: Sequence[str], options: ImageOptions,
                  progress: Progress | None = None) -> tuple[ImageColumn, np.ndarray]:
    """Survey, choose the spec, decode (cached). Returns the column and the positions of the rows kept
    (all of them unless ``skip_unreadable`` skipped some)."""
    found = survey(paths, names)
    spec, note = choose_spec(options, found)
    decoded = decode_all(paths, names, spec, allow_skip=options.skip_unreadable, progress=progress)
    notes = [note]
    if decoded.skipped:
        shown = ", ".join(repr(n) for n in list(decoded.skipped)[:3]) + (" ..." if len(decoded.skipped) > 3 else "")
        notes.append(f"skipped {plural(len(decoded.skipped), 'unreadable picture')}: {shown}")
    if len(decoded.kept) == 0:
        raise DataError("none of the pictures can be read; check that the files are PNG, JPEG, GIF, BMP or WebP")
    return ImageColumn(spec, decoded.images, found=found, notes=notes, key=decoded.key), decoded.kept
