"""Every sequence block exports with the dynamo exporter (studio.export.to_onnx) on int64 token ids, and
onnxruntime matches torch at batch 1 and on a batch of 7 rows of different lengths (an empty one too)."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from studio.blocks import Steps, build_model, build_network
from studio.export.to_onnx import module_to_onnx
from tests.blocks.sequence_cases import SEQUENCE_KINDS, padded_ids, tokens

L = 12
LENGTHS = [12, 1, 5, 0, 3, 11, 7]  # one row per length: full, short, empty
TOL = 1e-4
EMB = {"kind": "embedding", "dim": 16}
SLOW = pytest.mark.slow  # an export takes 6-30 s on 2 shared CPU cores; bag_of_words stays in quick runs

EXPORTS = {
    "bag_of_words": [EMB, {"kind": "seq_pool"}],
}
SLOW_EXPORTS = {
    "transformer_post_norm": [EMB, {"kind": "positional"}, {"kind": "transformer_encoder", "heads": 4, "ff": 32},
                              {"kind": "seq_pool", "mode": "attention"}],
    "transformer_pre_norm": [EMB, {"kind": "positional", "encoding": "sinusoidal"},
                             {"kind": "transformer_encoder", "layers": 1, "heads": 2, "ff": 8, "norm_first": True},
                             {"kind": "seq_pool", "mode": "max"}],
    "self_attention": [EMB, {"kind": "self_attention", "heads": 2}, {"kind": "layernorm"}, {"kind": "dropout"},
                       {"kind": "activation", "fn": "gelu"}, {"kind": "seq_pool", "mode": "last"}],
    "conv1d_pool_flatten": [EMB, {"kind": "conv1d", "filters": 8, "kernel_size": 4},
                            {"kind": "maxpool1d", "kernel_size": 5}, {"kind": "flatten"}],
    "residual_conv1d": [EMB, {"kind": "residual", "blocks": [{"kind": "conv1d", "filters": 6}, {"kind": "activation"}]},
                        {"kind": "seq_pool", "mode": "max"}],
    "lstm_bidirectional_2_layers": [EMB, {"kind": "lstm", "hidden": 8, "layers": 2, "bidirectional": True}],
    "lstm_sequence": [EMB, {"kind": "lstm", "hidden": 8, "return_sequence": True}, {"kind": "seq_pool"}],
    "gru_bidirectional_sequence": [EMB, {"kind": "gru", "hidden": 8, "bidirectional": True, "return_sequence": True},
                                   {"kind": "seq_pool", "mode": "attention"}],
    "gru_last": [EMB, {"kind": "gru", "hidden": 8, "layers": 2}],
}
CASES = [pytest.param(b, id=name) for name, b in EXPORTS.items()] + [
    pytest.param(b, id=name, marks=SLOW) for name, b in SLOW_EXPORTS.items()]


def test_the_exports_cover_every_sequence_kind() -> None:
    used = {block["kind"] for blocks in [*EXPORTS.values(), *SLOW_EXPORTS.values()] for block in blocks}
    assert used >= SEQUENCE_KINDS | {"layernorm", "dropout", "activation", "flatten", "residual"}


def _session(proto: onnx.ModelProto) -> ort.InferenceSession:
    return ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])


def _worst(session: ort.InferenceSession, model: torch.nn.Module, *inputs: torch.Tensor) -> float:
    names = [i.name for i in session.get_inputs()]
    (got,) = session.run(None, {n: x.numpy() for n, x in zip(names, inputs, strict=True)})
    with torch.no_grad():
        want = model(*inputs).numpy()
    assert got.shape == want.shape and np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)
    return float(np.abs(got - want).max())


@pytest.mark.parametrize("blocks", CASES)
def test_sequence_model_exports_and_onnxruntime_matches_torch(blocks: list[dict]) -> None:
    torch.manual_seed(0)
    model = build_model(blocks, tokens(L), 3).eval()
    ids = padded_ids(LENGTHS, L, seed=1)
    proto = module_to_onnx(model, ids[:2], "logits")
    (graph_input,) = proto.graph.input
    assert graph_input.type.tensor_type.elem_type == onnx.TensorProto.INT64
    assert [d.dim_param or d.dim_value for d in graph_input.type.tensor_type.shape.dim] == ["batch", L]

    session = _session(proto)
    for i in range(len(LENGTHS)):  # batch 1, each length
        _worst(session, model, ids[i: i + 1])
    _worst(session, model, ids)  # batch 7, lengths mixed


@SLOW
def test_text_and_table_network_exports_with_two_inputs() -> None:
    torch.manual_seed(0)
    net = build_network([("table", (4,)), ("review", tokens(L))], [{"kind": "dense", "units": 8}],
                        {"review": [EMB, {"kind": "conv1d", "filters": 4}, {"kind": "seq_pool", "mode": "max"}]},
                        2).eval()
    ids = padded_ids(LENGTHS, L, seed=2)
    table = torch.randn(len(LENGTHS), 4)
    proto = module_to_onnx(net, [table[:2], ids[:2]], "logits", input_names=["table", "review"])
    session = _session(proto)
    _worst(session, net, table[:1], ids[3:4])  # the empty text
    _worst(session, net, table, ids)


@SLOW
def test_a_series_window_into_an_lstm_exports_on_float_input() -> None:
    torch.manual_seed(0)
    model = build_model([{"kind": "lstm", "hidden": 8, "bidirectional": True}], Steps(10, 3), 1).eval()
    x = torch.randn(7, 10, 3)
    proto = module_to_onnx(model, x[:2], "forecast")
    session = _session(proto)
    _worst(session, model, x[:1])
    _worst(session, model, x)
