"""export_run: a run directory -> one self-contained, proven ``model.onnx`` (+ card, report, int8).

Steps: export the inference module (fitted preprocessing + network + softmax/unscale) on the
encoded matrix with the dynamo exporter, splice in the string/numeric front (:mod:`.front`), add
the schema as model metadata, write under a temporary name, prove parity on test.csv, and only then
rename it into place. A file that fails the proof is deleted, never left half-trusted.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch

import studio
from studio.atomic import write_json_atomic
from studio.errors import ExportError, quote
from studio.export.card import build_card, describe_steps, example_code, versions
from studio.export.front import attach_front
from studio.export.fuse import fuse_graph
from studio.export.options import DEFAULT_OPSET, check_opset, check_quantize
from studio.export.parity import Rows, check_parity, metrics_of, onnx_outputs, test_rows, torch_inputs, true_targets
from studio.export.quantize import quantize_int8
from studio.export.schema import (
    CATEGORICAL_INPUT,
    NUMERIC_INPUT,
    ColumnSpec,
    ImageInputSpec,
    ModelSchema,
    SeriesInputSpec,
    TextInputSpec,
)
from studio.export.session import make_session
from studio.export.text_front import OPSET as TEXT_OPSET
from studio.export.text_front import attach_text_front
from studio.export.to_onnx import ENCODED_INPUT, module_to_onnx
from studio.runs import RunDir, RunSummary
from studio.status import RunStatus

MODEL_FILE, INT8_FILE = RunDir.ONNX, RunDir.ONNX_INT8
CARD_FILE, REPORT_FILE = RunDir.CARD, RunDir.EXPORT_REPORT
IR_VERSION = 10  # what torch writes; onnxruntime 1.18+ reads it


@dataclass
class ExportReport:
    """Where the files are and what the proof found (also written to export.json)."""

    model_path: Path
    card_path: Path
    parity: dict[str, Any]
    opset: int
    size_bytes: int
    seconds: float
    int8_path: Path | None = None
    int8: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["model_path"], d["card_path"] = self.model_path.name, self.card_path.name
        d["int8_path"] = self.int8_path.name if self.int8_path else None
        return d


def column_specs(preprocessor: Any) -> tuple[list[ColumnSpec], list[ColumnSpec]]:
    """(columns in input order, columns in encoded-matrix order) of a fitted Preprocessor.

    ``Preprocessor.encode`` lays out the raw numerics first (in input order), then the one-hot
    blocks of the categorical columns (in input order); the parity proof fails loudly if not.
    """
    if preprocessor is None:  # a network of image inputs only: no table columns
        return [], []
    fitted = {c.name: c for c in getattr(getattr(preprocessor, "encoder", None), "categorical", [])}
    n_num = n_cat = 0
    specs = []
    for col in preprocessor.input_columns:
        if col.type == "categorical":
            fit = fitted.get(col.name)  # knows the fill and the rare categories grouped as "other"
            cats = list(fit.categories) if fit else [str(c) for c in col.categories or []]
            specs.append(ColumnSpec(col.name, "categorical", CATEGORICAL_INPUT, n_cat, cats,
                                    fit.fill if fit else None, list(fit.grouped) if fit else None))
            n_cat += 1
        else:
            specs.append(ColumnSpec(col.name, "numeric", NUMERIC_INPUT, n_num))
            n_num += 1
    encoded = [c for c in specs if c.input == NUMERIC_INPUT] + [c for c in specs if c.input != NUMERIC_INPUT]
    return specs, encoded


def image_specs(run: Any) -> list[ImageInputSpec]:
    """The graph's image inputs: uint8 [batch, H, W, C], named after their column (unless that name is taken)."""
    taken = {NUMERIC_INPUT, CATEGORICAL_INPUT, ENCODED_INPUT}
    out = []
    for inp in getattr(run, "image_inputs", []):
        s = inp.spec
        name = inp.column if inp.column not in taken else f"image_{inp.column}"
        taken.add(name)
        out.append(ImageInputSpec(name, inp.column, s.height, s.width, s.channels, s.fit, list(s.background)))
    return out


