"""Shared by the probe benchmarks: standardized moons as the Trainer takes them (a fifth more rows for
validation), the same data in every benchmark of the live views."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_moons

from studio.train.tensors import TensorData


def moons(rows: int) -> TensorData:
    x, y = make_moons(rows + rows // 5, noise=0.2, random_state=0)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
    return TensorData(x[:rows], y[:rows].astype(np.int64), x[rows:], y[rows:].astype(np.int64))
