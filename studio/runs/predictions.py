"""A classification run's predictions on its own test split, one row per test row: what the Evaluate
page's misclassified gallery, its confusion-matrix filter and its "hardest examples" read.

The rows are those of ``test.csv`` in order (the position ``row`` is also the index into
``test_images.npz``; a series run's rows are its test windows), predicted with the run's kept weights
through the same inference module the export is checked against, so the counts agree with the
confusion matrix of ``summary.json``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from studio.errors import RunError, quote

COLUMNS = ("true", "predicted", "confidence", "p_true", "correct")


def test_predictions(run: Any) -> pd.DataFrame:
    """One row per test row of a classification ``run`` (a :class:`~studio.runs.LoadedRun`).

    Returns:
        DataFrame indexed by ``row`` (the position in the test split, 0..n-1) with ``true`` and
        ``predicted`` (class labels as text), ``confidence`` (the predicted class's probability),
        ``p_true`` (the true class's probability) and ``correct`` (bool).

    Raises:
        RunError: the run is a regression, or its test rows hold a label the model does not know.
    """
    if run.task != "classification":
        raise RunError(f"run {quote(run.run.id)} is a regression: it has no classes to confuse")
    frame, arrays = _test_samples(run)
    labels = [str(label) for label in run.class_labels or []]
    true = frame[run.meta["target"]].astype(str)
    unknown = sorted(set(true) - set(labels))
    if unknown:
        raise RunError(f"test.csv of run {quote(run.run.id)} has the label {quote(unknown[0], 30)}, which its model "
                       "does not know; the run is damaged, train it again")
    if len(frame) == 0:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                             zip(COLUMNS, (str, str, float, float, bool), strict=True)}).rename_axis("row")
    proba = np.asarray(run.predict_frame(frame, arrays), dtype=np.float64)  # (n, K)
    codes = np.asarray(pd.Categorical(true, categories=labels).codes, dtype=np.int64)
    best = proba.argmax(axis=1)
    out = pd.DataFrame({
        "true": true.to_numpy(dtype=object),
        "predicted": np.asarray(labels, dtype=object)[best],
        "confidence": proba[np.arange(len(best)), best],
        "p_true": proba[np.arange(len(codes)), codes],
    }, index=pd.RangeIndex(len(frame), name="row"))
    out["correct"] = best == codes
    return out


def _test_samples(run: Any) -> tuple[pd.DataFrame, dict[str, Any] | None]:
    """The test rows and their pictures; for a series run, one row per test window (the label at its last
    step) and the windows themselves, as the parity proof cuts them."""
    series = getattr(run, "series", None)
    if series is None:
        return run.test_frame(), run.test_images() or None
    from studio.data.series_rows import sample_frame

    frame, windows = sample_frame(run.test_frame(), series)
    return frame, {next(i.name for i in run.inputs if i.kind == "series"): windows}


test_predictions.__test__ = False  # type: ignore[attr-defined]  # a test runner must not collect it by its name


def confusion_cells(predictions: pd.DataFrame) -> pd.DataFrame:
    """The non-empty cells of the confusion matrix: ``true``, ``predicted``, ``count``; mistakes first
    (most frequent first), then the correct cells."""
    if predictions.empty:
        return pd.DataFrame({"true": [], "predicted": [], "count": []})
    counts = predictions.groupby(["true", "predicted"], sort=False).size().rename("count").reset_index()
    counts["mistake"] = counts["true"] != counts["predicted"]
    counts = counts.sort_values(["mistake", "count", "true", "predicted"], ascending=[False, False, True, True])
    return counts.drop(columns="mistake").reset_index(drop=True)


def in_cell(predictions: pd.DataFrame, true: str | None = None, predicted: str | None = None) -> pd.DataFrame:
    """The rows of one cell (``true`` and ``predicted`` given), else every misclassified row; the least
    sure of the true class first."""
    if true is None or predicted is None:
        chosen = predictions[~predictions["correct"]]
    else:
        chosen = predictions[(predictions["true"] == str(true)) & (predictions["predicted"] == str(predicted))]
    return chosen.sort_values("p_true", kind="stable")


def hardest(predictions: pd.DataFrame, n: int = 12) -> pd.DataFrame:
    """The ``n`` test rows whose true class got the lowest probability (right or wrong)."""
    return predictions.sort_values("p_true", kind="stable").head(max(0, n))
