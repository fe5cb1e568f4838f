"""int8 quantization and the side-by-side benchmark."""

from __future__ import annotations

import onnx
import pandas as pd
import pytest

from studio.errors import ExportError
from studio.export.bench import benchmark_loaded
from studio.export.session import SPIN_US, make_session, physical_cores


def test_int8_changes_the_metric_little(exported):
    _run, report = exported
    assert report.int8_path is not None and report.int8_path.is_file()
    assert abs(report.int8["metric_change"]) <= 0.02
    assert report.int8["label_agreement_vs_fp32"] >= 0.98
    ops = {n.op_type for n in onnx.load(str(report.int8_path)).graph.node}
    assert ops & {"MatMulInteger", "DynamicQuantizeMatMul", "DynamicQuantizeLinear"}
    assert "ConvInteger" not in ops


def test_session_settings(exported):
    _, report = exported
    s = make_session(report.model_path, threads=1)
    assert s.get_session_options().intra_op_num_threads == 1
    assert s.get_session_options().inter_op_num_threads == 1
    assert make_session(report.model_path).get_session_options().intra_op_num_threads == physical_cores()


def test_worker_threads_spin_one_millisecond_at_most(exported):
    """onnxruntime's default spin (tens of ms) doubled torch's time beside it; never spinning cost a
    wake-up per parallel call."""
    _, report = exported
    options = make_session(report.model_path).get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "1"
    assert options.get_session_config_entry("session.intra_op.spin_duration_us") == str(SPIN_US) == "1000"
    quiet = make_session(report.model_path, spin_us=0).get_session_options()
    assert quiet.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_missing_model_file_is_a_clear_error(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        make_session(tmp_path / "model.onnx")


def test_benchmark_has_every_runtime(exported):
    run, _ = exported
    table = benchmark_loaded(run, rounds=2, budget_s=0.002)
    runtimes = ["torch eager", "onnxruntime (no optimization)", "onnxruntime (optimized)", "onnxruntime int8"]
    assert sorted(set(table["runtime"])) == sorted(runtimes)
    assert sorted(set(table["batch"])) == [1, 256]
    assert (table["p50_us"] > 0).all() and (table["samples_per_s"] > 0).all()
    torch_rows = table[table["runtime"] == "torch eager"]
    assert (torch_rows["speedup_vs_torch"] == 1.0).all()
    pd.testing.assert_frame_equal(pd.read_csv(run.path / "bench.csv"), table, check_dtype=False)


def test_benchmark_without_export_is_a_clear_error(hand_run):
    with pytest.raises(ExportError, match=r"no model\.onnx"):
        benchmark_loaded(hand_run)
