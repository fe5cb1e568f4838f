"""TensorBoard's debiased EMA against a hand computation, and the per-batch losses the Trainer reports."""

from __future__ import annotations

import math

import pytest

from studio.train.smoothing import smooth


def test_smoothing_matches_a_hand_computation():
    # w = 0.5: last = 0.5*0 + 0.5*4 = 2 -> 2/(1-0.5) = 4; last = 0.5*2 + 0.5*2 = 2 -> 2/0.75 = 8/3;
    # last = 0.5*2 + 0.5*6 = 4 -> 4/0.875 = 32/7
    assert smooth([4.0, 2.0, 6.0], 0.5) == pytest.approx([4.0, 8 / 3, 32 / 7])
    # w = 0.9: last = 0.1 -> 0.1/0.1 = 1; last = 0.09 + 0.3 = 0.39 -> 0.39/0.19
    assert smooth([1.0, 3.0], 0.9) == pytest.approx([1.0, 0.39 / 0.19])


def test_zero_weight_constant_curves_and_non_finite_points():
    assert smooth([3.0, 1.0, 2.0], 0.0) == [3.0, 1.0, 2.0]
    assert smooth([0.7, 0.7, 0.7], 0.9) == [0.7, 0.7, 0.7]
    out = smooth([4.0, math.nan, 2.0], 0.5)
    assert out[0] == 4.0 and math.isnan(out[1]) and out[2] == pytest.approx(8 / 3)  # NaN skipped, not counted
    assert smooth([], 0.6) == []
    with pytest.raises(ValueError):
        smooth([1.0], 1.0)


def test_batch_events_carry_the_loss_of_their_own_batches(cls_data):
    from studio.train.events import BatchEnd, EpochEnd
    from studio.train.trainer import Trainer
    from tests.train.conftest import N_CLASSES, Recorder, make_recipe, tiny_model

    rec = Recorder()
    Trainer(tiny_model(), cls_data, make_recipe(), "classification", N_CLASSES, callbacks=[rec],
            batch_event_interval=0.0).fit()
    batches = [e for e in rec.events if isinstance(e, BatchEnd)]
    epochs = [e for e in rec.events if isinstance(e, EpochEnd)]
    assert [b.step for b in batches] == list(range(1, 13))  # 96 rows, batch 16: 6 a epoch
    first = [b for b in batches if b.epoch == 1]
    assert first[0].recent_loss == pytest.approx(first[0].loss)  # one batch: its own loss
    # the batches are equal in size: the mean of their losses is the epoch's (and the running) loss
    assert sum(b.recent_loss for b in first) / len(first) == pytest.approx(epochs[0].train_loss, rel=1e-5)
    assert first[2].loss == pytest.approx(sum(b.recent_loss for b in first[:3]) / 3, rel=1e-5)
    assert list(epochs[0].batch_losses) == pytest.approx([b.recent_loss for b in first])  # the epoch's own list
    assert len(epochs[1].batch_losses) == 6


def test_batch_curve_joins_finished_epochs_and_the_running_one():
    from studio.train.smoothing import batch_curve

    steps, losses = batch_curve([[0.9, 0.8, 0.7], [0.6, 0.5, 0.4]], [(5, 0.55), (7, 0.35), (8, 0.3)])
    assert steps == [1, 2, 3, 4, 5, 6, 7, 8] and losses == [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35, 0.3]
    steps, losses = batch_curve([[1.0, 3.0, 5.0, 7.0, 9.0]], limit=2)  # runs of 3: (1, 3, 5), (7, 9)
    assert steps == [3, 5] and losses == [3.0, 8.0]
    assert batch_curve([]) == ([], [])
