"""Train / validation / test split: seeded, stratified for classification when possible."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from studio.data.columns import plural
from studio.data.table import Table
from studio.errors import DataError
from studio.recipe import SplitConfig

MIN_TRAIN_ROWS = 10


@dataclass
class Splits:
    """Three frames cut from ``Table.frame`` (original index kept); ``val`` may be empty."""

    train: pd.DataFrame
    val: pd.DataFrame
    test: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def split_table(table: Table, split: SplitConfig, seed: int) -> Splits:
    """Cut the table's rows into train / val / test with the shares of ``split``.

    The test rows are cut first, then validation from the rest, so the test set of a recipe does
    not change when only the validation share does. A series (``table.series``) is split by time
    instead: :func:`studio.data.series_windows.split_series`.
    """
    if table.series is not None:
        from studio.data.series_windows import split_series

        return split_series(table, split)
    frame = table.frame
    n = len(frame)
    n_test = math.ceil(n * split.test)  # the rounding train_test_split uses for a float size
    val_share = split.val / (split.train + split.val)
    n_val = math.ceil((n - n_test) * val_share) if split.val > 0 else 0
    n_train = n - n_test - n_val
    if n_train < MIN_TRAIN_ROWS or n_test < 1:
        raise DataError(
            f"splitting {n} rows of {table.name!r} as train {split.train:g} / val {split.val:g} / "
            f"test {split.test:g} leaves {max(n_train, 0)} training and {n_test} test rows; at least "
            f"{MIN_TRAIN_ROWS} training rows and 1 test row are needed, so raise data.split.train "
            "or use more data."
        )
    notes: list[str] = []
    stratify = table.task == "classification" and split.stratify
    y = table.y(frame) if stratify else None
    labels = table.class_labels or []
    # Rows are cut as positions and each part is taken from the frame once: splitting the frames
    # themselves copied most rows twice (rest, then train from rest). The positions are the ones
    # train_test_split gives for the frame, which depend only on the row count, seed and y.
    rest, test = _cut(np.arange(n), y, labels, n_test, seed, notes)
    if n_val == 0:
        return Splits(train=frame.iloc[rest], val=frame.iloc[0:0], test=frame.iloc[test], notes=notes)
    train, val = _cut(rest, None if y is None else y[rest], labels, n_val, seed + 1, notes)
    return Splits(train=frame.iloc[train], val=frame.iloc[val], test=frame.iloc[test], notes=notes)


def _cut(
    rows: np.ndarray,
    y: np.ndarray | None,
    labels: list[str],
    n_out: int,
    seed: int,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Split ``n_out`` of the positions ``rows`` off; stratified by ``y`` unless a class is too small."""
    if y is not None:
        try:
            return train_test_split(rows, test_size=n_out, random_state=seed, stratify=y)
        except ValueError:  # a class with one row, or fewer rows than classes in a part
            if not notes:
                codes, counts = np.unique(y, return_counts=True)
                small = labels[int(codes[counts.argmin()])] if labels else int(codes[counts.argmin()])
                notes.append(
                    f"split without stratification: class {small!r} has only "
                    f"{plural(int(counts.min()), 'row')}, too few to stratify {len(codes)} classes; "
                    "class proportions may differ between train, val and test"
                )
    return train_test_split(rows, test_size=n_out, random_state=seed)
