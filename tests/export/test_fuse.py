"""The preprocessing rewrites compute what the graph computed before them, with fewer nodes."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from studio.export.fuse import NARROW_WIDTH, fuse_graph

K, N = 5, 3
RNG = np.random.default_rng(0)


def _model(nodes: list[onnx.NodeProto], inits: dict[str, np.ndarray], out_width: int,
           in_width: int = K) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", in_width])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", out_width])],
        initializer=[numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)], ir_version=10)
    onnx.checker.check_model(model, full_check=True)
    return model


def _run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"]).run(
        None, {"x": x})[0]


def _ops(model: onnx.ModelProto) -> list[str]:
    return [n.op_type for n in model.graph.node]


def _missing_graph(fill: np.ndarray) -> onnx.ModelProto:
    """The front's ±inf -> NaN, then the torch fill module's NaN -> fill, as exported."""
    return _model([
        helper.make_node("IsInf", ["x"], ["inf"]),
        helper.make_node("Where", ["inf", "nan", "x"], ["finite"]),
        helper.make_node("IsNaN", ["finite"], ["missing"]),
        helper.make_node("Where", ["missing", "fill", "finite"], ["y"]),
    ], {"nan": np.asarray(np.nan, np.float32), "fill": fill}, len(fill), len(fill))


@pytest.mark.parametrize("width", [K, NARROW_WIDTH + 3])
def test_missing_values_become_imputers_with_the_same_answers(width: int):
    fill = RNG.normal(size=width).astype(np.float32)
    fill[2] = np.nan  # a column left missing
    before = _missing_graph(fill)
    after = fuse_graph(before)
    if width <= NARROW_WIDTH:
        assert _ops(after) == ["Imputer", "Imputer", "Imputer"]
    else:
        assert _ops(after) == ["Sub", "Add", "Imputer"]
    assert _ops(before) == ["IsInf", "Where", "IsNaN", "Where"]  # a new proto; the exporter reuses the old one
    assert all(len(n.metadata_props) == 0 and n.name for n in after.graph.node)
    specials = [np.nan, np.inf, -np.inf, 3.0, -0.0, 1e30, -1e-30, 2.5, 0.0]
    x = RNG.choice(specials, size=(7, width)).astype(np.float32)
    got, ref = _run(after, x), _run(before, x)
    np.testing.assert_array_equal(got, ref)  # NaN == NaN in this assertion
    assert np.isnan(got[:, 2]).sum() == (~np.isfinite(x[:, 2])).sum()


def test_missing_rewrite_needs_a_nan_replacement():
    model = _missing_graph(np.ones(K, np.float32))
    for init in model.graph.initializer:
        if init.name == "nan":
            init.CopyFrom(numpy_helper.from_array(np.asarray(0.0, np.float32), "nan"))  # ±inf -> 0: another meaning
    assert "Imputer" not in _ops(fuse_graph(model))


def _scaled_gemm(mean: np.ndarray, scale: np.ndarray, trans_b: int, bias: bool = True) -> onnx.ModelProto:
    w = RNG.normal(size=(N, K) if trans_b else (K, N)).astype(np.float32)
    inits = {"mean": mean, "scale": scale, "w": w}
    inputs = ["scaled", "w"]
    if bias:
        inits["b"] = RNG.normal(size=N).astype(np.float32)
        inputs.append("b")
    return _model([
        helper.make_node("Sub", ["x", "mean"], ["centered"]),
        helper.make_node("Div", ["centered", "scale"], ["scaled"]),
        helper.make_node("Gemm", inputs, ["y"], transB=trans_b),
    ], inits, N)


@pytest.mark.parametrize("trans_b", [0, 1])
@pytest.mark.parametrize("bias", [True, False])
def test_scaling_folds_into_the_first_layer(trans_b: int, bias: bool):
    mean = np.asarray([1.0, -2.0, 0.5, 3.0, 0.0], np.float32)
    scale = np.asarray([0.5, 2.0, 10.0, 50.0, 1.0], np.float32)  # columns of very different sizes
    before = _scaled_gemm(mean, scale, trans_b, bias)
    after = fuse_graph(before)
    assert _ops(after) == ["Gemm"] and _ops(before) == ["Sub", "Div", "Gemm"]
    x = (mean + scale * RNG.normal(size=(64, K))).astype(np.float32)
    np.testing.assert_allclose(_run(after, x), _run(before, x), rtol=1e-5, atol=1e-5)


def test_a_mean_far_from_zero_keeps_its_subtraction():
    """A year column (2020 ± 3): folding the mean would cancel catastrophically in float32."""
    mean = np.asarray([2020.0, 0.0, 1.0, 5.0, 0.5], np.float32)
    scale = np.asarray([3.0, 1.0, 2.0, 1.0, 0.1], np.float32)
    before = _scaled_gemm(mean, scale, trans_b=1)
    after = fuse_graph(before)
    assert _ops(after) == ["Sub", "Gemm"]
    x = (mean + scale * RNG.normal(size=(64, K))).astype(np.float32)
    np.testing.assert_allclose(_run(after, x), _run(before, x), rtol=1e-5, atol=1e-5)


def test_shared_weights_are_not_folded():
    """Rescaling weights another node also reads would change that node's answer."""
    model = _scaled_gemm(np.zeros(K, np.float32), np.full(K, 2.0, np.float32), trans_b=1)
    model.graph.node.append(helper.make_node("Gemm", ["x", "w"], ["other"], transB=1))
    model.graph.output.append(helper.make_tensor_value_info("other", TensorProto.FLOAT, ["batch", N]))
    assert _ops(fuse_graph(model)) == ["Sub", "Div", "Gemm", "Gemm"]


