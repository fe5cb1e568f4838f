"""Every variant of a run's ONNX model, measured the same way, so that a recommendation comes from the
table and never from a promise ("int8 is smaller"): on iris, dynamic int8 was larger, slower and
flipped a label.

Variants: ``fp32`` (model.onnx), ``optimized`` (onnxruntime's offline-optimized graph at the portable
EXTENDED level, saved), ``dynamic int8`` (weights int8, activations quantized per call:
model.int8.onnx), ``static int8`` (QDQ, activations calibrated on training rows, through
onnxruntime's quantizer). For each: file size, onnxruntime latency at batch 1 and 256 (interleaved,
:mod:`studio.export.bench`'s protocol), the test metric and how many test labels change against fp32
(regression: the largest change of a prediction). A variant that cannot be made is a row whose note
says why. Pruned and distilled models are runs of their own: :func:`studio.export.compare.compare_runs`
puts them side by side.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd

from studio.atomic import write_text_atomic
from studio.errors import ExportError
from studio.export.bench import BATCHES, _time
from studio.export.parity import Rows, metrics_of, test_rows, true_targets
from studio.export.predict import encode_inputs, read_schema
from studio.export.session import make_session
from studio.runs import RunDir, load_run

OPTIMIZED = "model.optimized.onnx"
STATIC_INT8 = "model.int8-static.onnx"
TABLE = "variants.csv"
CALIBRATION_ROWS = 256
FILES = {"fp32": RunDir.ONNX, "optimized": OPTIMIZED, "dynamic int8": RunDir.ONNX_INT8, "static int8": STATIC_INT8}
TOLERANCE = 0.005  # half a point of accuracy (or of R²): more lost and a variant is never recommended
SMALLER = 0.75  # a file at most this share of fp32's is worth naming when fp32 is kept
MARGIN = 0.05  # a variant must be this much faster at batch 1 than fp32: less is measurement noise
NO_FP32 = "the variants table has no measured fp32 row; press Measure variants (or run `studio variants`) again"
LATENCY_1 = f"latency µs (batch {BATCHES[0]})"
LATENCY_N = f"latency µs (batch {BATCHES[-1]})"


@dataclass
class Variants:
    table: pd.DataFrame          # one row per variant (see the module docstring)
    files: dict[str, Path]       # variant -> file, for downloads
    recommendation: str          # one sentence, from the table


def _optimized(src: Path, dst: Path) -> None:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED  # portable, not hardware-bound
    options.optimized_model_filepath = str(dst)
    options.log_severity_level = 3
    ort.InferenceSession(str(src), options, providers=["CPUExecutionProvider"])


class _Reader:
    """onnxruntime's CalibrationDataReader over feeds cut into small batches."""

    def __init__(self, feeds: dict[str, np.ndarray], batch: int = 32) -> None:
        n = len(next(iter(feeds.values())))
        self.batches = iter([{k: v[i:i + batch] for k, v in feeds.items()} for i in range(0, n, batch)])

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self.batches, None)


def _static_int8(src: Path, dst: Path, feeds: dict[str, np.ndarray]) -> None:
    """QDQ int8 with the exporter's tensor types kept, else (a stale shape) without them."""
    try:
        _static_int8_once(src, dst, feeds, keep_shapes=True)
    except Exception:  # ORT's quantizer raises plain exceptions of many kinds
        _static_int8_once(src, dst, feeds, keep_shapes=False)


def _dynamic_int8(src: Path, dst: Path) -> None:
    from studio.export.quantize import quantize_int8

    try:
        quantize_int8(src, dst, keep_shapes=True)
    except ExportError:
        quantize_int8(src, dst)


