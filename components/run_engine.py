"""Engine calls on saved runs, for the Evaluate, Export and Predict pages.

Each is one call into ``studio`` (runs, export); the page only renders the result. Results are
cached by the run's path *and* the modification time of the file they depend on, so a re-export
or a finished run is picked up while repeated reruns stay instant. ``st.cache_data`` hands each
session its own copy; ``st.cache_resource`` is used only for onnxruntime sessions, which are safe
to share between threads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from studio.runs import RunInfo, list_runs, load_run, read_history, read_json

EXPORT_REPORT = "export.json"
BENCH_FILE = "bench.csv"
DOWNLOADS = {  # file in the run directory -> MIME type of the download
    "model.onnx": "application/octet-stream",
    "model_card.json": "application/json",
    "recipe.json": "application/json",
    "metrics.csv": "text/csv",
}


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


def runs(root: Path) -> list[RunInfo]:
    """Every saved run under ``root``, newest first (cheap: reads summary.json files)."""
    return list_runs(root)


def summary(run_dir: Path) -> dict[str, Any]:
    return _summary(str(run_dir), _mtime(run_dir / "summary.json"))


@st.cache_data(show_spinner=False, max_entries=64)
def _summary(path: str, mtime: float) -> dict[str, Any]:
    return read_json(Path(path) / "summary.json")


def history(run_dir: Path) -> pd.DataFrame:
    return _history(str(run_dir), _mtime(run_dir / "metrics.csv"))


@st.cache_data(show_spinner=False, max_entries=64)
def _history(path: str, mtime: float) -> pd.DataFrame:
    return read_history(path)


def regression_predictions(run_dir: Path) -> tuple[np.ndarray, np.ndarray, str]:
    """(actual, predicted, target) on the run's test rows, through the saved model."""
    return _predictions(str(run_dir), _mtime(run_dir / "model.safetensors"))


@st.cache_data(show_spinner="Predicting the test rows...", max_entries=16)
def _predictions(path: str, mtime: float) -> tuple[np.ndarray, np.ndarray, str]:
    run = load_run(path)
    frame = run.test_frame()
    target = str(run.meta["target"])
    predicted = np.asarray(run.predict_frame(frame), dtype=float).reshape(len(frame), -1)[:, 0]
    return frame[target].to_numpy(dtype=float), predicted, target


def export(run_dir: Path, int8: bool, opset: int) -> dict[str, Any]:
    """Export the run to ONNX (parity-checked) and return its report (export.json's content)."""
    from studio.export import export_run

    return export_run(run_dir, quantize="int8" if int8 else None, opset=opset).to_dict()


def export_report(run_dir: Path) -> dict[str, Any] | None:
    """The last export's report, if the run was exported and its model is still there."""
    report = run_dir / EXPORT_REPORT
    if not report.is_file() or not (run_dir / "model.onnx").is_file():
        return None
    return json.loads(report.read_text(encoding="utf-8"))


def benchmark(run_dir: Path) -> pd.DataFrame:
    from studio.export import benchmark_run

    return benchmark_run(run_dir)


def last_benchmark(run_dir: Path) -> pd.DataFrame | None:
    """bench.csv, when it is newer than the exported model it measured."""
    bench, model = run_dir / BENCH_FILE, run_dir / "model.onnx"
    if not bench.is_file() or _mtime(bench) < _mtime(model):
        return None
    return pd.read_csv(bench)


@st.cache_resource(show_spinner=False, max_entries=8)
def _session(path: str, mtime: float) -> Any:
    from studio.export import make_session

    return make_session(path)


def onnx_session(model_path: Path) -> Any:
    """A shared onnxruntime session for the exported file (reloaded when the file changes)."""
    return _session(str(model_path), _mtime(model_path))


def schema(model_path: Path) -> Any:
    from studio.export import read_schema

    return read_schema(onnx_session(model_path))


def predict(model_path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    from studio.export import predict_frame

    return predict_frame(onnx_session(model_path), frame)


def example_rows(run_dir: Path) -> pd.DataFrame | None:
    """The run's raw test rows (to prefill the one-row form), or None."""
    from studio.runs import read_raw_rows

    test = run_dir / "test.csv"
    if not test.is_file():
        return None
    meta = read_json(run_dir / "preprocessing.json")["table"]
    return read_raw_rows(test, meta)
