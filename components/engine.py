"""Every engine call the pages make, cached where a rerun would repeat it.

Two kinds of calls live here, each one call into ``studio``; the page only renders the result:

* **The draft recipe** (Data, Preprocess, Architecture): cached by the content of the recipe part
  they read. ``st.cache_data`` is shared by all sessions, so only immutable results of pure
  functions are cached. A recipe's file is read only through this session's
  :func:`components.state.data_access` (its own uploads and the server's data folders), and the
  cache key holds the file *as resolved for this session* (path, modification time, size): the
  same ``csv:sales.csv`` names a different file in each session, a session can only reach a
  cached table by resolving the path itself first, and a changed file is read again. Built-in
  datasets are shared. Errors are not cached: a StudioError is raised again on every call.
* **Saved runs** (Evaluate, Export, Predict): cached by the run's path *and* the modification time
  of the file they depend on, so a re-export or a finished run is picked up while repeated reruns
  stay instant. ``st.cache_resource`` is used only for onnxruntime sessions, which are safe to
  share between threads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from components import state
from components.progress import Progress, decoding_progress
from studio.blocks import ModelSummary, summarize_network
from studio.data import Table, describe_datasets, load_table
from studio.data.access import DataAccess
from studio.data.csv_reader import parse_options, read_csv
from studio.data.options import split_csv_options
from studio.errors import RunError, StudioError, quote
from studio.inputs.defaults import model_for_data
from studio.pipeline import Prepared, prepare
from studio.pipeline import steps_per_epoch as pipeline_steps_per_epoch
from studio.prepared import encoders as network_encoders
from studio.recipe import DataConfig, Recipe
from studio.runs import RunDir, RunInfo, RunSummary, list_runs, load_run
from studio.train.image_augment import preview as augment_preview_engine


def _key(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


@st.cache_data(show_spinner=False)
def datasets() -> list[dict[str, Any]]:
    """The built-in datasets' rows (name, task, rows, features, description)."""
    return describe_datasets()


def resolve_file(ref: str, what: str = "CSV file") -> Path:
    """The file a recipe's ``csv:`` (or ``images:``) reference names for this session (DataError: not
    allowed or not there)."""
    return state.data_access().resolve(ref, what)


def _file_id(path: Path) -> str:
    """What makes a cached result of this file private and fresh: its resolved path, mtime and size.

    For a folder of pictures (a server data folder) that is the folder's own mtime: a class folder
    added or removed is seen, a picture replaced inside a class folder is not until the cache entry
    goes (the engine's own decode cache is keyed by content, so a reload is always right).
    """
    if not path.exists():
        return f"{path}|missing"  # load_table says so, in its own words
    info = path.stat()
    return f"{path}|{info.st_mtime_ns}|{info.st_size}"


def _source_id(data: DataConfig) -> str:
    """The identity of the data's file for cache keys ("" for a built-in dataset)."""
    kind, ref = data.source.split(":", 1)
    if kind == "builtin":
        return ""
    return _file_id(resolve_file(ref, "image folder" if kind == "images" else "CSV file"))


@st.cache_data(show_spinner=False, max_entries=16)
def _csv_columns(file_id: str, options_json: str, _path: Path) -> list[str]:
    frame, _ = read_csv(_path, parse_options(split_csv_options(json.loads(options_json))[0]))
    return [str(c) for c in frame.columns]


def csv_columns(ref: str, options: dict[str, Any]) -> list[str]:
    """The header of the recipe's CSV file as the studio reads it (for choosing the target before loading)."""
    path = resolve_file(ref)
    return _csv_columns(_file_id(path), _key(options), path)


@st.cache_data(show_spinner="Loading the data...", max_entries=32)
def _table(data_json: str, source_id: str, _access: DataAccess, _progress: Progress | None = None) -> Table:
    return load_table(DataConfig.model_validate_json(data_json), _access, _progress)


def _table_key(data: DataConfig) -> str:
    """What loading depends on: the data section without the split (a new split reads nothing again)."""
    return _key(data.model_dump(mode="json", exclude={"split"}))


