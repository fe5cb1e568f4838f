"""The residual block adds its input back: as is when shapes agree, else through a projection."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from studio.blocks import build_model, infer_shapes


def residual(*blocks: dict) -> dict:
    return {"kind": "residual", "blocks": list(blocks)}


@pytest.mark.parametrize(
    ("block", "in_shape", "skip_type", "out_shape"),
    [
        (residual({"kind": "dense", "units": 6}), (6,), nn.Identity, (6,)),
        (residual({"kind": "dense", "units": 3}), (6,), nn.Linear, (3,)),
        (residual({"kind": "conv2d", "filters": 2}), (2, 6, 6), nn.Identity, (2, 6, 6)),
        (residual({"kind": "conv2d", "filters": 4}), (2, 6, 6), nn.Conv2d, (4, 6, 6)),
        (residual({"kind": "conv2d", "filters": 4, "stride": 2}), (2, 7, 6), nn.Conv2d, (4, 4, 3)),
    ],
)
def test_skip_is_identity_or_projection(block: dict, in_shape: tuple, skip_type: type, out_shape: tuple) -> None:
    layer = build_model([block], in_shape, 1)[0]
    assert type(layer.skip) is skip_type
    assert infer_shapes([block], in_shape) == [out_shape]
    x = torch.randn(3, *in_shape)
    assert torch.allclose(layer(x), layer.body(x) + layer.skip(x))
    assert layer(x).shape == (3, *out_shape)


def test_identity_skip_adds_the_input_itself() -> None:
    layer = build_model([residual({"kind": "dense", "units": 4})], (4,), 1)[0]
    x = torch.randn(3, 4)
    assert torch.allclose(layer(x) - layer.body(x), x)


def test_strided_projection_matches_the_body_size() -> None:
    layer = build_model([residual({"kind": "conv2d", "filters": 4, "stride": 2})], (2, 7, 6), 1)[0]
    assert layer.skip.kernel_size == (1, 1) and layer.skip.stride == (2, 2)


def test_nested_residuals_infer_and_run() -> None:
    block = residual(residual({"kind": "dense", "units": 5}, {"kind": "activation"}), {"kind": "dense", "units": 2})
    model = build_model([block], (5,), 2)
    assert infer_shapes([block], (5,)) == [(2,)]
    assert model(torch.randn(3, 5)).shape == (3, 2)
