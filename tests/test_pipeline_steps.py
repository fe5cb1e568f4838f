"""Steps per epoch come from the engine, counted as the Trainer counts them (the schedule preview uses it)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from studio.pipeline import steps_per_epoch
from studio.recipe import Recipe


def _prepared(n: int) -> SimpleNamespace:
    return SimpleNamespace(x_train=np.zeros((n, 4), dtype=np.float32), in_shape=(4,), n_outputs=2)


def test_steps_per_epoch_counts_the_last_partial_batch():
    recipe = Recipe.from_dict({"model": [{"kind": "dense"}], "training": {"batch_size": 64}})
    assert steps_per_epoch(recipe, _prepared(129)) == 3
    assert steps_per_epoch(recipe, _prepared(128)) == 2


def test_a_final_batch_of_one_is_skipped_with_batch_norm():
    """BatchNorm cannot train on one sample: the Trainer drops that batch, so the schedule must too."""
    recipe = Recipe.from_dict({"model": [{"kind": "dense"}, {"kind": "batchnorm"}], "training": {"batch_size": 64}})
    assert steps_per_epoch(recipe, _prepared(129)) == 2
