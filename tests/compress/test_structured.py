"""Structured pruning cuts exactly the units it says: removing units that output exactly zero leaves
every output of the network unchanged, through batch norm, pooling and flatten."""

from __future__ import annotations

import pytest
import torch

from studio.blocks import build_model
from studio.compress.structured import shrink

CNN = [{"kind": "conv2d", "filters": 8, "kernel_size": 3}, {"kind": "batchnorm"},
       {"kind": "activation", "fn": "relu"}, {"kind": "maxpool2d", "kernel_size": 2},
       {"kind": "conv2d", "filters": 6, "kernel_size": 3}, {"kind": "activation", "fn": "relu"},
       {"kind": "flatten"}, {"kind": "dense", "units": 10}, {"kind": "activation", "fn": "relu"}]
MLP = [{"kind": "dense", "units": 12}, {"kind": "activation", "fn": "relu"},
       {"kind": "dense", "units": 8}, {"kind": "activation", "fn": "relu"}]
FLAT_HEAD = [{"kind": "conv2d", "filters": 4, "kernel_size": 3}, {"kind": "activation", "fn": "relu"},
             {"kind": "maxpool2d", "kernel_size": 2}]  # the head flattens (4, 3, 3) itself


def _silence(model: torch.nn.Module, index: int, units: list[int], norm: int | None = None) -> None:
    """Units of layer ``index`` that output exactly 0 (and stay 0 through the batch norm ``norm``)."""
    with torch.no_grad():
        model[index].weight[units] = 0
        model[index].bias[units] = 0
        if norm is not None:
            bn = model[norm]
            bn.bias[units], bn.running_mean[units] = 0, 0


@pytest.mark.parametrize(("blocks", "in_shape", "dead", "sparsity", "want"), [
    (MLP, (5,), {0: [1, 4, 7], 2: [0, 5]}, 0.25, {0: 9, 2: 6}),
    (CNN, (1, 12, 12), {0: [2, 6], 4: [0, 3], 7: [2, 5]}, 0.25, {0: 6, 4: 4, 7: 8}),
    (FLAT_HEAD, (2, 8, 8), {0: [1, 2]}, 0.5, {0: 2}),
])
def test_removing_silent_units_changes_no_output(blocks, in_shape, dead, sparsity, want) -> None:
    torch.manual_seed(0)
    model = build_model(blocks, in_shape, 3).eval()
    for index, units in dead.items():
        _silence(model, index, units, norm=1 if blocks is CNN and index == 0 else None)
    x = torch.randn(7, *in_shape)
    before = model(x)
    new_blocks, state, notes = shrink(blocks, blocks, model.state_dict(), in_shape, 0, f"{len(model) - 1}.", sparsity)
    widths = {i: b.get("units", b.get("filters")) for i, b in enumerate(new_blocks) if b["kind"] in ("dense", "conv2d")}
    assert widths == want, notes
    small = build_model(new_blocks, in_shape, 3).eval()
    small.load_state_dict(state)  # every tensor has the new shape
    assert torch.allclose(small(x), before, atol=1e-5)
    assert sum(p.numel() for p in small.parameters()) < sum(p.numel() for p in model.parameters())


def test_a_layer_before_a_block_that_cannot_be_cut_is_kept_whole() -> None:
    blocks = [{"kind": "dense", "units": 8}, {"kind": "layernorm"}, {"kind": "dense", "units": 6}]
    model = build_model(blocks, (4,), 2)
    new_blocks, _, notes = shrink(blocks, blocks, model.state_dict(), (4,), 0, f"{len(model) - 1}.", 0.5)
    assert new_blocks[0]["units"] == 8 and new_blocks[2]["units"] == 3
    assert notes[0] == "block 1 dense: kept whole (a block after it cannot be cut)"
