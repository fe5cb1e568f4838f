"""Every registered block builds, runs forward + backward on a batch of 3, and its shapes and
parameter counts agree with what the model really does."""

from __future__ import annotations

import pytest
import torch

from studio.blocks import BLOCKS, build_model, infer_shapes, summarize
from tests.blocks.conftest import SWEEP, case_id
from tests.blocks.sequence_cases import SEQUENCE_SWEEP

N_OUT = 3


def test_sweep_covers_every_registered_kind() -> None:
    sequence = {block["kind"] for blocks in SEQUENCE_SWEEP for block in blocks}  # test_sequence_sweep.py
    assert {block["kind"] for block, _ in SWEEP} | sequence == set(BLOCKS)


@pytest.mark.parametrize(("block", "in_shape"), SWEEP, ids=[case_id(c) for c in SWEEP])
def test_block_builds_runs_and_matches_inference(block: dict, in_shape: tuple[int, ...]) -> None:
    model = build_model([block], in_shape, N_OUT)
    x = torch.randn(3, *in_shape)

    assert tuple(model[0](x).shape[1:]) == infer_shapes([block], in_shape)[0]

    out = model(x)
    assert out.shape == (3, N_OUT)
    out.square().sum().backward()
    params = list(model.parameters())
    assert params and all(p.grad is not None for p in params)

    summary = summarize([block], in_shape, N_OUT)
    assert summary.total_params == sum(p.numel() for p in params)
    assert summary.rows[0].out_shape == infer_shapes([block], in_shape)[0]


@pytest.mark.parametrize(("block", "in_shape"), SWEEP, ids=[case_id(c) for c in SWEEP])
def test_block_normalizes_to_defaults_and_round_trips(block: dict, in_shape: tuple[int, ...]) -> None:
    normal = BLOCKS.normalize(block, "model block 1")
    assert normal.items() >= {k: v for k, v in block.items() if k != "blocks"}.items()
    assert BLOCKS.normalize(normal, "model block 1") == normal


def test_regression_head_returns_one_column() -> None:
    model = build_model([{"kind": "dense", "units": 4}], (5,), 1)
    assert model(torch.randn(3, 5)).shape == (3, 1)


def test_no_blocks_is_a_linear_model_and_images_get_flattened() -> None:
    assert build_model([], (5,), 2)(torch.randn(3, 5)).shape == (3, 2)
    model = build_model([{"kind": "conv2d", "filters": 4}], (1, 4, 4), 2)
    assert isinstance(model[-2], torch.nn.Flatten)
    assert model(torch.randn(3, 1, 4, 4)).shape == (3, 2)


def test_forward_is_deterministic_in_eval_mode() -> None:
    model = build_model([{"kind": "dense"}, {"kind": "dropout", "p": 0.5}], (5,), 2).eval()
    x = torch.randn(3, 5)
    assert torch.equal(model(x), model(x))