def _static_int8_once(src: Path, dst: Path, feeds: dict[str, np.ndarray], keep_shapes: bool) -> None:
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    from studio.export.quantize import _pre_process

    logging.getLogger("onnxruntime").setLevel(logging.ERROR)
    ort.set_default_logger_severity(3)  # the quantizer's sessions warn about every unused initializer
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings(), \
            contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        bare, pre = Path(tmp) / "bare.onnx", Path(tmp) / "pre.onnx"
        model = onnx.load(str(src))
        if not keep_shapes:
            del model.graph.value_info[:]  # see quantize.quantize_int8
        onnx.save_model(model, str(bare))
        _pre_process(bare, pre)
        # the calibration's augmented model and its data go to tmp, never to the current directory
        quantize_static(str(pre), str(dst), _Reader(feeds), quant_format=QuantFormat.QDQ,
                        op_types_to_quantize=["Conv", "MatMul", "Gemm"], per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax,
                        extra_options={"CalibTensorRangeSymmetric": False, "CalibTempDir": tmp})


def calibration_rows(loaded: Any, access: Any = None) -> Rows:
    """At most CALIBRATION_ROWS raw training rows (evenly spread), with their pictures or series windows.

    The training split is rebuilt from the recipe (the run keeps only its test rows), so a static
    variant is never calibrated on the rows it is measured on.
    """
    from studio.pipeline import prepare

    prepared = prepare(loaded.recipe, access)
    frame = prepared.train_frame
    series = getattr(loaded, "series", None)
    if series is not None:
        from studio.data.series_rows import sample_frame

        frame, windows = sample_frame(frame, series, with_targets=False)
        name = next(i.name for i in loaded.inputs if i.kind == "series")
        rows = Rows(frame, {name: windows})
    else:
        images = {c: np.asarray(img.take(frame.index) if hasattr(img, "take") else img)
                  for c, img in (getattr(prepared.table, "images", None) or {}).items()}
        rows = Rows(frame, images)
    if not len(rows):
        raise ExportError("the run has no training rows to calibrate on")
    return rows.take(np.unique(np.linspace(0, len(rows) - 1, min(CALIBRATION_ROWS, len(rows))).astype(int)))


def make_variants(run_dir: str | Path, access: Any = None) -> dict[str, tuple[Path | None, str]]:
    """Write the variant files next to model.onnx (exported first if missing): variant -> (file, note).

    The file is None, and the note says why, for a variant that could not be made. ``access``: the
    :class:`studio.data.access.DataAccess` the training data is read through (for the calibration).
    """
    from studio.export import export_run

    run = RunDir.open(run_dir)
    if not run.has(RunDir.ONNX):
        export_run(run)
    src = run / RunDir.ONNX
    out: dict[str, tuple[Path | None, str]] = {"fp32": (src, "")}
    attempts: dict[str, Callable[[Path], None]] = {"optimized": lambda dst: _optimized(src, dst)}
    if run.has(RunDir.ONNX_INT8):  # the export's own, quantized before fusing (a re-export without int8 deletes it)
        out["dynamic int8"] = (run / RunDir.ONNX_INT8, "")
    else:
        attempts["dynamic int8"] = lambda dst: _dynamic_int8(src, dst)
    loaded = load_run(run)

    def static(dst: Path) -> None:
        schema = read_schema(make_session(src))
        rows = calibration_rows(loaded, access)
        feeds, _ = encode_inputs(schema, rows.frame, images=rows.images or None)
        _static_int8(src, dst, feeds)

    attempts["static int8"] = static
    for name, make in attempts.items():
        dst = run / FILES[name]
        tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
        try:
            make(tmp)
            make_session(tmp)  # it must load
            tmp.replace(dst)
            out[name] = (dst, _runtime_only(dst))
        except Exception as err:  # a quantizer failure is a row of the table, not the end of it
            tmp.unlink(missing_ok=True)
            dst.unlink(missing_ok=True)  # an older file would not match this model.onnx
            text = (str(err).strip().splitlines() or [type(err).__name__])[0]
            out[name] = (None, f"not made: {text[:150]}")
    return dict(sorted(out.items(), key=lambda kv: list(FILES).index(kv[0])))


def _runtime_only(path: Path) -> str:
    """A note when the file holds onnxruntime's own operators (the optimized graph's fused nodes)."""
    ops = sorted({n.op_type for n in onnx.load(str(path)).graph.node if n.domain == "com.microsoft"})
    return f"onnxruntime only (its own operators: {', '.join(ops)})" if ops else ""