def table(recipe: Recipe) -> Table:
    """The recipe's dataset, loaded and typed (:func:`studio.data.load_table`); decoding pictures
    shows a progress bar (only when the result is not cached yet)."""
    data = recipe.data
    source_id = _source_id(data)
    with decoding_progress("Decoding pictures") as progress:
        return _table(_table_key(data), source_id, state.data_access(), progress)


@st.cache_data(show_spinner="Preparing the data...", max_entries=16)
def _prepared(part_json: str, source_id: str, _access: DataAccess, _table: Table) -> Prepared:
    return prepare(Recipe.from_dict(json.loads(part_json)), _access, table=_table)


def prepared(recipe: Recipe) -> Prepared:
    """Split and preprocessed data (:func:`studio.pipeline.prepare`); depends on data + preprocessing only.

    The table is the cached :func:`table` (pictures are decoded once, whatever the split or the steps).
    The cached value's ``recipe`` holds only those two sections; use the draft for anything else.
    """
    part = {"data": recipe.data.model_dump(mode="json"), "preprocessing": recipe.preprocessing}
    return _prepared(_key(part), _source_id(recipe.data), state.data_access(), table(recipe))


def image_inputs(recipe: Recipe) -> list[str]:
    """The names of the draft's picture inputs ([] for a table, or when the data is not usable yet)."""
    try:
        return [i.name for i in prepared(recipe).inputs if i.kind == "image"]
    except StudioError:
        return []


@st.cache_data(show_spinner=False, max_entries=32)
def _augment_preview(part_json: str, source_id: str, augmentation_json: str, n: int, seed: int,
                     _recipe: Recipe, _prepared: Prepared) -> np.ndarray:
    return augment_preview_engine(_recipe, _prepared, n, seed)


def augment_preview(recipe: Recipe, n: int, seed: int, augmented: bool = True) -> np.ndarray:
    """``n`` training pictures as the network sees them under the draft's augmentation (draw ``seed``),
    or as they are (``augmented=False``): uint8 (n, C, H, W), see :func:`studio.train.image_augment.preview`."""
    reg = recipe.regularization.model_dump(mode="json")
    if not augmented:
        recipe = recipe.updated(regularization={**reg, "augmentation": None})
    part = {"data": recipe.data.model_dump(mode="json"), "preprocessing": recipe.preprocessing}
    augmentation = reg["augmentation"] if augmented else None
    return _augment_preview(_key(part), _source_id(recipe.data), _key(augmentation), n, seed, recipe,
                            prepared(recipe))


def steps_per_epoch(recipe: Recipe) -> int:
    """Optimizer steps per epoch of the draft, as the Trainer counts them."""
    return pipeline_steps_per_epoch(recipe, prepared(recipe))


@st.cache_data(show_spinner=False, max_entries=64)
def _model_summary(model_json: str, encoders_json: str, shapes_key: str,
                   _in_shapes: tuple[tuple[str, tuple[int, ...]], ...], n_outputs: int) -> ModelSummary:
    """``shapes_key`` is the cache's view of ``_in_shapes`` (which it does not hash): the repr keeps what a
    plain tuple loses, a token input's vocabulary and whether a shape is a sequence."""
    return summarize_network(_in_shapes, json.loads(model_json), json.loads(encoders_json), n_outputs)


def input_shapes(recipe: Recipe) -> list[tuple[str, tuple[int, ...]]]:
    """The network's inputs: (name, shape of one sample: (C, H, W) for pictures), in the model's order."""
    return list(prepared(recipe).in_shapes)  # Tokens/Steps keep their class


def encoders(recipe: Recipe) -> dict[str, list[dict[str, Any]]]:
    """The encoder stack of each input as the network will have it (the defaults where the recipe has none)."""
    return network_encoders(recipe, prepared(recipe))


