"""Every variant of a run's ONNX model, measured the same way, so that a recommendation comes from the
table and never from a promise ("int8 is smaller"): on iris, dynamic int8 was larger, slower and
flipped a label.

Variants: ``fp32`` (model.onnx), ``optimized`` (onnxruntime's offline-optimized graph, saved),
``dynamic int8`` (weights int8, activations quantized per call: model.int8.onnx), ``static int8``
(QDQ, activations calibrated on training rows, through onnxruntime's quantizer). For each: file
size, onnxruntime latency at batch 1 and 256 (interleaved, :mod:`studio.export.bench`'s protocol), the
test metric and how many test labels change against fp32. Pruned and distilled models are runs of
their own: :func:`studio.export.compare.compare_runs` puts them side by side.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pandas as pd

from studio.atomic import write_text_atomic
from studio.errors import ExportError
from studio.export.bench import BATCHES, _time
from studio.export.parity import test_rows
from studio.export.predict import encode_inputs, read_schema
from studio.export.session import make_session
from studio.runs import RunDir, load_run

OPTIMIZED = "model.optimized.onnx"
STATIC_INT8 = "model.int8-static.onnx"
TABLE = "variants.csv"
CALIBRATION_ROWS = 256
FILES = {"fp32": RunDir.ONNX, "optimized": OPTIMIZED, "dynamic int8": RunDir.ONNX_INT8, "static int8": STATIC_INT8}


@dataclass
class Variants:
    table: pd.DataFrame          # one row per variant (see the module docstring)
    files: dict[str, Path]       # variant -> file, for downloads
    recommendation: str          # one sentence, from the table


def _optimized(src: Path, dst: Path) -> None:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED  # portable, not hardware-bound
    options.optimized_model_filepath = str(dst)
    ort.InferenceSession(str(src), options, providers=["CPUExecutionProvider"])


class _Reader:
    """onnxruntime's CalibrationDataReader over feeds cut into small batches."""

    def __init__(self, feeds: dict[str, np.ndarray], batch: int = 32) -> None:
        n = len(next(iter(feeds.values())))
        self.batches = iter([{k: v[i:i + batch] for k, v in feeds.items()} for i in range(0, n, batch)])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self.batches, None)


def _static_int8(src: Path, dst: Path, feeds: dict[str, np.ndarray]) -> None:
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    from studio.export.quantize import _pre_process

    logging.getLogger("onnxruntime").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings(), \
            contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        pre = Path(tmp) / "pre.onnx"
        _pre_process(src, pre)
        quantize_static(str(pre), str(dst), _Reader(feeds), quant_format=QuantFormat.QDQ,
                        op_types_to_quantize=["Conv", "MatMul", "Gemm"], per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax,
                        extra_options={"CalibTensorRangeSymmetric": False})


def _calibration_feeds(loaded: Any, schema: Any) -> dict[str, np.ndarray]:
    """Raw training rows (at most CALIBRATION_ROWS), encoded as the graph takes them."""
    from studio.pipeline import prepare

    prepared = prepare(loaded.recipe)
    frame = prepared.train_frame.iloc[:CALIBRATION_ROWS]
    images = {c: img.take(frame.index) for c, img in (prepared.table.images or {}).items()} or None
    feeds, _ = encode_inputs(schema, frame, images=images)
    return feeds


def make_variants(run_dir: str | Path) -> dict[str, tuple[Path | None, str]]:
    """Write the variant files next to model.onnx (exported first if missing): variant -> (file, note)."""
    from studio.export import export_run

    run = RunDir.open(run_dir)
    if not run.has(RunDir.ONNX):
        export_run(run)
    src = run / RunDir.ONNX
    out: dict[str, tuple[Path | None, str]] = {"fp32": (src, "")}
    attempts: dict[str, Callable[[Path], None]] = {"optimized": lambda dst: _optimized(src, dst)}
    if not run.has(RunDir.ONNX_INT8):
        from studio.export.quantize import quantize_int8

        attempts["dynamic int8"] = lambda dst: quantize_int8(src, dst)
    else:
        out["dynamic int8"] = (run / RunDir.ONNX_INT8, "")
    loaded = load_run(run)
    schema = read_schema(make_session(src))
    attempts["static int8"] = lambda dst: _static_int8(src, dst, _calibration_feeds(loaded, schema))
    for name, make in attempts.items():
        dst = run / FILES[name]
        try:
            make(dst)
            make_session(dst)  # it must load
            out[name] = (dst, "")
        except Exception as err:  # a quantizer failure is a row of the table, not the end of it
            dst.unlink(missing_ok=True)
            out[name] = (None, f"not made: {str(err).splitlines()[0][:150] if str(err) else type(err).__name__}")
    return dict(sorted(out.items(), key=lambda kv: list(FILES).index(kv[0])))