def series_spec(run: Any) -> SeriesInputSpec | None:
    """The graph's series input (float32 [batch, window, series], raw values), or None."""
    inp = next((i for i in getattr(run, "inputs", []) if i.kind == "series"), None)
    if inp is None:
        return None
    s = inp.info
    return SeriesInputSpec(inp.name, list(s.columns), s.window, s.horizon, s.task, s.target, s.time, s.time_kind,
                           s.step)


def _output_meaning(meta: dict[str, Any], series: SeriesInputSpec | None) -> str:
    if meta["task"] == "classification":
        return "float32[batch, K]: softmax probability of each class, in class_labels order"
    if series is not None:
        return (f"float32[batch, {series.horizon}]: the next {series.horizon} values of {meta['target']} after "
                "the window's last step, in its original units")
    return f"float32[batch, 1]: predicted {meta['target']} in its original units"


TEXT_IDS = "/ids"  # suffix of the internal tensor that a text front hands the torch module


def text_inputs(run: Any) -> list[Any]:
    return [i for i in getattr(run, "inputs", []) if getattr(i, "kind", "") == "text"]


def text_specs(run: Any) -> list[TextInputSpec]:
    """The graph's text inputs: string [batch] named after the column, or for a subword tokenizer
    int64 [batch, max_length] ids named ``<column>_ids`` (another name when that one is taken)."""
    taken = {NUMERIC_INPUT, CATEGORICAL_INPUT, ENCODED_INPUT, *(i.name for i in image_specs(run))}
    files: set[str] = set()
    out = []
    for inp in text_inputs(run):
        spec, column = inp.spec, str(getattr(inp, "column", inp.name))
        name = column if spec.in_graph else f"{column}_ids"
        if name in taken:
            name = f"text_{name}"
        taken.add(name)
        file = None if spec.in_graph else tokenizer_file(column, files)
        out.append(TextInputSpec(name, column, spec.kind, spec.max_length, spec.in_graph, spec.vocab_size,
                                 tokenizer_file=file, spec=None if spec.in_graph else spec.to_dict()))
    return out


def tokenizer_file(column: str, taken: set[str] | None = None) -> str:
    """``tokenizer_<column>.json``, the column's name made safe for a file name (and numbered when two
    columns would share one; ``taken`` collects the names given)."""
    stem = f"tokenizer_{re.sub(r'[^A-Za-z0-9_.-]', '_', column)[:80]}"
    name, n = f"{stem}.json", 2
    while taken is not None and name in taken:
        name, n = f"{stem}_{n}.json", n + 1
    if taken is not None:
        taken.add(name)
    return name


def build_schema(run: Any, columns: list[ColumnSpec]) -> ModelSchema:
    meta = run.meta
    classification = meta["task"] == "classification"
    series = series_spec(run)
    return ModelSchema(
        columns=columns, task=meta["task"], target=meta["target"],
        class_labels=list(meta["class_labels"]) if classification else None,
        output="probabilities" if classification else "prediction",
        output_meaning=_output_meaning(meta, series),
        studio_version=studio.__version__, recipe_digest=run.recipe.digest(), recipe_name=run.recipe.name,
        preprocessing=describe_steps(run.recipe.preprocessing),
        derived=dict(meta.get("derived") or {}), images=image_specs(run), series=series, texts=text_specs(run),
    )


def to_proto(run: Any, schema: ModelSchema, encoded: list[ColumnSpec], rows: Rows, opset: int) -> onnx.ModelProto:
    """The run's graph as exported: the table's front spliced before the torch module, nothing fused yet.

    The torch module takes the table's encoded matrix (when the run has table columns) and each image
    input's uint8 (B, H, W, C) pixels, in the run's input order.
    """
    examples = [torch.from_numpy(np.ascontiguousarray(x)) for x in torch_inputs(run, rows.head(8))]
    images, texts = iter(schema.images), iter(schema.texts)
    names = []
    for inp in getattr(run, "inputs", [None]):
        kind = getattr(inp, "kind", "table")
        if kind == "text":
            text = next(texts)
            names.append(text.name + TEXT_IDS if text.in_graph else text.name)
        elif kind == "series" and schema.series is not None:
            names.append(schema.series.name)
        else:
            names.append(ENCODED_INPUT if kind == "table" else next(images).name)
    proto = module_to_onnx(run.inference_module(), examples, schema.output, opset, input_names=names)
    if encoded:
        attach_front(proto, encoded, ENCODED_INPUT)
    return proto