def model_summary(recipe: Recipe) -> ModelSummary:
    """Per-block shapes, parameters and MACs of the recipe's network (every input's encoder stack, then
    the trunk); ShapeError if it cannot be built."""
    prep = prepared(recipe)
    shapes = tuple(prep.in_shapes)
    return _model_summary(_key(recipe.model), _key(network_encoders(recipe, prep)), repr(shapes), shapes,
                          int(prep.n_outputs))


# -- saved runs -----------------------------------------------------------------------------------

DOWNLOADS = {  # file in the run directory -> MIME type of the download
    RunDir.ONNX: "application/octet-stream",
    RunDir.CARD: "application/json",
    RunDir.RECIPE: "application/json",
    RunDir.METRICS: "text/csv",
}


def runs(root: Path, user: str | None) -> list[RunInfo]:
    """The saved runs under ``root`` that ``user`` made (every run when None), newest first (cheap:
    reads summary.json and owner.json files)."""
    return list_runs(root, user=user)


def run_summary(run_dir: Path) -> RunSummary:
    """The run's summary with the status a reader should believe (not cached: a run's process can die
    without any file changing, and summary.json is small)."""
    return RunDir(run_dir).summary()


def history(run_dir: Path) -> pd.DataFrame:
    run = RunDir(run_dir)
    return _history(str(run_dir), run.mtime(RunDir.METRICS))


@st.cache_data(show_spinner=False, max_entries=64)
def _history(path: str, mtime: float) -> pd.DataFrame:
    return RunDir(path).history()


def regression_predictions(run_dir: Path) -> tuple[np.ndarray, np.ndarray, str]:
    """(actual, predicted, target) on the run's test rows, through the saved model."""
    return _predictions(str(run_dir), RunDir(run_dir).mtime(RunDir.WEIGHTS))


@st.cache_data(show_spinner="Predicting the test rows...", max_entries=16)
def _predictions(path: str, mtime: float) -> tuple[np.ndarray, np.ndarray, str]:
    run = load_run(path)
    target = str(run.meta["target"])
    if run.series is not None:  # a forecast: its test windows, the first step ahead
        from studio.runs.forecasts import test_forecasts

        forecasts = test_forecasts(run)
        return (forecasts[f"{target}[t+1]"].to_numpy(dtype=float), forecasts["predicted[t+1]"].to_numpy(dtype=float),
                f"{target} (next step)")
    frame = run.test_frame()
    predicted = np.asarray(run.predict_frame(frame), dtype=float).reshape(len(frame), -1)[:, 0]
    return frame[target].to_numpy(dtype=float), predicted, target


def export(run_dir: Path, quantize: str | None, opset: int, allow_failed: bool = False) -> dict[str, Any]:
    """Export the run to ONNX (parity-checked) and return its report (export.json's content)."""
    from studio.export import export_run

    return export_run(run_dir, quantize=quantize, opset=opset, allow_failed=allow_failed).to_dict()


# What the Export page reads from export.json, and the types it formats them as
_REPORT_FIELDS = {"parity": dict, "size_bytes": (int, float), "opset": int}
_PARITY_FIELDS = {"rows": int, "max_abs_diff": (int, float), "atol": (int, float), "rtol": (int, float),
                  "passed": bool, "metrics_torch": dict, "metrics_onnx": dict}
_INT8_FIELDS = {"size_int8": (int, float), "size_fp32": (int, float), "primary_metric": str,
                "max_abs_diff_vs_fp32": (int, float)}


