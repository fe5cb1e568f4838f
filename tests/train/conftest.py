"""Seeded toy data, a tiny model, a recipe factory and an event recorder for the training tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from studio.recipe import Recipe
from studio.train.callbacks import Callback
from studio.train.events import Event
from studio.train.tensors import TensorData

N_FEATURES, N_CLASSES = 4, 3


def make_recipe(**sections: Any) -> Recipe:
    """A small CPU recipe: 2 epochs, batch 16, no early stopping; ``sections`` override/extend it."""
    raw: dict[str, Any] = {
        "training": {"epochs": 2, "batch_size": 16, "device": "cpu", "seed": 0},
        "regularization": {"early_stopping": None},
    }
    for key, value in sections.items():
        raw[key] = {**raw.get(key, {}), **value} if isinstance(value, dict) and key in raw else value
    return Recipe.from_dict(raw)


def tiny_model(n_in: int = N_FEATURES, n_out: int = N_CLASSES, seed: int = 0, batchnorm: bool = False) -> nn.Module:
    torch.manual_seed(seed)
    layers: list[nn.Module] = [nn.Linear(n_in, 8)]
    if batchnorm:
        layers.append(nn.BatchNorm1d(8))
    layers += [nn.ReLU(), nn.Linear(8, n_out)]
    return nn.Sequential(*layers)


def toy_classification(n_train: int = 96, n_val: int = 32, seed: int = 0) -> TensorData:
    """Three classes decided by a fixed linear rule on 4 Gaussian features."""
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(N_FEATURES, N_CLASSES))
    x = rng.normal(size=(n_train + n_val, N_FEATURES)).astype(np.float32)
    y = (x @ w).argmax(1).astype(np.int64)
    return TensorData(x[:n_train], y[:n_train], x[n_train:], y[n_train:])


def toy_regression(n_train: int = 96, n_val: int = 32, seed: int = 0) -> TensorData:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_train + n_val, N_FEATURES)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=len(x))).astype(np.float32)
    return TensorData(x[:n_train], y[:n_train], x[n_train:], y[n_train:])


class Recorder(Callback):
    """Records every event, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def on_event(self, event: Event) -> None:
        self.events.append(event)

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.events]


class StopAt:
    """A Control that says "stop" at its ``n``-th checkpoint (1-based)."""

    def __init__(self, n: int) -> None:
        self.n, self.calls = n, 0

    def checkpoint(self) -> bool:
        self.calls += 1
        return self.calls < self.n


@pytest.fixture
def cls_data() -> TensorData:
    return toy_classification()


@pytest.fixture
def reg_data() -> TensorData:
    return toy_regression()


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny models gain nothing from threads, and on a busy shared CPU OpenMP threads make them ~20x slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
