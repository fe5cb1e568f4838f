"""Synthetic 2-D teaching sets: seeded, sized by their options, options validated."""

from __future__ import annotations

import pandas as pd
import pytest

from studio.data import load_table
from studio.errors import RecipeError
from studio.recipe import DataConfig

SYNTHETIC = ["moons", "circles", "xor", "spirals", "blobs"]


@pytest.mark.parametrize("name", SYNTHETIC)
def test_same_seed_same_data(name: str) -> None:
    a = load_table(DataConfig(source=f"builtin:{name}", seed=3, options={"n_samples": 60}))
    b = load_table(DataConfig(source=f"builtin:{name}", seed=3, options={"n_samples": 60}))
    c = load_table(DataConfig(source=f"builtin:{name}", seed=4, options={"n_samples": 60}))
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert not a.frame[["x1", "x2"]].equals(c.frame[["x1", "x2"]])
    assert a.frame.shape == (60, 3) and a.features == ["x1", "x2"]
    assert a.task == "classification" and a.n_classes >= 2
    assert set(a.y(a.frame).tolist()) == set(range(a.n_classes))


def test_noise_and_centers_options() -> None:
    clean = load_table(DataConfig(source="builtin:moons", options={"noise": 0.0}))
    noisy = load_table(DataConfig(source="builtin:moons", options={"noise": 0.5}))
    assert clean.frame["x1"].std() != pytest.approx(noisy.frame["x1"].std())
    blobs = load_table(DataConfig(source="builtin:blobs", options={"centers": 5}))
    assert blobs.class_labels == ["0", "1", "2", "3", "4"]


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"noise": 5.0}, r"data\.options \(moons\): noise .*less than or equal to 1.*received 5(\.0)?\)"),
        ({"n_samples": 3}, r"data\.options \(moons\): n_samples .*greater than or equal to 20"),
        ({"size": 10}, r"data\.options \(moons\): unknown field 'size'"),
    ],
)
def test_bad_options_name_data_options(options: dict, words: str) -> None:
    with pytest.raises(RecipeError, match=words):
        load_table(DataConfig(source="builtin:moons", options=options))
