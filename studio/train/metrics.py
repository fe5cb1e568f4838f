"""Final metrics of a split, computed with scikit-learn and returned as plain JSON-safe data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn import metrics as skm

MAX_CURVE_POINTS = 200


def _f(value: Any) -> float | None:
    """A plain float, or None for NaN/inf (JSON has neither)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _downsample(values: np.ndarray, keep: np.ndarray) -> list[float]:
    return [float(v) for v in values[keep]]


def _curve_indices(n: int, limit: int = MAX_CURVE_POINTS) -> np.ndarray:
    """At most ``limit`` evenly spread indices of ``range(n)``, always with the first and the last."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def _prepared(proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(for ranking, for log loss)`` as float64.

    log_loss wants rows that sum to 1 within ~1e-8, which float32 softmax outputs miss, so they are
    divided by their sums; ranking metrics keep the raw values where these already pass scikit-learn's
    looser check, because dividing by sums that differ in the last bit breaks ties between rows.
    """
    p = np.clip(np.asarray(proba, dtype=np.float64), 0.0, None)
    normed = p / p.sum(axis=1, keepdims=True)
    return (p if np.allclose(p.sum(axis=1), 1.0) else normed), normed


def roc_curves(y_true: np.ndarray, proba: np.ndarray, labels: Sequence[str]) -> dict[str, dict[str, list[float]]]:
    """One-vs-rest ROC curve ``{"fpr": [...], "tpr": [...]}`` per class (binary: the positive class only).

    Classes absent from ``y_true`` (or that are all of it) have no curve.
    """
    k = len(labels)
    classes = [1] if k == 2 else list(range(k))
    curves = {}
    for c in classes:
        positive = y_true == c
        if positive.all() or not positive.any():
            continue
        fpr, tpr, _ = skm.roc_curve(positive, proba[:, c])
        keep = _curve_indices(len(fpr))
        curves[str(labels[c])] = {"fpr": _downsample(fpr, keep), "tpr": _downsample(tpr, keep)}
    return curves


def classification_metrics(y_true: np.ndarray, proba: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro precision/recall/F1, per-class scores, confusion matrix, ROC AUC, log loss, ROC curves.

    Args:
        y_true: int class codes ``(n,)``; position in ``labels`` = code.
        proba: class probabilities ``(n, k)``.
        labels: the class labels as strings.

    ``roc_auc`` is None when a class is missing from ``y_true`` (it is undefined then).
    """
    y_true = np.asarray(y_true).astype(np.int64)
    proba, normed = _prepared(proba)
    codes = list(range(len(labels)))
    pred = proba.argmax(axis=1)
    p, r, f, _ = skm.precision_recall_fscore_support(y_true, pred, labels=codes, average="macro", zero_division=0)
    pc, rc, fc, sc = skm.precision_recall_fscore_support(y_true, pred, labels=codes, average=None, zero_division=0)
    per_class = {
        str(labels[i]): {"precision": float(pc[i]), "recall": float(rc[i]), "f1": float(fc[i]),
                         "support": int(sc[i])}
        for i in codes
    }
    all_present = len(np.unique(y_true)) == len(codes)
    roc_auc = None
    if all_present and len(codes) >= 2:
        if len(codes) == 2:
            roc_auc = _f(skm.roc_auc_score(y_true, proba[:, 1]))
        else:
            roc_auc = _f(skm.roc_auc_score(y_true, proba, multi_class="ovr", average="macro", labels=codes))
    return {
        "accuracy": float(skm.accuracy_score(y_true, pred)),
        "precision_macro": float(p),
        "recall_macro": float(r),
        "f1_macro": float(f),
        "per_class": per_class,
        "confusion_matrix": skm.confusion_matrix(y_true, pred, labels=codes).tolist(),
        "roc_auc": roc_auc,
        "log_loss": _f(skm.log_loss(y_true, normed, labels=codes)),
        "roc_curves": roc_curves(y_true, proba, labels),
    }


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float | None]:
    """MSE, RMSE, MAE and R² (None where undefined, e.g. R² of fewer than two rows).

    Several outputs per row (``(n, h)``, a forecast of h steps): MSE and MAE over every value, R² with
    ``multioutput="variance_weighted"``, and ``rmse_by_step``: the RMSE of each output column.
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    columns = y_true.shape[1] if y_true.ndim == 2 else 1
    if columns == 1:
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
    else:
        y_pred = y_pred.reshape(y_true.shape)
    mse = float(np.mean((y_true - y_pred) ** 2)) if columns > 1 else float(skm.mean_squared_error(y_true, y_pred))
    weighted = {"multioutput": "variance_weighted"} if columns > 1 else {}
    r2 = skm.r2_score(y_true, y_pred, **weighted) if len(y_true) >= 2 else math.nan
    out: dict[str, Any] = {
        "mse": _f(mse),
        "rmse": _f(math.sqrt(mse)),
        "mae": _f(float(np.mean(np.abs(y_true - y_pred))) if columns > 1 else skm.mean_absolute_error(y_true, y_pred)),
        "r2": _f(r2),
    }
    if columns > 1:
        out["rmse_by_step"] = [_f(math.sqrt(v)) for v in np.mean((y_true - y_pred) ** 2, axis=0)]
    return out
