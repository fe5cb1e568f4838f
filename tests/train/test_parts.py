"""Augmentation, device/precision resolution, losses and penalties."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.errors import RecipeError, TrainingError
from studio.train import augment, device
from studio.train.losses import balanced_class_weights, make_loss, resolve_loss
from studio.train.regularization import make_penalty, penalized_weights
from tests.train.conftest import tiny_model


def test_noise_keeps_the_shape_and_has_the_asked_spread() -> None:
    torch.manual_seed(0)
    x = torch.zeros(2000, 5)
    out = augment.gaussian_noise(x, 0.5)
    assert out.shape == x.shape and abs(out.std().item() - 0.5) < 0.02


def test_each_input_gets_the_augmentation_that_applies_to_it() -> None:
    """Noise for the table's features, kornia's per-sample image changes for pictures, nothing otherwise."""
    from studio.recipe import Augmentation

    flat, image = augment.make_augments(Augmentation(noise_std=0.1, shift=1, hflip=True), [(48,), (3, 4, 4)])
    assert flat is not None and flat(torch.zeros(8, 48)).std() > 0
    assert image is not None and image(torch.zeros(8, 3, 4, 4, dtype=torch.uint8)).shape == (8, 3, 4, 4)
    assert augment.make_augments(Augmentation(shift=2, hflip=True), [(10,)]) == [None]  # no flips for tables
    assert augment.make_augments(Augmentation(noise_std=0.3), [(1, 2, 2)]) == [None]  # no noise for pixels
    assert augment.make_augments(None, [(3,), (1, 2, 2)]) == [None, None]


def test_devices_and_precisions_on_this_machine() -> None:
    cpu = torch.device("cpu")
    assert device.resolve_device("cpu") == cpu
    assert device.describe_device(cpu).startswith("cpu (")
    assert device.resolve_precision("fp16", cpu) == "fp32"  # mixed precision only on CUDA
    assert device.resolve_precision("auto", cpu) == "fp32"
    if not torch.cuda.is_available() and not torch.backends.mps.is_available():
        assert device.resolve_device("auto") == cpu
        with pytest.raises(TrainingError, match="'mps' but this machine has no such device"):
            device.resolve_device("mps")


def test_resolve_loss_auto_and_mismatch() -> None:
    assert resolve_loss("auto", "classification") == "cross_entropy"
    assert resolve_loss("auto", "regression") == "mse"
    with pytest.raises(RecipeError, match="'cross_entropy' does not fit a regression task"):
        resolve_loss("cross_entropy", "regression")


def test_balanced_weights_follow_scikit_learn_and_default_missing_classes_to_one() -> None:
    y = np.array([0, 0, 0, 1])
    w = balanced_class_weights(y, 3)
    assert w.tolist() == pytest.approx([4 / (2 * 3), 4 / (2 * 1), 1.0])


def test_label_smoothing_and_class_weights_change_the_loss() -> None:
    out, y = torch.tensor([[2.0, 0.0], [0.0, 1.0]]), torch.tensor([0, 1])
    plain = make_loss("auto", "classification")(out, y)
    smooth = make_loss("auto", "classification", label_smoothing=0.2)(out, y)
    weighted = make_loss("auto", "classification", class_weights=torch.tensor([1.0, 3.0]))(out, y)
    assert smooth > plain and weighted > plain


def test_regression_loss_flattens_the_head() -> None:
    loss = make_loss("huber", "regression")(torch.tensor([[1.0], [3.0]]), torch.tensor([1.0, 1.0]))
    assert loss.item() == pytest.approx((0 + 1.5) / 2)


def test_penalties_skip_biases_and_norm_params() -> None:
    model = tiny_model(batchnorm=True)
    assert [tuple(p.shape) for p in penalized_weights(model)] == [(8, 4), (3, 8)]
    assert make_penalty(model, 0.0, 0.0) is None
    penalty = make_penalty(model, 0.5, 0.25)
    weights = penalized_weights(model)
    expected = 0.5 * sum(w.abs().sum() for w in weights) + 0.25 * sum(w.pow(2).sum() for w in weights)
    assert penalty().item() == pytest.approx(expected.item(), rel=1e-6)
