"""A regression of several values per row (a forecast of h steps): loss, R² and metrics per step; one output
stays exactly as before."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import r2_score

from studio.train.evaluate import r2_tensor
from studio.train.losses import make_loss
from studio.train.metrics import regression_metrics


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(50, 3)) * np.array([1.0, 5.0, 20.0]) + np.array([0.0, 3.0, -7.0])
    return y, y + rng.normal(size=y.shape)


def test_metrics_of_several_outputs_follow_scikit_learn() -> None:
    y, pred = _data()
    m = regression_metrics(y, pred)
    assert m["r2"] == pytest.approx(r2_score(y, pred, multioutput="variance_weighted"))
    assert m["mse"] == pytest.approx(np.mean((y - pred) ** 2))
    assert m["mae"] == pytest.approx(np.mean(np.abs(y - pred)))
    np.testing.assert_allclose(m["rmse_by_step"], np.sqrt(np.mean((y - pred) ** 2, axis=0)))


def test_one_output_is_unchanged() -> None:
    y, pred = _data()
    m = regression_metrics(y[:, 0], pred[:, 0])
    assert set(m) == {"mse", "rmse", "mae", "r2"} and m["r2"] == pytest.approx(r2_score(y[:, 0], pred[:, 0]))
    assert regression_metrics(y[:, :1], pred[:, :1]) == m  # an (n, 1) column reads as (n,)


def test_the_epoch_r2_and_the_loss_take_every_output() -> None:
    y, pred = _data()
    r2 = r2_tensor(torch.tensor(pred), torch.tensor(y))
    assert float(r2) == pytest.approx(r2_score(y, pred, multioutput="variance_weighted"))
    assert float(r2_tensor(torch.tensor(pred[:, 0]), torch.tensor(y[:, 0]))) == pytest.approx(
        r2_score(y[:, 0], pred[:, 0]))
    loss = make_loss("mse", "regression")
    assert float(loss(torch.tensor(pred), torch.tensor(y))) == pytest.approx(np.mean((y - pred) ** 2))
    one = loss(torch.tensor(pred[:, :1]), torch.tensor(y[:, 0]))  # the (B, 1) head against (B,) targets
    assert float(one) == pytest.approx(np.mean((y[:, 0] - pred[:, 0]) ** 2))
