"""A model using every block kind on features and images exports with torch.onnx (dynamo) and onnxruntime
agrees with torch; the sequence kinds have their own export tests (test_sequence_onnx.py)."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import torch

from studio.blocks import BLOCKS, build_model
from tests.blocks.sequence_cases import SEQUENCE_KINDS

EVERY_KIND = [
    {"kind": "reshape", "shape": [1, 8, 8]},
    {"kind": "conv2d", "filters": 4, "kernel_size": 4},
    {"kind": "batchnorm"},
    {"kind": "activation", "fn": "gelu"},
    {"kind": "separable_conv2d", "filters": 6},
    {"kind": "dropout2d"},
    {"kind": "maxpool2d"},
    {"kind": "residual", "blocks": [{"kind": "conv2d", "filters": 8, "stride": 2}, {"kind": "layernorm"}]},
    {"kind": "avgpool2d", "kernel_size": 2, "stride": 1},
    {"kind": "global_avg_pool"},
    {"kind": "dense", "units": 16},
    {"kind": "layernorm"},
    {"kind": "dropout"},
    {"kind": "residual", "blocks": [{"kind": "dense", "units": 8}, {"kind": "activation", "fn": "elu"}]},
    {"kind": "reshape", "shape": [2, -1]},
    {"kind": "batchnorm"},
    {"kind": "flatten"},
]


def test_every_kind_exports_to_onnx_with_a_dynamic_batch() -> None:
    assert {b["kind"] for b in EVERY_KIND} == set(BLOCKS) - SEQUENCE_KINDS
    model = build_model(EVERY_KIND, (64,), 3).eval()
    batch = torch.export.Dim("batch")
    program = torch.onnx.export(model, (torch.randn(2, 64),), dynamo=True, dynamic_shapes=({0: batch},))
    session = ort.InferenceSession(program.model_proto.SerializeToString())

    x = torch.randn(5, 64)
    (got,) = session.run(None, {session.get_inputs()[0].name: x.numpy()})
    with torch.no_grad():
        want = model(x).numpy()
    assert got.shape == (5, 3)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
