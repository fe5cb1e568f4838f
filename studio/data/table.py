"""The Table: a loaded dataset with its columns typed and its task decided."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Table:
    """A dataset ready to split: usable feature columns, the target, and what loading decided.

    Attributes:
        frame: usable feature columns plus the target column, with their original values.
        column_types: feature name -> "numeric" or "categorical".
        dropped: column -> the reason it is not used as a feature.
        class_labels: classification only; labels as strings, position = class code.
        image_shape: (C, H, W) when the features are the pixels of an image (digits).
        notes: sentences on what loading did ("dropped 3 rows with a missing target").
        derived: source column -> the feature columns made from it (a date's year, month, weekday);
            prediction re-derives them from raw rows.
        images: image column -> its pixels (:class:`studio.data.images.source.ImageColumn`), row i of
            ``frame`` (which then has a plain 0..n-1 index) at position i.
        series: :class:`studio.data.series.SeriesInfo` when the rows are time steps in order (index
            0..n-1); a split's rows are then the anchors (last steps) of its windows.
    """

    name: str
    frame: pd.DataFrame
    target: str
    features: list[str]
    column_types: dict[str, str]
    task: str
    class_labels: list[str] | None = None
    dropped: dict[str, str] = field(default_factory=dict)
    image_shape: tuple[int, int, int] | None = None
    notes: list[str] = field(default_factory=list)
    derived: dict[str, list[str]] = field(default_factory=dict)
    images: dict[str, Any] = field(default_factory=dict)
    series: Any = None  # studio.data.series.SeriesInfo when the rows are time steps (samples are windows)

    def y(self, frame: pd.DataFrame) -> np.ndarray:
        """The target of ``frame``: int64 class codes (classification) or float64 values.

        A forecast series (``series``): ``frame``'s rows are window anchors of ``self.frame``, and
        their target is the next ``horizon`` values, float64 (n, horizon).
        """
        if self.series is not None and self.series.forecast:
            from studio.data.series_windows import future_values

            return future_values(self, frame.index)
        col = frame[self.target]
        if self.task == "classification":
            assert self.class_labels is not None
            codes = pd.Categorical(col.astype(str), categories=self.class_labels).codes
            return np.asarray(codes, dtype=np.int64)
        return col.to_numpy(dtype=np.float64)

    @property
    def n_outputs(self) -> int:
        """Outputs of the network: one per class, one per forecast step, else 1."""
        if self.task == "classification":
            return self.n_classes
        return self.series.horizon if self.series is not None and self.series.forecast else 1

    @property
    def n_classes(self) -> int:
        return len(self.class_labels) if self.class_labels else 0