def test_a_gemm_that_scales_its_product_is_left_alone():
    model = _scaled_gemm(np.zeros(K, np.float32), np.full(K, 2.0, np.float32), trans_b=1)
    model.graph.node[2].attribute.append(helper.make_attribute("alpha", 0.5))
    assert _ops(fuse_graph(model)) == ["Sub", "Div", "Gemm"]


@pytest.mark.parametrize("trans_b", [0, 1])
def test_a_regression_head_puts_its_units_back_inside_the_last_layer(trans_b: int):
    w = RNG.normal(size=(1, K) if trans_b else (K, 1)).astype(np.float32)
    before = _model([
        helper.make_node("Gemm", ["x", "w", "b"], ["z"], transB=trans_b),
        helper.make_node("Mul", ["z", "std"], ["unscaled"]),
        helper.make_node("Add", ["unscaled", "mean"], ["y"]),
    ], {"w": w, "b": np.asarray([0.3], np.float32), "std": np.asarray(76.5, np.float32),
        "mean": np.asarray(152.0, np.float32)}, 1)
    after = fuse_graph(before)
    assert _ops(after) == ["Gemm"]
    x = RNG.normal(size=(32, K)).astype(np.float32)
    np.testing.assert_allclose(_run(after, x), _run(before, x), rtol=1e-5, atol=1e-4)


def test_a_regression_export_is_fused(hand_regression):
    from studio.export.exporter import export_loaded

    report = export_loaded(hand_regression)
    ops = _ops(onnx.load(str(report.model_path)))
    assert report.parity["passed"] and not report.notes
    assert "Mul" not in ops and "IsInf" not in ops and ops[-1] == "Gemm", ops


def test_a_fused_graph_that_misses_parity_is_exported_unfused(hand_run, monkeypatch):
    """Fusing only ever makes the file faster: when the fused graph fails the proof, the unfused one ships."""
    import studio.export.exporter as exporter

    def broken(proto: onnx.ModelProto) -> onnx.ModelProto:
        fused = fuse_graph(proto)
        for init in fused.graph.initializer:
            if init.name.endswith("_scaled"):  # the first layer's folded weights, now wrong
                init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init) * 3.0, init.name))
        return fused

    monkeypatch.setattr(exporter, "fuse_graph", broken)
    report = exporter.export_loaded(hand_run)
    assert report.parity["passed"] and report.notes and "unfused" in report.notes[0]
    ops = _ops(onnx.load(str(report.model_path)))
    assert "IsInf" in ops and "Div" in ops


def test_scaled_input_also_used_elsewhere_is_left_alone():
    """A residual block reads the scaled matrix twice: no fold, and both readers keep their answers."""
    model = _scaled_gemm(np.asarray([1.0, 2.0, 3.0, 4.0, 5.0], np.float32), np.full(K, 2.0, np.float32), trans_b=1)
    model.graph.node.append(helper.make_node("ReduceSum", ["scaled"], ["other"], keepdims=1))
    model.graph.output.append(helper.make_tensor_value_info("other", TensorProto.FLOAT, ["batch", 1]))
    after = fuse_graph(model)
    assert _ops(after) == ["Sub", "Div", "Gemm", "ReduceSum"]
    x = RNG.normal(size=(16, K)).astype(np.float32)
    runs = [ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})
            for m in (model, after)]
    for a, b in zip(*runs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