def measure_variants(run_dir: str | Path, rounds: int = 7, budget_s: float = 0.02, access: Any = None) -> Variants:
    """Make every variant and measure it on the run's test rows; the table is also written to variants.csv."""
    made = make_variants(run_dir, access)
    run = RunDir.open(run_dir)
    loaded = load_run(run)
    test = test_rows(loaded)
    if not len(test):
        raise ExportError(f"run {run.id!r} has no test rows to measure the variants on; train it with a test split")
    meta = loaded.meta
    classification = meta["task"] == "classification"
    metric = "accuracy" if classification else "r2"
    sessions: dict[str, Any] = {}
    notes = {name: note for name, (_, note) in made.items()}
    for name, (path, _) in made.items():
        if path is not None:
            try:
                sessions[name] = make_session(path)
            except ExportError as err:
                notes[name] = f"not loaded: {err}"
    schema = read_schema(sessions["fp32"])
    feeds_all, _ = encode_inputs(schema, test.frame, images=test.images or None)
    outputs = {name: s.run([schema.output], feeds_all)[0] for name, s in sessions.items()}
    y_true = true_targets(meta, test.frame)
    base = outputs["fp32"]
    rows: dict[str, dict[str, Any]] = {}
    for name, (path, _) in made.items():
        ok = name in outputs
        row: dict[str, Any] = {"variant": name, "file": path.name if path is not None and ok else "",
                               "size bytes": path.stat().st_size if path is not None and ok else None}
        if ok:
            found = metrics_of(meta, y_true, outputs[name]).get(metric)
            row[metric] = None if found is None else float(found)
            if classification:
                row["labels changed"] = int((outputs[name].argmax(1) != base.argmax(1)).sum())
            else:
                row["largest change"] = float(np.abs(outputs[name] - base).max(initial=0.0))
        rows[name] = row
    for batch in BATCHES:
        sample = test.take(np.arange(batch) % len(test))
        feeds, _ = encode_inputs(schema, sample.frame, images=sample.images or None)
        fns = {name: (lambda s=s, f=feeds: s.run([schema.output], f)) for name, s in sessions.items()}
        for name, t in _time(fns, rounds, budget_s).items():
            rows[name][f"latency µs (batch {batch})"] = round(float(np.median(t)), 1)
    for name, row in rows.items():
        row["test rows"] = len(test)
        row["note"] = notes[name]
    table = pd.DataFrame(list(rows.values()))
    write_text_atomic(run / TABLE, table.to_csv(index=False))
    files = {n: p for n, (p, _) in made.items() if p is not None and n in sessions}
    return Variants(table, files, recommend(table, meta["task"]))


def variant_files(run_dir: str | Path) -> dict[str, Path]:
    """The variant files present in a run and made from its current model.onnx (none older than it)."""
    run = RunDir(run_dir)
    if not run.has(RunDir.ONNX):
        return {}
    fresh = ("fp32", "dynamic int8")  # the export writes (or deletes) both; the others are this module's
    return {name: run / file for name, file in FILES.items()
            if run.has(file) and (name in fresh or run.mtime(file) >= run.mtime(RunDir.ONNX))}


def last_variants(run_dir: str | Path, task: str) -> tuple[pd.DataFrame, str] | None:
    """variants.csv and its recommendation, when the table is newer than the model.onnx it measured."""
    from studio.errors import RunError

    run = RunDir(run_dir)
    if not run.has(TABLE) or not run.has(RunDir.ONNX) or run.mtime(TABLE) < run.mtime(RunDir.ONNX):
        return None
    try:
        table = pd.read_csv(run / TABLE, dtype={"variant": str, "file": str, "note": str})
        table[["file", "note"]] = table[["file", "note"]].fillna("")
        return table, recommend(table, task)
    except (OSError, ValueError, KeyError, ExportError):
        raise RunError(f"{TABLE} of run {run.id!r} is damaged; press Measure variants (or run `studio variants`) "
                       "to measure again") from None