def text_fronts(run: Any, schema: ModelSchema) -> list[tuple[Any, str, str]]:
    """(spec, graph input, ids tensor) of each text input tokenized inside the graph."""
    return [(inp.spec, text.name, text.name + TEXT_IDS)
            for inp, text in zip(text_inputs(run), schema.texts, strict=True) if text.in_graph]


def finish(proto: onnx.ModelProto, schema: ModelSchema, fuse: bool = True,
           texts: list[tuple[Any, str, str]] | None = None) -> onnx.ModelProto:
    """With metadata, checked, and fused (:func:`~studio.export.fuse.fuse_graph`) unless
    ``fuse`` is False, which keeps every preprocessing node: the graph that int8 quantizes.

    The text fronts (``texts``, :func:`text_fronts`) go in after fusing: their row separator is a
    byte that is not UTF-8, which the rewriter's ONNX IR cannot read, and there is nothing to fuse.
    """
    if fuse:
        proto = fuse_graph(proto)
    elif texts:
        proto = _copy(proto)  # the fronts are attached in place; ``proto`` is used again
    for spec, name, ids in texts or []:
        attach_text_front(proto, spec, name, ids)
    onnx.helper.set_model_props(proto, schema.to_metadata())
    proto.doc_string = f"Training Studio run {schema.recipe_name!r}: raw inputs -> {schema.output}"
    proto.model_version = 1
    proto.ir_version = min(proto.ir_version, IR_VERSION)
    try:
        onnx.checker.check_model(proto, full_check=True)
    except onnx.checker.ValidationError as err:
        raise ExportError(f"the exported graph is not valid ONNX ({str(err).splitlines()[0]}); "
                          "report the recipe as a bug.") from err
    return proto


def _copy(proto: onnx.ModelProto) -> onnx.ModelProto:
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    return out


def export_run(run_dir: str | Path | RunDir, quantize: str | None = None, opset: int = DEFAULT_OPSET,
               allow_failed: bool = False) -> ExportReport:
    """Export ``run_dir`` to ``model.onnx`` (+ ``model.int8.onnx`` when ``quantize="int8"``).

    A run that failed is refused unless ``allow_failed``; a stopped or interrupted run is exported
    from the weights it kept, and the report's notes say so.
    """
    from studio.runs import load_run

    check_quantize(quantize)
    check_opset(opset)
    return export_loaded(load_run(run_dir), quantize, opset, allow_failed)


def status_notes(summary: RunSummary, allow_failed: bool) -> list[str]:
    """What the export must say about how the run ended; an ExportError for a failed run unless allowed."""
    status = summary.status
    if status == RunStatus.FAILED and not allow_failed:
        raise ExportError(f"the run failed ({quote(summary.message or 'no message', 90)}), so its weights are not a "
                          "trained model; fix the recipe and train again, or export anyway (--allow-failed)")
    if status == RunStatus.FAILED:
        return [f"WARNING: this run FAILED ({summary.message}); the file holds the last weights before the failure"]
    if status == RunStatus.INTERRUPTED:
        epoch = summary.checkpoint_epoch
        return [f"this run was interrupted (its process died); the file holds the best weights of its last "
                f"checkpoint{f' (epoch {epoch})' if epoch else ''}"]
    if status.active:
        return [f"this run is still {status}; the file holds its best weights so far"]
    if status == RunStatus.STOPPED:
        return ["this run was stopped before its last epoch; the file holds its best weights"]
    return []


