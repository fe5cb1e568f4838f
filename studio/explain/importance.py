"""Permutation importance of each raw input column on a run's test split, over the whole pipeline.

scikit-learn's :func:`sklearn.inspection.permutation_importance` does the shuffling, the repeats and
the seeding; it sees the run as an estimator (:class:`RunEstimator`) whose ``X`` has one column per
raw input column (:func:`studio.explain.columns.raw_columns`). Each cell of ``X`` is the position
of a test row: column ``city`` of row 3 says "take the value of ``city`` from test row 3". Unshuffled,
every column of row ``i`` holds ``i`` (the test split as it is); when scikit-learn shuffles one
column, that raw column alone takes another row's value, whatever it is: a number, a category, a
date with all its derived parts at once, or a whole picture. The estimator then predicts those rows
through the run's own preprocessing and network (:meth:`LoadedRun.predict_frame`), and the score is
the run's primary metric (accuracy or R²), so the drop is what the summary's test metric would lose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.inspection import permutation_importance
from sklearn.metrics import accuracy_score, r2_score

from studio.errors import RunError, quote
from studio.explain.columns import RawColumn, raw_columns

COLUMNS = ["column", "kind", "mean_drop", "std_drop"]
DEFAULT_REPEATS = 5
MAX_ROWS = 5000  # test rows scored per shuffle; a larger split is sampled (seeded) to this many


class RunEstimator(BaseEstimator):
    """A loaded run as a fitted scikit-learn estimator of "row positions" (see the module docstring).

    ``predict`` gives class codes (classification) or values in the target's units (regression);
    ``score`` is accuracy or R², the run's primary metric.
    """

    def __init__(self, run: Any, rows: pd.DataFrame, images: dict[str, np.ndarray], columns: list[RawColumn]) -> None:
        self.run = run
        self.rows = rows  # the test rows, positions 0..n-1
        self.images = images  # image column -> uint8 (n, C, H, W), the same rows
        self.columns = columns

    def fit(self, X: Any = None, y: Any = None) -> RunEstimator:
        """Nothing to fit: the run is trained already."""
        return self

    def _inputs(self, X: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray] | None]:
        if not hasattr(self, "_values"):  # each test column as an array, once (pandas indexing per call is slow)
            self._values = {p: self.rows[p].to_numpy() for c in self.columns for p in c.columns if p in self.rows}
        data: dict[str, np.ndarray] = {}
        images: dict[str, np.ndarray] = {}
        for col in self.columns:
            take = X[col.name].to_numpy(dtype=np.int64)
            if col.kind == "image":
                images[col.name] = self.images[col.name][take]
            data.update({part: self._values[part][take] for part in col.columns if part in self._values})
        return pd.DataFrame(data, index=pd.RangeIndex(len(X))), images or None

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        frame, images = self._inputs(X)
        return np.asarray(self.run.predict_frame(frame, images), dtype=np.float64)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        out = self.predict_proba(X)
        return out.argmax(axis=1) if self.run.task == "classification" else out.reshape(len(X), -1)[:, 0]

    def score(self, X: pd.DataFrame, y: np.ndarray) -> float:
        if self.run.task == "classification":
            return float(accuracy_score(y, self.predict(X)))
        return float(r2_score(y, self.predict(X)))


def _targets(run: Any, rows: pd.DataFrame) -> np.ndarray:
    target = rows[run.meta["target"]]
    if run.task != "classification":
        return target.to_numpy(dtype=np.float64)
    labels = [str(v) for v in run.class_labels or []]
    codes = pd.Categorical(target.astype(str), categories=labels).codes
    if (codes < 0).any():
        unknown = target.astype(str)[codes < 0].iloc[0]
        raise RunError(f"test.csv of run {quote(run.run.id)} has the label {quote(unknown, 30)}, which its model "
                       "does not know; the run is damaged, train it again")
    return np.asarray(codes, dtype=np.int64)


def permutation_importance_of(run: Any, repeats: int = DEFAULT_REPEATS, seed: int = 0,
                              max_rows: int | None = MAX_ROWS) -> pd.DataFrame:
    """How much the run's primary metric drops on its test split when each raw column is shuffled.

    Args:
        run: a :class:`~studio.runs.LoadedRun`.
        repeats: shuffles per column (scikit-learn's ``n_repeats``); the mean and spread are over these.
        seed: scikit-learn's ``random_state``; the same seed gives the same table.
        max_rows: a test split larger than this is sampled (seeded) to this many rows first.

    Returns:
        One row per raw column, the most important first: ``column``, ``kind``, ``mean_drop`` and
        ``std_drop`` (in the metric's units). ``frame.attrs`` holds ``metric``, ``score`` (unshuffled),
        ``rows``, ``repeats`` and ``seed``.

    Raises:
        RunError: the run has no test rows, or ``repeats`` is below 1.
    """
    if not 1 <= int(repeats) <= 1000:
        raise RunError(f"repeats must be a whole number from 1 to 1000, got {quote(repeats)}")
    rows = run.test_frame()
    if len(rows) == 0:
        raise RunError(f"run {quote(run.run.id)} has no test rows to shuffle (its split gave the test part none); "
                       "train it again with a test fraction above 0")
    images = run.test_images()
    if max_rows is not None and len(rows) > max_rows:
        keep = np.sort(np.random.default_rng(seed).choice(len(rows), size=max_rows, replace=False))
        rows = rows.iloc[keep].reset_index(drop=True)
        images = {name: pictures[keep] for name, pictures in images.items()}
    else:
        rows = rows.reset_index(drop=True)
    columns = raw_columns(run)
    y = _targets(run, rows)
    positions = pd.DataFrame({c.name: np.arange(len(rows), dtype=np.int64) for c in columns})
    estimator = RunEstimator(run, rows, images, columns)
    result = permutation_importance(estimator, positions, y, n_repeats=int(repeats), random_state=seed, n_jobs=1)
    table = pd.DataFrame({"column": [c.name for c in columns], "kind": [c.kind for c in columns],
                          "mean_drop": result.importances_mean, "std_drop": result.importances_std})
    table = table.sort_values("mean_drop", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs.update(metric="accuracy" if run.task == "classification" else "r2",
                       score=estimator.score(positions, y), rows=len(rows), repeats=int(repeats), seed=seed)
    return table


def explain_run(path: str | Path, repeats: int = DEFAULT_REPEATS, seed: int = 0) -> pd.DataFrame:
    """:func:`permutation_importance_of` the run at ``path``, saved in it (``importance.csv``, atomically)."""
    from studio.runs import RunDir, load_run

    run = load_run(path)
    table = permutation_importance_of(run, repeats=repeats, seed=seed)
    RunDir(run.path).write_importance(table)
    return table