def _smaller(rows: pd.DataFrame, metric: str, base_lat: float, base_n: float | None,
             base_metric: float | None) -> str:
    """When fp32 is kept: the smallest variant at most SMALLER of fp32's size that is no slower at
    batch 1, as fast at batch 256 and within half a point, for a person to whom file size matters."""
    if "size bytes" not in rows or base_metric is None or _number(rows.loc["fp32", "size bytes"]) is None:
        return ""
    base_size = float(rows.loc["fp32", "size bytes"])
    found = None
    for name, row in rows.iterrows():
        size, lat = _number(row["size bytes"]), _number(row[LATENCY_1])
        lat_n, value = _number(row.get(LATENCY_N)), _number(row.get(metric))
        if name == "fp32" or None in (size, lat, value) or size > base_size * SMALLER or lat > base_lat:
            continue
        if base_n is not None and (lat_n is None or lat_n > base_n * (1 + MARGIN)):
            continue
        if value >= base_metric - TOLERANCE and (found is None or size < found[1]):
            found = (str(name), size, lat, value, str(row["file"]))
    if found is None:
        return ""
    name, size, lat, value, file = found
    return (f" If file size matters: {name} ({file}) is {size / 1024:.1f} KB against {base_size / 1024:.1f} KB, "
            f"no slower ({lat:.1f} µs at batch 1), {metric} {value:.4g}.")


def _number(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def recommend(table: pd.DataFrame, task: str) -> str:
    """One sentence naming the variant to ship, from the measured table alone.

    A variant other than fp32 is named only when it was measured, is at least MARGIN faster than fp32
    at batch 1, is not slower than fp32 at batch 256 (by more than MARGIN: on a shared CPU a small
    model's batch-1 figures alone are mostly noise), and loses at most half a point of the test metric
    (accuracy, or R² for regression); among those the fastest at batch 1. Otherwise: keep fp32.
    """
    metric = "accuracy" if task == "classification" else "r2"
    if "variant" not in table or "fp32" not in set(table["variant"]) or LATENCY_1 not in table:
        raise ExportError(NO_FP32)
    rows = table.set_index("variant")
    base = rows.loc["fp32"]
    base_lat, base_metric = _number(base[LATENCY_1]), _number(base.get(metric))
    if base_lat is None:
        raise ExportError(NO_FP32)
    base_n = _number(base.get(LATENCY_N))
    best, best_lat = "fp32", base_lat
    for name, row in rows.iterrows():
        lat, lat_n, value = _number(row[LATENCY_1]), _number(row.get(LATENCY_N)), _number(row.get(metric))
        if name == "fp32" or lat is None or value is None or base_metric is None:
            continue
        steady = base_n is None or (lat_n is not None and lat_n <= base_n * (1 + MARGIN))
        if value >= base_metric - TOLERANCE and lat <= base_lat * (1 - MARGIN) and steady and lat < best_lat:
            best, best_lat = str(name), lat
    size = "size bytes" in rows
    quality = "" if base_metric is None else f", {metric} {base_metric:.4g}"
    base_kb = f", {base['size bytes'] / 1024:.1f} KB" if size else ""
    if best == "fp32":
        keep = (f"Keep fp32 (model.onnx): no other variant was at least {MARGIN:.0%} faster at batch 1 "
                f"(and as fast at batch {BATCHES[-1]}) without losing more than half a point of {metric} "
                f"(fp32: {base_lat:.1f} µs at batch 1{base_kb}{quality}).")
        return keep + _smaller(rows, metric, base_lat, base_n, base_metric)
    b = rows.loc[best]
    changed = ""
    if "labels changed" in rows and _number(b.get("labels changed")) is not None:
        changed = f", {int(b['labels changed'])} test label(s) changed"
    sizes = f", {b['size bytes'] / 1024:.1f} KB against {base['size bytes'] / 1024:.1f} KB" if size else ""
    at_n = "" if base_n is None else f" ({b[LATENCY_N]:.0f} against {base_n:.0f} µs at batch {BATCHES[-1]})"
    return (f"Use {best} ({b['file']}): {b[LATENCY_1]:.1f} µs at batch 1 against {base_lat:.1f} µs for fp32{at_n}"
            f"{sizes}, {metric} {_number(b[metric]):.4g} against {base_metric:.4g}{changed}.")
