"""The image blocks of the second wave: depthwise-separable convolution and channel dropout."""

from __future__ import annotations

import pytest
import torch

from studio.blocks import build_model, summarize
from studio.errors import ShapeError


def test_separable_convolution_has_the_weights_it_promises():
    blocks = [{"kind": "separable_conv2d", "filters": 16, "kernel_size": 3, "bias": True}]
    s = summarize(blocks, (8, 10, 10), 2)
    row = s.rows[0]
    assert row.params == 8 * 3 * 3 + (8 * 16 + 16)  # depthwise (no bias) + pointwise with bias
    assert row.params < 8 * 16 * 3 * 3  # a plain conv2d would need this many
    assert row.out_shape == (16, 10, 10)
    assert row.macs == 10 * 10 * 8 * 9 + 10 * 10 * 8 * 16


def test_channel_dropout_zeroes_whole_channels_and_only_while_training():
    model = build_model([{"kind": "dropout2d", "p": 0.5}], (16, 4, 4), 2)
    drop = model[0]
    torch.manual_seed(0)
    x = torch.ones(8, 16, 4, 4)
    out = drop.train()(x)
    per_channel = out.flatten(2)  # (8, 16, 16): a channel is either all zero or all kept
    assert ((per_channel == 0).all(-1) | (per_channel != 0).all(-1)).all()
    assert (per_channel == 0).all(-1).any()
    assert torch.equal(drop.eval()(x), x)


def test_channel_dropout_needs_an_image():
    with pytest.raises(ShapeError, match=r"block 1 dropout2d needs input \(C, H, W\) but gets \(64,\)"):
        summarize([{"kind": "dropout2d"}], (64,), 2)
