"""Impossible stacks raise ShapeError before anything is built, naming the block and what to do."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.blocks import build_model, infer_shapes, summarize
from studio.errors import ShapeError

IMG8 = {"kind": "reshape", "shape": [1, 8, 8]}
POOL = {"kind": "maxpool2d"}

# (blocks, in_shape, words the message must contain)
IMPOSSIBLE = [
    ([{"kind": "dense"}], (2, 4, 4), ["block 1 dense", "(2, 4, 4)", "add a flatten", "global_avg_pool"]),
    (
        [{"kind": "dense"}, {"kind": "dense"}, {"kind": "conv2d"}],
        (10,),
        ["block 3 conv2d needs input (C, H, W) but gets (64,): add a reshape block before it"],
    ),
    ([{"kind": "maxpool2d"}], (64,), ["block 1 maxpool2d", "(64,)", "reshape"]),
    ([{"kind": "global_avg_pool"}], (5,), ["block 1 global_avg_pool", "(5,)", "reshape"]),
    ([IMG8], (30,), ["block 1 reshape", "64", "30"]),
    ([{"kind": "reshape", "shape": [-1, 7]}], (30,), ["block 1 reshape", "multiple of 7", "30"]),
    ([{"kind": "conv2d", "kernel_size": 5, "padding": "valid"}], (1, 3, 3), ["block 1 conv2d", "3x3", "kernel 5"]),
    ([{"kind": "maxpool2d", "kernel_size": 4}], (1, 3, 3), ["block 1 maxpool2d", "4x4", "3x3"]),
    ([IMG8, POOL, POOL, POOL, POOL], (64,), ["block 5 maxpool2d", "1x1"]),
    ([{"kind": "batchnorm"}], (1, 2, 3, 4), ["block 1 batchnorm", "(1, 2, 3, 4)"]),
    (
        [IMG8, {"kind": "residual", "blocks": [{"kind": "flatten"}]}],
        (64,),
        ["block 2 residual", "(1, 8, 8)", "(64,)", "skip"],
    ),
    (
        [IMG8, {"kind": "residual", "blocks": [{"kind": "conv2d", "padding": 2}]}],
        (64,),
        ["block 2 residual", "(16, 10, 10)", "skip"],
    ),
    (
        [{"kind": "residual", "blocks": [POOL]}],
        (2, 9, 9),
        ["block 1 residual", "(2, 9, 9)", "(2, 4, 4)", "whole factor"],
    ),
    (
        [IMG8, {"kind": "residual", "blocks": [{"kind": "conv2d"}, {"kind": "dense"}]}],
        (64,),
        ["block 2 (residual) inner block 2 dense", "(16, 8, 8)", "flatten"],
    ),
]


@pytest.mark.parametrize(("blocks", "in_shape", "words"), IMPOSSIBLE, ids=[w[0] for *_, w in IMPOSSIBLE])
def test_impossible_stack_names_block_and_fix(blocks: list[dict], in_shape: tuple, words: list[str]) -> None:
    for call in (
        lambda: infer_shapes(blocks, in_shape),
        lambda: build_model(blocks, in_shape, 2),
        lambda: summarize(blocks, in_shape, 2),
    ):
        with pytest.raises(ShapeError) as err:
            call()
        for word in words:
            assert word in str(err.value)


@pytest.mark.parametrize("in_shape", [(), (0,), (3, -1), (2.5,)])
def test_bad_input_shape(in_shape: tuple) -> None:
    with pytest.raises(ShapeError, match="input shape"):
        build_model([{"kind": "dense"}], in_shape, 2)


def test_input_shape_may_come_from_numpy_or_torch() -> None:
    assert infer_shapes([{"kind": "flatten"}], torch.Size([2, 3])) == [(6,)]
    assert infer_shapes([{"kind": "flatten"}], (np.int64(2), np.int64(3))) == [(6,)]


def test_zero_outputs() -> None:
    with pytest.raises(ShapeError, match="n_outputs=0"):
        build_model([{"kind": "dense"}], (4,), 0)
