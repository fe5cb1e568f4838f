"""Final metrics against small hand-computed cases."""

from __future__ import annotations

import json

import numpy as np
import pytest

from studio.train.metrics import MAX_CURVE_POINTS, classification_metrics, regression_metrics


def test_binary_metrics_by_hand() -> None:
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.35, 0.65], [0.2, 0.8]])
    m = classification_metrics(y, proba, ["neg", "pos"])
    # predictions 0, 1, 1, 1: one false positive
    assert m["accuracy"] == 0.75
    assert m["confusion_matrix"] == [[1, 1], [0, 2]]
    assert m["per_class"]["pos"] == {"precision": pytest.approx(2 / 3), "recall": 1.0, "f1": pytest.approx(0.8),
                                     "support": 2}
    assert m["per_class"]["neg"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert m["precision_macro"] == pytest.approx((1 + 2 / 3) / 2)
    assert m["recall_macro"] == pytest.approx(0.75)
    assert m["roc_auc"] == 1.0  # every positive scores above every negative
    expected_log_loss = -np.mean(np.log([0.9, 0.4, 0.65, 0.8]))
    assert m["log_loss"] == pytest.approx(expected_log_loss)
    assert list(m["roc_curves"]) == ["pos"]
    assert m["roc_curves"]["pos"]["tpr"][-1] == 1.0
    json.dumps(m, allow_nan=False)


def test_multiclass_auc_is_none_when_a_class_is_missing() -> None:
    y = np.array([0, 1, 0, 1])
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.3, 0.6, 0.1]])
    m = classification_metrics(y, proba, ["a", "b", "c"])
    assert m["roc_auc"] is None
    assert m["accuracy"] == 1.0
    assert m["per_class"]["c"]["support"] == 0
    assert m["confusion_matrix"] == [[2, 0, 0], [0, 2, 0], [0, 0, 0]]
    assert set(m["roc_curves"]) == {"a", "b"}
    json.dumps(m, allow_nan=False)


def test_multiclass_auc_one_vs_rest_macro() -> None:
    y = np.array([0, 1, 2, 0, 1, 2])
    proba = np.eye(3)[[0, 1, 2, 1, 1, 2]] * 0.7 + 0.1  # rows sum to 1
    m = classification_metrics(y, proba, ["a", "b", "c"])
    assert m["accuracy"] == pytest.approx(5 / 6)
    assert m["roc_auc"] == pytest.approx((0.75 + 0.875 + 1.0) / 3)


def test_roc_curves_are_downsampled() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=5000)
    p1 = np.clip(0.3 * y + rng.random(5000) * 0.7, 0, 1)
    m = classification_metrics(y, np.column_stack([1 - p1, p1]), ["0", "1"])
    curve = m["roc_curves"]["1"]
    assert len(curve["fpr"]) == len(curve["tpr"]) <= MAX_CURVE_POINTS
    assert (curve["fpr"][0], curve["fpr"][-1]) == (0.0, 1.0)


def test_regression_metrics_by_hand() -> None:
    m = regression_metrics(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 6.0]))
    assert m == {"mse": 1.0, "rmse": 1.0, "mae": 0.5, "r2": pytest.approx(1 - 4 / 5)}


def test_regression_r2_of_one_row_is_none() -> None:
    assert regression_metrics(np.array([1.0]), np.array([2.0]))["r2"] is None


def test_float32_softmax_outputs_give_no_warning() -> None:
    import warnings

    import torch

    rng = np.random.default_rng(1)
    proba = torch.softmax(torch.from_numpy(rng.normal(size=(50, 3)).astype(np.float32)), 1).numpy()
    y = rng.integers(0, 3, size=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = classification_metrics(y, proba, ["a", "b", "c"])
    assert 0 <= m["roc_auc"] <= 1 and m["log_loss"] > 0
