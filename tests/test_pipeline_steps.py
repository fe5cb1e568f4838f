"""Steps per epoch come from the engine, counted as the Trainer counts them (the schedule preview uses it)."""

from __future__ import annotations

from types import SimpleNamespace

from studio.pipeline import steps_per_epoch
from studio.recipe import Recipe


def _prepared(n: int) -> SimpleNamespace:
    return SimpleNamespace(n_train=n, in_shapes=[("table", (4,))], inputs=[SimpleNamespace(name="table", kind="table")],
                           n_outputs=2, fronts=dict)


def test_steps_per_epoch_counts_the_last_partial_batch():
    recipe = Recipe.from_dict({"model": [{"kind": "dense"}], "training": {"batch_size": 64}})
    assert steps_per_epoch(recipe, _prepared(129)) == 3
    assert steps_per_epoch(recipe, _prepared(128)) == 2


def test_a_final_batch_of_one_is_skipped_with_batch_norm():
    """BatchNorm cannot train on one sample: the Trainer drops that batch, so the schedule must too."""
    recipe = Recipe.from_dict({"model": [{"kind": "dense"}, {"kind": "batchnorm"}], "training": {"batch_size": 64}})
    assert steps_per_epoch(recipe, _prepared(129)) == 2
