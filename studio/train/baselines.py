"""Simple models on the same split, so a person knows at once whether their network beats them.

scikit-learn's logistic regression (classification) or ridge regression, and histogram gradient
boosting, fit on the same training rows after the same preprocessing (the table input's features;
a missing value is imputed by the median for the linear model, and left to gradient boosting, which
handles it), scored on the same test rows with the run's primary metric. Networks that read
pictures, text or series windows get no baseline: these models take a table of numbers only.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from studio.atomic import write_text_atomic

FILE = "baselines.json"
MAX_ROWS = 200_000  # a baseline is a yardstick: a sample of a huge table is enough


def baseline_scores(prepared: Any, seed: int = 0) -> dict[str, float] | None:
    """``{"logistic regression": 0.95, "gradient boosting": 0.97}`` (or ridge), or None when the network's
    inputs are not a single table."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if [i.kind for i in prepared.inputs] != ["table"] or not len(prepared.y_test):
        return None
    x, y = prepared.x_train["table"], np.asarray(prepared.y_train)
    if y.ndim != 1:
        return None  # several values per sample (a forecast): no single-output yardstick
    if len(y) > MAX_ROWS:
        keep = np.random.default_rng(seed).choice(len(y), MAX_ROWS, replace=False)
        x, y = x[keep], y[keep]
    x_test, y_test = prepared.x_test["table"], np.asarray(prepared.y_test)
    classify = prepared.table.task == "classification"
    if classify and len(np.unique(y)) < 2:
        return None
    linear = make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler(),
                           LogisticRegression(max_iter=2000) if classify else Ridge())
    boosting = (HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor)(random_state=seed)
    score = accuracy_score if classify else r2_score
    out = {}
    for name, model in (("logistic regression" if classify else "ridge regression", linear),
                        ("gradient boosting", boosting)):
        model.fit(x, y)
        out[name] = round(float(score(y_test, model.predict(x_test))), 4)
    return out


def save_baselines(run_path: Any, scores: dict[str, float] | None) -> None:
    write_text_atomic(run_path / FILE, json.dumps(scores))


def read_baselines(run_path: Any) -> dict[str, float] | None:
    """The saved scores, or None (not computed, no baseline for this data, or an unreadable file)."""
    try:
        raw = json.loads((run_path / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict) or not all(isinstance(v, int | float) for v in raw.values()):
        return None
    return {str(k): float(v) for k, v in raw.items()}


def describe(scores: dict[str, float] | None, metric: str, network: float | None) -> str | None:
    """One line: the baselines against the network, e.g. for `studio train`."""
    if not scores or network is None:
        return None
    best_name, best = max(scores.items(), key=lambda kv: kv[1])
    figures = ", ".join(f"{k} {v:.4f}" for k, v in scores.items())
    verdict = (f"the network beats them by {network - best:.4f}" if network > best else
               f"{best_name} beats the network by {best - network:.4f}: try it, or tune the network")
    return f"baselines (test {metric}): {figures}; network {network:.4f}: {verdict}"