def measure_variants(run_dir: str | Path, rounds: int = 7, budget_s: float = 0.02) -> Variants:
    """Make every variant and measure it on the run's test rows; also written to variants.csv."""
    made = make_variants(run_dir)
    run = RunDir.open(run_dir)
    loaded = load_run(run)
    test = test_rows(loaded)
    summary = run.summary()
    task = summary.task
    sessions = {name: make_session(path) for name, (path, _) in made.items() if path is not None}
    schema = read_schema(sessions["fp32"])
    feeds_all, _ = encode_inputs(schema, test.frame, images=test.images or None)
    outputs = {name: s.run([schema.output], feeds_all)[0] for name, s in sessions.items()}
    y = np.asarray(loaded.test_frame()[loaded.target_name] if hasattr(loaded, "target_name") else [])
    rows = {name: {"variant": name, "file": path.name if path else "", "note": note,
                   "size KB": round(path.stat().st_size / 1024, 1) if path else None}
            for name, (path, note) in made.items()}
    base = outputs["fp32"]
    for name, out in outputs.items():
        rows[name].update(_quality(task, out, base, loaded, test.frame))
    for batch in BATCHES:
        sample = test.take(np.arange(batch) % len(test))
        feeds, _ = encode_inputs(schema, sample.frame, images=sample.images or None)
        fns = {name: (lambda s=s, f=feeds: s.run([schema.output], f)) for name, s in sessions.items()}
        for name, t in _time(fns, rounds, budget_s).items():
            rows[name][f"latency µs (batch {batch})"] = round(float(np.median(t)), 1)
    del y
    table = pd.DataFrame(list(rows.values()))
    write_text_atomic(run / TABLE, table.to_csv(index=False))
    return Variants(table, {n: p for n, (p, _) in made.items() if p is not None}, recommend(table, task))


def _quality(task: str, out: np.ndarray, base: np.ndarray, loaded: Any, frame: pd.DataFrame) -> dict[str, Any]:
    target = loaded.table_meta["target"] if hasattr(loaded, "table_meta") else None
    truth = frame[target] if target in frame.columns else None
    if task == "classification":
        labels = np.asarray(loaded.class_labels or [])
        predicted = labels[out.argmax(1)] if len(labels) else out.argmax(1)
        changed = int((out.argmax(1) != base.argmax(1)).sum())
        accuracy = float((predicted.astype(str) == truth.astype(str).to_numpy()).mean()) if truth is not None else None
        return {"accuracy": None if accuracy is None else round(accuracy, 4), "labels changed": changed}
    values, ref = out.reshape(len(out), -1)[:, 0], base.reshape(len(base), -1)[:, 0]
    r2 = None
    if truth is not None:
        t = pd.to_numeric(truth, errors="coerce").to_numpy(dtype=float)
        r2 = round(float(1 - ((t - values) ** 2).sum() / max(((t - t.mean()) ** 2).sum(), 1e-12)), 4)
    return {"r2": r2, "max change": round(float(np.abs(values - ref).max()), 6)}


def recommend(table: pd.DataFrame, task: str) -> str:
    """The fastest variant at batch 1 whose quality is within half a point of fp32, said with its figures."""
    metric = "accuracy" if task == "classification" else "r2"
    rows = table.dropna(subset=["latency µs (batch 1)"]).set_index("variant")
    if "fp32" not in rows.index or metric not in rows:
        raise ExportError("the variants could not be measured on the test rows; export the run again")
    base = rows.loc["fp32"]
    ok = rows[(rows[metric] >= base[metric] - 0.005)] if base[metric] is not None else rows
    best = ok["latency µs (batch 1)"].idxmin()
    b = ok.loc[best]
    if best == "fp32":
        return ("Keep fp32 (model.onnx): no other variant was faster at batch 1 without losing more than half a "
                f"point of {metric} ({base['latency µs (batch 1)']:.0f} µs, {base['size KB']:.0f} KB).")
    return (f"Use {best} ({b['file']}): {b['latency µs (batch 1)']:.0f} µs at batch 1 against "
            f"{base['latency µs (batch 1)']:.0f} µs for fp32, {b['size KB']:.0f} KB against {base['size KB']:.0f} KB, "
            f"{metric} {b[metric]:.4g} against {base[metric]:.4g}.")
