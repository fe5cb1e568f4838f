"""Synthetic 2-D teaching sets (moons, circles, xor, spirals, blobs), seeded by ``DataConfig.seed``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field
from sklearn import datasets as skd

from studio.data.datasets import DATASETS
from studio.data.table import Table
from studio.registry import Params

FEATURES = ["x1", "x2"]
TARGET = "label"


class PointsParams(Params):
    n_samples: int = Field(400, ge=20, le=100_000, description="Number of points.", json_schema_extra={"ui": "slider"})
    noise: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="Standard deviation of the noise added to each point.",
        json_schema_extra={"ui": "slider"},
    )


class MoonsParams(PointsParams):
    pass


class CirclesParams(PointsParams):
    factor: float = Field(0.5, gt=0.0, lt=1.0, description="Radius of the inner circle relative to the outer one.")


class XorParams(PointsParams):
    pass


class SpiralsParams(PointsParams):
    pass


class BlobsParams(PointsParams):
    noise: float = Field(
        1.0,
        gt=0.0,
        le=5.0,
        description="Spread (standard deviation) of each blob.",
        json_schema_extra={"ui": "slider"},
    )
    centers: int = Field(3, ge=2, le=10, description="Number of blobs, one class each.")


def _table(name: str, x: np.ndarray, y: np.ndarray) -> Table:
    """Points (n, 2) and integer classes (n,) -> a classification Table with labels '0', '1', ..."""
    frame = pd.DataFrame(np.asarray(x, dtype=np.float64), columns=FEATURES)
    frame[TARGET] = np.asarray(y, dtype=np.int64)
    n_classes = int(frame[TARGET].max()) + 1
    return Table(
        name=name,
        frame=frame,
        target=TARGET,
        features=list(FEATURES),
        column_types=dict.fromkeys(FEATURES, "numeric"),
        task="classification",
        class_labels=[str(c) for c in range(n_classes)],
        notes=[f"generated {len(frame)} points"],
    )


@DATASETS.register("moons", MoonsParams, "Two interleaving half circles (2-D, 2 classes).")
def moons(params: MoonsParams, seed: int) -> Table:
    x, y = skd.make_moons(params.n_samples, noise=params.noise, random_state=seed)
    return _table("moons", x, y)


@DATASETS.register("circles", CirclesParams, "A circle inside a circle (2-D, 2 classes).")
def circles(params: CirclesParams, seed: int) -> Table:
    x, y = skd.make_circles(params.n_samples, noise=params.noise, factor=params.factor, random_state=seed)
    return _table("circles", x, y)


@DATASETS.register("xor", XorParams, "Four quadrants, opposite ones share a class (2-D, 2 classes).")
def xor(params: XorParams, seed: int) -> Table:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(params.n_samples, 2))  # (n, 2)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # class from the clean point
    x = x + rng.normal(0.0, params.noise, size=x.shape)
    return _table("xor", x, y)


@DATASETS.register("spirals", SpiralsParams, "Two interleaved spirals (2-D, 2 classes).")
def spirals(params: SpiralsParams, seed: int) -> Table:
    rng = np.random.default_rng(seed)
    n = params.n_samples
    y = np.arange(n) % 2  # alternate so both classes have n/2 points
    t = np.repeat(np.linspace(0.0, 1.0, (n + 1) // 2), 2)[:n]  # position along the arm, 0..1
    angle = 1.75 * t * 2 * np.pi + np.pi * y  # second arm turned by half a turn
    radius = t  # grows from the centre to 1
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)  # (n, 2)
    x = x + rng.normal(0.0, params.noise, size=x.shape)
    return _table("spirals", x, y)


@DATASETS.register("blobs", BlobsParams, "Gaussian blobs, one class each (2-D, 2 to 10 classes).")
def blobs(params: BlobsParams, seed: int) -> Table:
    x, y = skd.make_blobs(
        params.n_samples,
        n_features=2,
        centers=params.centers,
        cluster_std=params.noise,
        random_state=seed,
    )
    return _table("blobs", x, y)
