"""The numeric stage exports with torch's dynamo ONNX exporter and runs in onnxruntime."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
import torch

from studio.preprocess import fit_preprocessor


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_to_torch_exports_to_onnx_and_matches_transform(train, val, table, tmp_path):
    steps = [
        {"kind": "clip_outliers", "method": "iqr"},
        {"kind": "scale"},
        {"kind": "drop_constant"},
        {"kind": "polynomial", "interaction_only": True},
        {"kind": "pca", "n_components": 4},
    ]
    pre, _, _ = fit_preprocessor(steps, train, table)
    module = pre.to_torch().eval()
    example = torch.from_numpy(pre.encode(train.iloc[:4]))
    batch = torch.export.Dim("batch")
    program = torch.onnx.export(module, (example,), dynamo=True, dynamic_shapes=({0: batch},), verbose=False)
    path = tmp_path / "pre.onnx"
    program.save(str(path))

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    encoded = pre.encode(val)  # 25 rows, with NaN and an unseen category
    assert np.isnan(encoded).any()
    (got,) = session.run(None, {session.get_inputs()[0].name: encoded})
    np.testing.assert_allclose(got, pre.transform(val), rtol=1e-5, atol=1e-5)