def export_report(run_dir: Path) -> dict[str, Any] | None:
    """The last export's report, if the run was exported and its model is still there; a RunError
    when export.json is damaged (the page says so instead of failing on a missing figure)."""
    run = RunDir(run_dir)
    if not run.has(RunDir.EXPORT_REPORT) or not run.has(RunDir.ONNX):
        return None
    try:
        report = json.loads((run / RunDir.EXPORT_REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        report = None
    int8 = report.get("int8") if isinstance(report, dict) else None
    if not (_has(report, _REPORT_FIELDS) and _has(report["parity"], _PARITY_FIELDS)
            and (int8 is None or _has(int8, _INT8_FIELDS))):
        raise RunError(f"{RunDir.EXPORT_REPORT} of run {run.id!r} is damaged; press Export to ONNX to export it again")
    return report


def _has(obj: Any, fields: dict[str, Any]) -> bool:
    return isinstance(obj, dict) and all(isinstance(obj.get(k), t) for k, t in fields.items())


def benchmark(run_dir: Path) -> pd.DataFrame:
    from studio.export import benchmark_run

    return benchmark_run(run_dir)


def measure_variants(run_dir: Path) -> None:
    """Make and measure every variant of the run's model.onnx (written to variants.csv)."""
    from studio.export.variants import measure_variants as measure

    measure(run_dir, access=state.data_access())


def last_variants(run_dir: Path) -> tuple[pd.DataFrame, str] | None:
    """The variants table and its recommendation, when measured on the current model.onnx."""
    from studio.export.variants import last_variants as last

    return last(run_dir, run_summary(run_dir).task)


def variant_files(run_dir: Path) -> dict[str, Path]:
    """Variant name -> file, for the variants made from the current model.onnx."""
    from studio.export.variants import variant_files as files

    return files(run_dir)


def last_benchmark(run_dir: Path) -> pd.DataFrame | None:
    """bench.csv, when it is newer than the exported model it measured; a RunError when it is damaged."""
    run = RunDir(run_dir)
    if not run.has(RunDir.BENCH) or run.mtime(RunDir.BENCH) < run.mtime(RunDir.ONNX):
        return None
    try:
        bench = pd.read_csv(run / RunDir.BENCH)
    except (OSError, ValueError):
        bench = None
    if bench is None or not {"batch", "runtime", "p50_us"} <= set(bench.columns) \
            or not pd.api.types.is_numeric_dtype(bench["p50_us"]):
        raise RunError(f"{RunDir.BENCH} of run {run.id!r} is damaged; press Measure latency to measure again")
    return bench


@st.cache_resource(show_spinner=False, max_entries=8)
def _session(path: str, mtime: float) -> Any:
    from studio.export import make_session

    return make_session(path)


def onnx_session(model_path: Path) -> Any:
    """A shared onnxruntime session for the exported file (reloaded when the file changes)."""
    return _session(str(model_path), model_path.stat().st_mtime if model_path.exists() else 0.0)


def schema(model_path: Path) -> Any:
    from studio.export import read_schema

    return read_schema(onnx_session(model_path), quote(model_path.name))


def predict(model_path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    from studio.export import predict_frame

    return predict_frame(onnx_session(model_path), frame, quote(model_path.name))


def example_rows(run_dir: Path) -> pd.DataFrame | None:
    """The run's raw test rows (to prefill the one-row form), or None."""
    run = RunDir(run_dir)
    if not run.has(RunDir.TEST_ROWS):
        return None
    return run.test_rows(run.read_prepared()["table"])


def model_for_table(recipe: Recipe, table: Table) -> list[dict[str, Any]] | None:
    """A model of the right kind for ``table`` when the draft's plainly cannot read it (see
    :func:`studio.inputs.defaults.model_for_data`); None when the draft's model may."""
    if recipe.encoders:
        return None  # a network of several inputs was built by hand
    pictures = set(table.images)
    texts = [f for f in table.features if table.column_types.get(f) == "text"]
    has_table = any(f not in pictures and f not in texts for f in table.features)
    model = [dict(b) for b in recipe.model]
    text_only = len(texts) == 1 and not has_table and not pictures
    several = (bool(pictures) + len(texts) + has_table) > 1
    return model_for_data(model, bool(pictures) and not has_table and not texts, has_table or several,
                          text_only=text_only)


def tokenize_options(recipe: Recipe) -> Any:
    """The draft's first tokenize step's options (what the Data page's text view tokenizes with), or None."""
    from studio.text.params import TokenizeParams

    step = next((s for s in recipe.preprocessing if s.get("kind") == "tokenize"), None)
    if step is None:
        return None
    return TokenizeParams.model_validate({k: v for k, v in step.items() if k != "kind"})