def export_loaded(run: Any, quantize: str | None = None, opset: int = DEFAULT_OPSET,
                  allow_failed: bool = False) -> ExportReport:
    """:func:`export_run` for a run already loaded (a ``LoadedRun`` or anything shaped like it)."""
    check_quantize(quantize)
    check_opset(opset)
    notes = status_notes(run.summary, allow_failed)
    t0 = time.perf_counter()
    rows = test_rows(run)
    frame = rows.frame
    if len(frame) == 0:
        raise ExportError(f"run {quote(run.path.name)} has no test rows (its {RunDir.TEST_ROWS} is empty), so the "
                          "export cannot be checked against torch; train it again with a larger data.split.test")
    columns, encoded = column_specs(run.preprocessor)
    schema = build_schema(run, columns)
    if opset < TEXT_OPSET and any(t.in_graph for t in schema.texts):
        raise ExportError(f"the model tokenizes text inside the graph, which needs ONNX opset {TEXT_OPSET} or newer "
                          f"(StringSplit); export with --opset {TEXT_OPSET}")
    exported = to_proto(run, schema, encoded, rows, opset)
    texts = text_fronts(run, schema)
    final, tmp = run.path / MODEL_FILE, run.path / f".{MODEL_FILE}.{os.getpid()}.tmp"
    model = finish(exported, schema, texts=texts)
    onnx.save_model(model, str(tmp))
    try:
        proof = check_parity(tmp, run, rows, raise_on_fail=False)
        if not proof.passed:  # fusing is an optimization: never the reason an export fails
            notes.append(f"the fused graph differed from torch by {proof.max_abs_diff:.3g}, so model.onnx keeps "
                         "the preprocessing nodes unfused (slower at small batches, same answers)")
            model = finish(exported, schema, fuse=False, texts=texts)
            onnx.save_model(model, str(tmp))
            proof = check_parity(tmp, run, rows)
        parity = proof.to_dict()
        int8 = _int8(tmp, finish(exported, schema, fuse=False, texts=texts), run, rows, parity) if quantize else None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, final)
    for text, inp in zip(schema.texts, text_inputs(run), strict=True):
        if text.tokenizer_file:  # a subword tokenizer: the file takes ids, its tokenizer goes beside it
            write_json_atomic(run.path / text.tokenizer_file, inp.spec.to_dict())
    if int8 is None:
        (run.path / INT8_FILE).unlink(missing_ok=True)  # a stale one would not match the new model
    sizes = {MODEL_FILE: final.stat().st_size}
    if int8:
        sizes[INT8_FILE] = (run.path / INT8_FILE).stat().st_size
    operator_sets = {o.domain or "ai.onnx": o.version for o in model.opset_import}
    card = build_card(schema, run.summary, parity, operator_sets, example_code(schema, rows), sizes, int8)
    card_path = write_json_atomic(run.path / CARD_FILE, card)
    report = ExportReport(final, card_path, parity, opset, sizes[MODEL_FILE], time.perf_counter() - t0,
                          run.path / INT8_FILE if int8 else None, int8, notes)
    write_json_atomic(run.path / REPORT_FILE, {**report.to_dict(), "versions": versions()})
    return report


def _int8(fp32: Path, unfolded: onnx.ModelProto, run: Any, rows: Rows, parity: dict[str, Any]) -> dict[str, Any]:
    """Quantize ``unfolded``, then measure on the test rows what int8 changed against ``fp32``'s outputs."""
    tmp = run.path / f".{INT8_FILE}.{os.getpid()}.tmp"
    plain = run.path / f".{MODEL_FILE}.unfolded.{os.getpid()}.tmp"
    try:
        onnx.save_model(unfolded, str(plain))
        quantize_int8(plain, tmp)
        ref = onnx_outputs(make_session(fp32), rows)
        got = onnx_outputs(make_session(tmp), rows)
        metrics = metrics_of(run.meta, true_targets(run.meta, rows.frame), got)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        plain.unlink(missing_ok=True)
    os.replace(tmp, run.path / INT8_FILE)
    primary = run.summary.primary_metric or ("accuracy" if run.meta["task"] == "classification" else "r2")
    before, after = parity["metrics_onnx"].get(primary), metrics.get(primary)
    return {
        "metrics": metrics, "primary_metric": primary,
        "metric_change": None if before is None or after is None else float(after) - float(before),
        "max_abs_diff_vs_fp32": float(np.abs(got - ref).max(initial=0.0)),
        "label_agreement_vs_fp32": float((got.argmax(1) == ref.argmax(1)).mean())
        if run.meta["task"] == "classification" else None,
        "size_fp32": fp32.stat().st_size, "size_int8": (run.path / INT8_FILE).stat().st_size,
    }
