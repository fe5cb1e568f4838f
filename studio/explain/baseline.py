"""The reference input Integrated Gradients walks from: a typical row of the table, a plain picture.

An attribution answers "how much did this value move the prediction away from what the model says
for the reference?". For a table the reference is a *typical training row*: the median of each
numeric column (a date's parts too) and the most frequent category of each categorical column,
taken from the training rows when the run was trained (``preprocessing.json`` "typical_row"). A run
trained before that was kept gets the same from its test rows, and says so. For a picture the
reference is black (all zeros) or the training pictures' mean colour (every pixel the same).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from studio.data.numbers import to_numbers
from studio.errors import RunError, quote

IMAGE_BASELINES = ("black", "mean")


def typical_row(preprocessor: Any, frame: pd.DataFrame) -> dict[str, Any]:
    """Median of each numeric input column and most frequent category of each categorical one in
    ``frame`` (plain JSON: None where a column has no value at all)."""
    encoder = preprocessor.encoder
    row: dict[str, Any] = {}
    for name in encoder.numeric:
        values = to_numbers(frame[name]).to_numpy(dtype=np.float64) if len(frame) else np.zeros(0)
        values = values[np.isfinite(values)]
        row[name] = float(np.median(values)) if len(values) else None
    for col in encoder.categorical:
        counts = col.encode(frame[col.name]).sum(axis=0) if len(frame) else np.zeros(1)
        if not counts.any():
            row[col.name] = None
            continue
        best = int(np.argmax(counts))  # the "other" indicator (past the kept ones): a grouped category
        row[col.name] = col.categories[best] if best < len(col.categories) else col.grouped[0]
    return row


def encoded_baseline(run: Any) -> tuple[np.ndarray, dict[str, Any], str]:
    """The typical row of a run's table input, encoded (k,), as a dict, and a sentence saying what it is."""
    from studio.runs import RunDir

    saved = RunDir(run.path).read_prepared().get("typical_row")
    if isinstance(saved, dict):
        row, words = saved, "a typical training row (medians of the numbers, the most frequent categories)"
    else:
        row = typical_row(run.preprocessor, run.test_frame())
        words = "a typical test row (medians of the numbers, the most frequent categories; this run kept no " \
                "training medians)"
    frame = pd.DataFrame([{name: row.get(name) for name in _input_names(run.preprocessor)}])
    encoded = run.preprocessor.encode(frame)[0]  # (k,), NaN where a column had no value at all
    return np.nan_to_num(encoded, nan=0.0), row, words


def image_baseline(inp: Any, kind: str) -> tuple[np.ndarray, str]:
    """A reference picture for an image input, uint8-range float32 (H, W, C), and its description."""
    c, h, w = inp.shape
    if kind == "black":
        return np.zeros((h, w, c), dtype=np.float32), "a black picture"
    if kind == "mean":
        colour = np.asarray(inp.mean, dtype=np.float32) * 255.0  # (C,)
        return np.broadcast_to(colour, (h, w, c)).astype(np.float32), "the training pictures' mean colour"
    raise RunError(f"the picture baseline must be one of {', '.join(IMAGE_BASELINES)}, got {quote(kind)}")


def _input_names(preprocessor: Any) -> list[str]:
    return [c.name for c in preprocessor.input_columns]
