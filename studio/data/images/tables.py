"""Tables of pictures: a class-per-folder source, image-path columns of a CSV, and generated sets.

Every image table has a frame with a plain 0..n-1 index whose image column holds each picture's
reference (a path relative to the folder or CSV, or a generated name), and an
:class:`~studio.data.images.source.ImageColumn` per image column with the pixels in frame order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from studio.data.columns import plural
from studio.data.images import cache
from studio.data.images.cache import Progress
from studio.data.images.decode import ImageSpec
from studio.data.images.scan import extract_zip, scan_folder
from studio.data.images.source import ImageColumn, ImageOptions, decode_column
from studio.data.table import Table
from studio.errors import DataError, RecipeError
from studio.registry import describe_validation_error

IMAGE_COLUMN = "image"
LABEL_COLUMN = "label"


def image_options(raw: dict) -> ImageOptions:
    from pydantic import ValidationError

    try:
        return ImageOptions.model_validate(raw)
    except ValidationError as err:
        raise RecipeError(f"data.options (images): {describe_validation_error(err)}", ("data", "options")) from None


def folder_table(path: Path, name: str, options: ImageOptions, progress: Progress | None = None) -> Table:
    """A class-per-folder dataset (or a .zip of one): the picture and its folder's name as the label."""
    folder = extract_zip(path, name) if path.is_file() else path
    found = scan_folder(folder, name, allow_skip=options.skip_unreadable)
    paths = [found.root / f for f in found.files]
    column, kept = decode_column(paths, found.files, options, progress)
    column.root = found.root
    frame = pd.DataFrame({IMAGE_COLUMN: np.asarray(found.files, dtype=object)[kept],
                          LABEL_COLUMN: np.asarray(found.labels, dtype=object)[kept]})
    labels = sorted(frame[LABEL_COLUMN].unique().tolist())
    if len(labels) < 2:
        raise DataError(f"after skipping unreadable pictures, {name!r} has a single class ({labels[0]!r}); "
                        "a classifier needs at least two")
    counts = frame[LABEL_COLUMN].value_counts()
    notes = [*found.notes, *column.notes,
             "classes: " + ", ".join(f"{c} ({plural(int(counts[c]), 'picture')})" for c in labels)]
    return Table(name=Path(name).stem or "images", frame=frame, target=LABEL_COLUMN, features=[IMAGE_COLUMN],
                 column_types={IMAGE_COLUMN: "image"}, task="classification", class_labels=labels, notes=notes,
                 images={IMAGE_COLUMN: column})


def attach_image_columns(table: Table, columns: list[str], base: Path, options: ImageOptions,
                         resolve: Callable[[str], Path] | None = None, progress: Progress | None = None) -> Table:
    """Decode the pictures named in ``columns`` of a CSV's table (paths relative to ``base``, the CSV's
    folder; ``resolve`` checks each against what the app allows) and make them image features.

    Rows whose picture is missing are an error naming it; unreadable ones too, unless skipping is allowed.
    """
    frame = table.frame.reset_index(drop=True)
    for column in columns:
        refs = frame[column]
        missing = refs.isna() | (refs.astype(str).str.strip() == "")
        if missing.any():
            raise DataError(f"image column {column!r} names no picture in {plural(int(missing.sum()), 'row')} "
                            f"(first: row {int(np.flatnonzero(missing.to_numpy())[0]) + 1}); give every row a picture")
        names = refs.astype(str).tolist()
        paths = [_picture_path(base, ref, column, resolve) for ref in names]
        col, kept = decode_column(paths, names, options, progress)
        col.root = base
        if len(kept) < len(frame):
            frame = frame.iloc[kept].reset_index(drop=True)
            for other in table.images.values():  # columns decoded before this one: keep them aligned
                other.images = other.images[kept]
                other.positions = kept if other.positions is None else other.positions[kept]
        table.images[column] = col
        table.notes += [f"image column {column!r}: {n}" for n in col.notes]
    table.frame = frame
    for column in columns:
        table.column_types[column] = "image"
    return table


def _picture_path(base: Path, ref: str, column: str, resolve: Callable[[str], Path] | None) -> Path:
    path = Path(ref).expanduser()
    path = path if path.is_absolute() else base / path
    if resolve is not None:
        return resolve(str(path))
    if not path.is_file():
        raise DataError(f"picture {ref[:80]!r} of image column {column!r} does not exist; paths are read relative "
                        "to the CSV's folder")
    return path


def generated_table(name: str, key: str, images: np.ndarray, labels: list[str], codes: np.ndarray,
                    target: str, note: str) -> Table:
    """A table of pictures made in memory (digits, shapes): named ``<name>-<i>``, kept in the image cache."""
    n = len(images)
    images = cache.remember(key, images)
    frame = pd.DataFrame({IMAGE_COLUMN: [f"{name}-{i:05d}" for i in range(n)],
                          target: np.asarray(labels, dtype=object)[codes] if labels else codes})
    spec = ImageSpec(images.shape[1], images.shape[2], images.shape[3])
    return Table(name=name, frame=frame, target=target, features=[IMAGE_COLUMN], column_types={IMAGE_COLUMN: "image"},
                 task="classification", class_labels=labels or [str(v) for v in sorted(set(codes.tolist()))],
                 notes=[note], images={IMAGE_COLUMN: ImageColumn(spec, images, key=key)})
