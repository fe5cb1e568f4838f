"""The NaN guard names the likeliest cause from the recipe's values (it never sees a tensor)."""

from __future__ import annotations

import math

import pytest

from studio.errors import TrainingError
from studio.train.callbacks import NanGuard
from studio.train.events import BatchEnd, EpochEnd


def _batch(loss: float) -> BatchEnd:
    return BatchEnd(epoch=1, batch=3, batches=4, loss=loss, samples_per_sec=100.0)


@pytest.mark.parametrize(
    ("guard", "named", "not_named"),
    [
        (NanGuard(0.01, l2=1e308), ["regularization.l2 is 1e+308", "penalty"], ["learning rate"]),
        (NanGuard(0.01, l1=5e3), ["regularization.l1 is 5000"], ["learning rate"]),
        (NanGuard(10.0, l2=1e-4), ["learning rate 10 is far too large"], ["l2"]),
        (NanGuard(10.0, l2=1e9), ["regularization.l2 is 1e+09"], ["learning rate"]),  # the penalty first
        (NanGuard(0.01), ["lower the learning rate (now 0.01)", "gradient clipping"], ["l2"]),
        (NanGuard(0.01, grad_clip=5.0), ["lower regularization.grad_clip (now 5)"], []),
    ],
)
def test_the_sentence_names_the_likeliest_cause(guard: NanGuard, named: list[str], not_named: list[str]) -> None:
    with pytest.raises(TrainingError) as info:
        guard.on_event(_batch(math.nan))
    sentence = str(info.value)
    assert sentence.startswith("the loss became NaN at epoch 1, by batch 3 of 4; ")
    for words in named:
        assert words in sentence
    for words in not_named:
        assert words not in sentence
    assert "np.float64" not in sentence and len(sentence) <= 300


def test_an_infinite_validation_loss_is_caught_at_the_epoch_end() -> None:
    guard = NanGuard(0.001)
    guard.on_event(_batch(0.5))  # finite: nothing happens
    end = EpochEnd(epoch=2, train_loss=0.4, val_loss=math.inf, train_metric=0.8, val_metric=0.7, lr=0.001,
                   seconds=0.1, samples_per_sec=100.0, metric_name="accuracy")
    with pytest.raises(TrainingError, match=r"became infinity at epoch 2 \(in the validation loss\)"):
        guard.on_event(end)
