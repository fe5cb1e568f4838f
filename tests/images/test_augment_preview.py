"""The Train page's preview of augmented pictures: real kornia augmentation, seeded, RNG untouched."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from studio.recipe import Recipe
from studio.train.image_augment import preview


def _prepared(n: int = 40) -> SimpleNamespace:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 3, 12, 12), dtype=np.uint8)
    inputs = [SimpleNamespace(name="table", kind="table"), SimpleNamespace(name="photo", kind="image")]
    return SimpleNamespace(inputs=inputs, x_train={"table": np.zeros((n, 2), np.float32), "photo": images})


def _recipe(**augmentation) -> Recipe:
    return Recipe.from_dict({"regularization": {"augmentation": augmentation or None}})


def test_no_augmentation_shows_the_pictures_as_they_are():
    prep = _prepared()
    out = preview(_recipe(), prep, n=5)
    rows = [0, 10, 20, 29, 39]  # spread over the training split
    assert out.dtype == np.uint8 and np.array_equal(out, prep.x_train["photo"][rows])


def test_augmentation_changes_pictures_reproducibly_without_touching_the_global_rng():
    prep = _prepared()
    recipe = _recipe(hflip=True, shift=2, brightness=0.3)
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = preview(recipe, prep, n=6, seed=1)
    assert torch.equal(torch.rand(1), before)  # the caller's random stream goes on as if nothing ran
    b = preview(recipe, prep, n=6, seed=1)
    c = preview(recipe, prep, n=6, seed=2)
    assert a.shape == (6, 3, 12, 12) and a.dtype == np.uint8
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert not np.array_equal(a, preview(_recipe(), prep, n=6))


def test_vflip_alone_mirrors_some_pictures_upside_down():
    prep = _prepared()
    original = preview(_recipe(), prep, n=8)
    flipped = preview(_recipe(vflip=True), prep, n=8, seed=0)
    same = [np.array_equal(f, o) for f, o in zip(flipped, original, strict=True)]
    mirrored = [np.array_equal(f, o[:, ::-1]) for f, o in zip(flipped, original, strict=True)]
    assert all(s or m for s, m in zip(same, mirrored, strict=True)) and any(mirrored)


def test_no_image_input_is_a_value_error():
    prep = SimpleNamespace(inputs=[SimpleNamespace(name="table", kind="table")], x_train={})
    with pytest.raises(ValueError, match="no image input"):
        preview(_recipe(), prep)
