"""The live decision boundary: a 2-8-8-2 network on moons emits what it computes over the plane."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from studio.recipe import Recipe
from studio.train.boundary import BoundaryEnd, BoundaryProbe
from studio.train.tensors import TensorData
from studio.train.trainer import Trainer
from tests.train.conftest import Recorder


def _moons(n: int = 200) -> TensorData:
    from sklearn.datasets import make_moons

    x, y = make_moons(n, noise=0.1, random_state=0)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
    return TensorData(x[:150], y[:150].astype(np.int64), x[150:], y[150:].astype(np.int64))


def _net() -> torch.nn.Sequential:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.Tanh(),
                               torch.nn.Linear(8, 2))


def _fit(model, data, probe, epochs=5):
    rec = Recorder()
    recipe = Recipe.from_dict({"training": {"epochs": epochs, "batch_size": 32, "device": "cpu"},
                               "optimizer": {"kind": "adam", "lr": 0.05}, "regularization": {"early_stopping": None}})
    Trainer(model, data, recipe, "classification", 2, callbacks=[rec], probes=[probe]).fit()
    return [e for e in rec.events if isinstance(e, BoundaryEnd)]


def test_a_2_8_8_2_network_shows_its_output_and_every_unit():
    model, data = _net(), _moons()
    seen = _fit(model, data, BoundaryProbe(interval=0.0))
    assert [b.epoch for b in seen] == [1, 2, 3, 4, 5, 5] and [b.final for b in seen][-2:] == [False, True]
    last = seen[-1]
    assert len(last.surface) == len(last.ys) == 40 and all(len(r) == 40 for r in last.surface)
    assert all(0.0 <= v <= 1.0 for r in last.surface for v in r)
    assert sorted({(layer, unit) for layer, unit, _ in last.units}) == [(1, u) for u in range(8)] + [
        (3, u) for u in range(8)]
    assert {p[3] for p in last.points} == {"train", "val"} and len(last.points) == 200
    # the surface is the model's own probability of class 1 on the grid (the kept weights, at the end)
    gx, gy = np.meshgrid(last.xs, last.ys)
    grid = torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32)
    with torch.no_grad():
        expected = torch.softmax(model.eval()(grid), 1)[:, 1].numpy().reshape(40, 40)
    np.testing.assert_allclose(np.array(last.surface), expected, atol=1e-4)
    # the points at the grid's centre: points of class 1 are mostly on the side where P(class 1) > 0.5
    xs, ys = np.array(last.xs), np.array(last.ys)
    train = [p for p in last.points if p[3] == "train"]
    hits = [np.array(last.surface)[np.abs(ys - p[1]).argmin(), np.abs(xs - p[0]).argmin()] > 0.5 for p in train]
    assert np.mean([h == (p[2] == 1) for h, p in zip(hits, train, strict=True)]) > 0.8


def test_the_probe_is_throttled_and_stays_quiet_on_other_data():
    seen = _fit(_net(), _moons(), BoundaryProbe(interval=3600.0), epochs=4)
    assert [b.epoch for b in seen] == [1, 4] and seen[-1].final  # the first look, then only the final one
    series = TensorData(np.zeros((64, 3, 2), np.float32), np.arange(64) % 2, np.zeros((8, 3, 2), np.float32),
                        np.arange(8) % 2)  # (n, steps, features): not rows of inputs
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 2))
    assert _fit(model, series, BoundaryProbe(interval=0.0), epochs=2) == []


def test_a_look_costs_little():
    probe = BoundaryProbe(interval=0.0)
    data = _moons()
    model = _net()
    assert probe.start(model, torch.from_numpy(data.x_train), torch.from_numpy(data.y_train), None, None, 2)
    probe.after_epoch(1)
    t0 = time.perf_counter()
    for i in range(20):
        probe.after_epoch(i)
    per_look = (time.perf_counter() - t0) / 20
    assert per_look < 0.05, per_look  # far below a poll interval even on a busy CPU (about 1-3 ms here)


@pytest.mark.parametrize("classes", [3])
def test_more_classes_show_the_predicted_class(classes):
    from sklearn.datasets import make_blobs

    x, y = make_blobs(150, centers=classes, random_state=0)
    x = x.astype(np.float32)
    data = TensorData(x[:120], y[:120].astype(np.int64), x[120:], y[120:].astype(np.int64))
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, classes))
    rec = Recorder()
    recipe = Recipe.from_dict({"training": {"epochs": 2, "batch_size": 32, "device": "cpu"},
                               "regularization": {"early_stopping": None}})
    Trainer(model, data, recipe, "classification", classes, callbacks=[rec], probes=[BoundaryProbe(interval=0.0)]).fit()
    last = [e for e in rec.events if isinstance(e, BoundaryEnd)][-1]
    assert last.classes == 3 and {v for r in last.surface for v in r} <= {0.0, 1.0, 2.0}
