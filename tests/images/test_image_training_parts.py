"""The image front of a model (per-channel normalization fit on training images) and per-sample augmentation."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from studio.inputs.image_norm import ImageNormalize, channel_stats
from studio.train.image_augment import make_image_augment


def test_channel_stats_match_numpy():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (50, 3, 6, 5), dtype=np.uint8)
    mean, std = channel_stats(images)
    x = images.astype(np.float64) / 255
    assert np.allclose(mean, x.mean(axis=(0, 2, 3))) and np.allclose(std, x.std(axis=(0, 2, 3)))
    assert channel_stats(np.full((3, 1, 2, 2), 7, np.uint8))[1] == [1e-3]  # a constant channel: no division by 0


def test_normalize_takes_uint8_or_floats_in_pixel_units():
    norm = ImageNormalize([0.5, 0.25], [0.2, 0.5])
    x = torch.tensor([[[[0, 255]], [[51, 102]]]], dtype=torch.uint8)  # (1, 2, 1, 2)
    mean, std = torch.tensor([0.5, 0.25]).view(1, 2, 1, 1), torch.tensor([0.2, 0.5]).view(1, 2, 1, 1)
    expected = (x.double() / 255 - mean) / std
    assert torch.allclose(norm(x).double(), expected, atol=1e-6)
    assert torch.allclose(norm(x.float()), norm(x))


def _options(**on):
    base = {"shift": 0, "hflip": False, "vflip": False, "rotation": 0.0, "brightness": 0.0, "contrast": 0.0,
            "cutout": 0.0}
    return SimpleNamespace(**{**base, **on})


def test_no_option_no_augmentation():
    assert make_image_augment(_options(), (3, 8, 8)) is None


@pytest.mark.parametrize("on", [{"shift": 2}, {"hflip": True}, {"vflip": True}, {"rotation": 20.0},
                                {"brightness": 0.3}, {"contrast": 0.3}, {"cutout": 0.3}])
def test_each_option_changes_images_per_sample(on):
    torch.manual_seed(0)
    aug = make_image_augment(_options(**on), (3, 8, 8))
    base = torch.randint(0, 256, (1, 3, 8, 8), dtype=torch.uint8)
    batch = base.repeat(64, 1, 1, 1)  # the same picture 64 times
    out = aug(batch)
    assert out.shape == batch.shape and out.dtype == torch.float32
    assert out.min() >= 0.0 and out.max() <= 255.0
    changed = (out - batch.float()).abs().flatten(1).amax(1) > 1e-3  # (64,)
    assert changed.any(), "the option did nothing"
    distinct = torch.unique(out.flatten(1).round(), dim=0).shape[0]
    assert distinct > 1, "every sample got the same draw"


def test_augmentation_is_repeatable_from_the_seed():
    aug = make_image_augment(_options(shift=2, hflip=True, rotation=10.0), (1, 8, 8))
    x = torch.randint(0, 256, (8, 1, 8, 8), dtype=torch.uint8)
    torch.manual_seed(3)
    a = aug(x)
    torch.manual_seed(3)
    assert torch.equal(a, aug(x))
