"""Shared cases: one block per case on an input it suits, varying one knob at a time."""

from __future__ import annotations

import pytest
import torch

IMG = (2, 6, 6)  # a small (C, H, W) input
FLAT = (5,)

# (block, in_shape): every registered kind appears at least once (test_sweep checks it).
SWEEP: list[tuple[dict, tuple[int, ...]]] = [
    ({"kind": "dense"}, FLAT),
    ({"kind": "dense", "units": 1}, FLAT),
    ({"kind": "dense", "bias": False}, FLAT),
    *[({"kind": "activation", "fn": fn}, FLAT) for fn in
      ["relu", "leaky_relu", "gelu", "silu", "tanh", "sigmoid", "elu"]],
    ({"kind": "activation"}, IMG),
    ({"kind": "dropout"}, FLAT),
    ({"kind": "dropout", "p": 0.0}, FLAT),
    ({"kind": "dropout", "p": 0.5}, IMG),
    ({"kind": "batchnorm"}, FLAT),
    ({"kind": "batchnorm"}, (3, 4)),
    ({"kind": "batchnorm"}, IMG),
    ({"kind": "layernorm"}, FLAT),
    ({"kind": "layernorm"}, (3, 4)),
    ({"kind": "layernorm"}, IMG),
    ({"kind": "reshape"}, (64,)),
    ({"kind": "reshape", "shape": [-1]}, IMG),
    ({"kind": "reshape", "shape": [2, -1]}, IMG),
    ({"kind": "reshape", "shape": [1, -1, 4]}, (16,)),
    ({"kind": "flatten"}, IMG),
    ({"kind": "flatten"}, FLAT),
    ({"kind": "conv2d"}, IMG),
    ({"kind": "conv2d", "filters": 4}, IMG),
    ({"kind": "conv2d", "kernel_size": 1}, IMG),
    ({"kind": "conv2d", "kernel_size": 4}, IMG),
    ({"kind": "conv2d", "stride": 2}, IMG),
    ({"kind": "conv2d", "stride": 2, "kernel_size": 4}, (2, 7, 5)),
    ({"kind": "conv2d", "padding": "valid"}, IMG),
    ({"kind": "conv2d", "padding": 2}, IMG),
    ({"kind": "conv2d", "bias": False}, IMG),
    ({"kind": "conv2d"}, (1, 5, 7)),
    ({"kind": "separable_conv2d"}, IMG),
    ({"kind": "separable_conv2d", "filters": 3, "stride": 2, "kernel_size": 5}, (2, 7, 5)),
    ({"kind": "separable_conv2d", "padding": "valid", "bias": False}, IMG),
    ({"kind": "dropout2d"}, IMG),
    ({"kind": "dropout2d", "p": 0.5}, (1, 5, 7)),
    ({"kind": "maxpool2d"}, IMG),
    ({"kind": "maxpool2d", "kernel_size": 3}, (2, 7, 5)),
    ({"kind": "maxpool2d", "stride": 1}, IMG),
    ({"kind": "avgpool2d"}, IMG),
    ({"kind": "avgpool2d", "kernel_size": 3, "stride": 2}, (2, 7, 5)),
    ({"kind": "global_avg_pool"}, (3, 4, 5)),
    ({"kind": "residual"}, FLAT),  # dense 64: projected by a Linear
    ({"kind": "residual", "blocks": [{"kind": "dense", "units": 5}, {"kind": "activation"}]}, FLAT),
    ({"kind": "residual", "blocks": [{"kind": "conv2d", "filters": 2}, {"kind": "batchnorm"}]}, IMG),
    ({"kind": "residual", "blocks": [{"kind": "conv2d", "filters": 4, "stride": 2}]}, (2, 7, 5)),
    ({"kind": "residual", "blocks": [{"kind": "maxpool2d"}, {"kind": "conv2d", "filters": 3}]}, IMG),
    ({"kind": "residual", "blocks": [{"kind": "residual", "blocks": [{"kind": "dense", "units": 3}]}]}, FLAT),
]


def case_id(case: tuple[dict, tuple[int, ...]]) -> str:
    block, shape = case
    knobs = ",".join(f"{k}={v}" for k, v in block.items() if k not in ("kind", "blocks"))
    inner = "+".join(b["kind"] for b in block.get("blocks", []))
    return f"{block['kind']}[{knobs or inner or 'defaults'}]{'x'.join(map(str, shape))}"


@pytest.fixture(autouse=True)
def _seeded() -> None:
    torch.manual_seed(0)
