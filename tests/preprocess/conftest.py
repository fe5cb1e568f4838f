"""Seeded, messy toy data for the preprocessing tests: NaN, a constant, outliers, a categorical."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studio.data.table import Table


def messy_frame(n: int = 60, seed: int = 0, shift: float = 0.0) -> pd.DataFrame:
    """Numeric a (some NaN), b (one outlier), c (constant), d; categorical city (NaN, rare values)."""
    rng = np.random.default_rng(seed)
    a = rng.normal(10.0 + shift, 2.0, n)
    a[::7] = np.nan
    b = rng.normal(0.0 + shift, 1.0, n)
    b[3] = 40.0
    city = rng.choice(["paris", "rome", "oslo", "lima", "kiev"], size=n, p=[0.4, 0.3, 0.2, 0.05, 0.05])
    city = city.astype(object)
    city[::9] = None
    return pd.DataFrame(
        {
            "a": a,
            "b": b,
            "c": np.full(n, 5.0),
            "d": rng.uniform(-1.0, 1.0, n) * (1.0 + shift),
            "city": city,
            "y": rng.integers(0, 2, n).astype(str),
        }
    )


def make_table(frame: pd.DataFrame, categorical: tuple[str, ...] = ("city",)) -> Table:
    features = [c for c in frame.columns if c != "y"]
    types = {c: ("categorical" if c in categorical else "numeric") for c in features}
    return Table(
        name="t",
        frame=frame,
        target="y",
        features=features,
        column_types=types,
        task="classification",
        class_labels=["0", "1"],
    )


@pytest.fixture
def train() -> pd.DataFrame:
    return messy_frame(60, seed=0)


@pytest.fixture
def val() -> pd.DataFrame:
    """A validation frame far from the training one (shifted), with NaN and an unseen city."""
    frame = messy_frame(25, seed=1, shift=100.0)
    frame.loc[0, "city"] = "tokyo"
    frame.loc[1, ["a", "b", "d"]] = np.nan
    return frame


@pytest.fixture
def table(train: pd.DataFrame) -> Table:
    return make_table(train)


@pytest.fixture
def messy():
    """The frame maker, for tests that need their own rows."""
    return messy_frame


@pytest.fixture
def table_of():
    """The table maker, for tests that need other categorical columns."""
    return make_table
