"""The exported file: one self-contained file, no machine paths, dynamic batch, metadata, card."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest

import studio
from studio.errors import ExportError
from studio.export.exporter import export_loaded
from studio.export.predict import read_schema
from studio.export.session import make_session


def test_one_self_contained_file(exported):
    run, report = exported
    files = {p.name for p in run.path.iterdir()}
    assert {"export.json", "model.int8.onnx", "model.onnx", "model_card.json"} <= files
    assert files <= {"export.json", "model.int8.onnx", "model.onnx", "model_card.json", "bench.csv"}
    model = onnx.load(str(report.model_path), load_external_data=False)
    assert not any(t.data_location == onnx.TensorProto.EXTERNAL for t in model.graph.initializer)


@pytest.mark.parametrize("name", ["model.onnx", "model.int8.onnx"])
def test_no_absolute_path_inside(exported, name):
    run, _ = exported
    blob = (run.path / name).read_bytes()
    for needle in [str(run.path), str(Path.cwd()), "/home", "/work", "/root", "site-packages", "/tmp"]:
        assert needle.encode() not in blob, needle
    model = onnx.load(str(run.path / name))
    assert all(len(n.metadata_props) == 0 for n in model.graph.node)


def test_inputs_outputs_and_batch_axis(exported):
    _run, report = exported
    model = onnx.load(str(report.model_path))
    inputs = {i.name: i.type.tensor_type for i in model.graph.input}
    assert set(inputs) == {"numeric", "categorical"}
    assert [d.dim_param or d.dim_value for d in inputs["numeric"].shape.dim] == ["batch", 2]
    assert [d.dim_param or d.dim_value for d in inputs["categorical"].shape.dim] == ["batch", 1]
    assert inputs["categorical"].elem_type == onnx.TensorProto.STRING
    out = model.graph.output[0]
    assert out.name == "probabilities"
    assert out.type.tensor_type.shape.dim[0].dim_param == "batch"
    assert "Softmax" in {n.op_type for n in model.graph.node}


def test_metadata_round_trip(exported):
    run, report = exported
    schema = read_schema(make_session(report.model_path))
    assert [c.name for c in schema.columns] == ["a", "b", "color"]
    assert schema.categorical[0].categories == ["blue", "green", "red"]
    assert schema.categorical[0].grouped == ["violet"]
    assert schema.class_labels == ["no", "yes"]
    assert schema.task == "classification"
    assert schema.studio_version == studio.__version__
    assert schema.recipe_digest == run.recipe.digest()
    props = {p.key: p.value for p in onnx.load(str(report.model_path)).metadata_props}
    assert json.loads(props["class_labels"]) == ["no", "yes"]
    assert json.loads(props["inputs"]) == {"numeric": "float32[batch, 2]", "categorical": "string[batch, 1]"}


def test_card_and_report_files(exported):
    run, report = exported
    card = json.loads(report.card_path.read_text())
    assert card["parity"]["passed"] is True and card["opset"] == 20
    assert card["operator_sets"] == {"ai.onnx": 20, "ai.onnx.ml": 3}  # the Imputer nodes' domain
    assert set(card["versions"]) == {"studio", "torch", "onnx", "onnxruntime"}
    assert card["file_sizes_bytes"]["model.onnx"] == report.model_path.stat().st_size
    assert len(card["example"].strip().splitlines()) == 5
    saved = json.loads((run.path / "export.json").read_text())
    assert saved["parity"]["max_abs_diff"] <= 1e-4 and saved["model_path"] == "model.onnx"


def test_card_example_runs_as_written(exported):
    run, report = exported
    code = json.loads(report.card_path.read_text())["example"]
    done = subprocess.run([sys.executable, "-c", code], cwd=run.path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    probs = [float(v) for v in re.findall(r"[-+]?\d*\.\d+(?:e[-+]?\d+)?", done.stdout)]
    assert len(probs) == 2 and abs(sum(probs) - 1.0) < 1e-5


def test_regression_values_in_original_units(hand_regression):
    report = export_loaded(hand_regression)
    model = onnx.load(str(report.model_path))
    assert model.graph.output[0].name == "prediction"
    assert report.parity["passed"] and report.parity["label_agreement"] is None
    out = make_session(report.model_path).run(None, {
        "numeric": np.array([[50.0, 0.002]], dtype=np.float32),
        "categorical": np.array([["red"]], dtype=object)})[0]
    assert out.shape == (1, 1) and 500 < out[0, 0] < 2000  # target_mean 1150, std 30: not standardized


def test_failed_proof_leaves_no_file(hand_run, monkeypatch):
    import studio.export.parity as parity

    real = parity.torch_outputs
    monkeypatch.setattr(parity, "torch_outputs", lambda run, frame: real(run, frame) + 0.01)
    with pytest.raises(ExportError, match="differs from torch"):
        export_loaded(hand_run)
    assert list(hand_run.path.iterdir()) == []


def test_unknown_quantizer_is_refused(hand_run):
    with pytest.raises(ExportError, match="quantize"):
        export_loaded(hand_run, quantize="int4")


def test_export_writes_nothing_outside_the_run_directory(hand_run, tmp_path, monkeypatch):
    """onnxruntime's symbolic shape inference drops debug files into the current directory when it
    cannot finish (it cannot on the string front); the int8 path must not run it."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    export_loaded(hand_run, quantize="int8")
    assert list(cwd.iterdir()) == []
