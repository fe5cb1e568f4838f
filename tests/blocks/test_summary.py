"""MAC counts (by hand and against torch's FLOP counter) and the summary table."""

from __future__ import annotations

import json

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from studio.blocks import build_model, summarize
from tests.blocks.conftest import SWEEP, case_id

CNN = [
    {"kind": "reshape", "shape": [1, 8, 8]},
    {"kind": "conv2d", "filters": 4},
    {"kind": "batchnorm"},
    {"kind": "activation"},
    {"kind": "maxpool2d"},
    {"kind": "residual", "blocks": [{"kind": "conv2d", "filters": 8, "stride": 2}]},
]


def block_macs(block: dict, in_shape: tuple[int, ...]) -> int:
    return summarize([block], in_shape, 1).rows[0].macs


@pytest.mark.parametrize(
    ("block", "in_shape", "macs"),
    [
        ({"kind": "dense", "units": 4}, (10,), 10 * 4),
        ({"kind": "dense", "units": 4, "bias": False}, (10,), 10 * 4),
        ({"kind": "conv2d", "filters": 5}, (3, 8, 8), 5 * 8 * 8 * (3 * 3 * 3)),
        ({"kind": "conv2d", "filters": 5, "stride": 2, "padding": "valid"}, (3, 8, 8), 5 * 3 * 3 * (3 * 3 * 3)),
        ({"kind": "conv2d", "filters": 2, "kernel_size": 1, "padding": 1}, (3, 4, 4), 2 * 6 * 6 * 3),
        ({"kind": "residual", "blocks": [{"kind": "dense", "units": 3}]}, (4,), 4 * 3 + 4 * 3),  # body + Linear skip
        ({"kind": "activation"}, (10,), 0),
        ({"kind": "batchnorm"}, (3, 4, 4), 3 * 4 * 4),
    ],
)
def test_macs_by_hand(block: dict, in_shape: tuple[int, ...], macs: int) -> None:
    assert block_macs(block, in_shape) == macs


MATMUL_CASES = [c for c in SWEEP if c[0]["kind"] in ("dense", "conv2d", "residual") and "norm" not in json.dumps(c[0])]


@pytest.mark.parametrize(("block", "in_shape"), MATMUL_CASES, ids=[case_id(c) for c in MATMUL_CASES])
def test_macs_agree_with_torch_flop_counter(block: dict, in_shape: tuple[int, ...]) -> None:
    layer = build_model([block], in_shape, 1)[0]
    with FlopCounterMode(display=False) as counter:
        layer(torch.randn(1, *in_shape))
    assert 2 * block_macs(block, in_shape) == counter.get_total_flops()


def test_summary_rows_labels_and_totals() -> None:
    summary = summarize(CNN, (64,), 3)
    model = build_model(CNN, (64,), 3)

    assert [r.index for r in summary.rows] == [1, 2, 3, 4, 5, 6, None, None]
    assert [r.kind for r in summary.rows][-2:] == ["flatten", "head"]
    assert summary.rows[1].label == "conv2d 4@3x3"
    assert [r.out_shape for r in summary.rows] == [
        (1, 8, 8), (4, 8, 8), (4, 8, 8), (4, 8, 8), (4, 4, 4), (8, 2, 2), (32,), (3,)
    ]
    assert summary.total_params == sum(p.numel() for p in model.parameters())
    for row, module in zip(summary.rows[:6], model, strict=False):
        assert row.params == sum(p.numel() for p in module.parameters())
    assert summary.rows[-1].params == 32 * 3 + 3
    assert summary.total_macs == sum(r.macs for r in summary.rows)


def test_summary_records_are_plain_and_typed_per_column() -> None:
    records = summarize(CNN, (64,), 3).to_records()
    assert list(records[0]) == ["index", "kind", "label", "out_shape", "params", "macs"]
    assert records[0]["out_shape"] == "(1, 8, 8)"
    assert [r["index"] for r in records][-2:] == ["", ""]
    for key in records[0]:
        assert len({type(r[key]) for r in records}) == 1, key
    json.dumps(records)


def test_summary_of_a_flat_model_has_no_flatten_row() -> None:
    summary = summarize([{"kind": "dense", "units": 8}], (4,), 1)
    assert [r.kind for r in summary.rows] == ["dense", "head"]
    assert summary.total_params == (4 * 8 + 8) + (8 + 1)
    assert summary.total_macs == 4 * 8 + 8 * 1
