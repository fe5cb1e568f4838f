"""Predict from an exported model with onnxruntime alone: no torch is imported here.

The input schema (column order, types, categories, class labels) is read from the ONNX metadata,
so ``model.onnx`` is all a deployment needs besides onnxruntime, numpy and pandas.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pandas as pd

from studio.data.columns import derive_dates
from studio.data.csv_reader import CsvOptions, read_csv
from studio.data.images.decode import ImageSpec, decode_image
from studio.data.images.scan import IMAGE_SUFFIXES
from studio.data.numbers import to_numbers
from studio.errors import DataError, ExportError, quote
from studio.export.schema import (
    CATEGORICAL_INPUT,
    MISSING_CATEGORY,
    NUMERIC_INPUT,
    ImageInputSpec,
    ModelSchema,
    TextInputSpec,
)
from studio.export.session import make_session
from studio.text.spec import TokenizerSpec, as_text


def read_schema(session: ort.InferenceSession, where: str = "the model") -> ModelSchema:
    """The studio schema stored in the model's metadata, checked against the graph it describes."""
    schema = ModelSchema.from_metadata(session.get_modelmeta().custom_metadata_map, where)
    mismatch = _graph_mismatch(schema, session)
    if mismatch:
        raise ExportError(f"{where} does not match its own metadata ({mismatch}); the file was changed after "
                          "export, export the run again")
    return schema


def _graph_mismatch(schema: ModelSchema, session: ort.InferenceSession) -> str | None:
    """How the graph's inputs and outputs differ from what the schema says they are, or None."""
    inputs = {i.name: i.shape for i in session.get_inputs()}
    wanted = {NUMERIC_INPUT: len(schema.numeric), CATEGORICAL_INPUT: len(schema.categorical)}
    wanted = {name: n for name, n in wanted.items() if n}
    images = {i.name: [i.height, i.width, i.channels] for i in schema.images}
    series = {schema.series.name: [schema.series.window, len(schema.series.columns)]} if schema.series else {}
    texts = {t.name: [] if t.in_graph else [t.max_length] for t in schema.texts}
    if set(inputs) != set(wanted) | set(images) | set(series) | set(texts):
        return f"graph inputs {sorted(inputs)}, metadata inputs {sorted([*wanted, *images, *series, *texts])}"
    for name, shape in series.items():
        if [d if isinstance(d, int) else None for d in inputs[name][1:]] != shape:
            return f"series input {quote(name)} takes {inputs[name][1:]}, the metadata says {shape}"
    for name, shape in texts.items():
        if [d if isinstance(d, int) else None for d in inputs[name][1:]] != shape:
            return f"text input {quote(name)} takes {inputs[name][1:]}, the metadata says {shape}"
    for name, n in wanted.items():
        width = inputs[name][1] if len(inputs[name]) == 2 else None
        if isinstance(width, int) and width != n:
            return f"input {name!r} takes {width} columns, the metadata lists {n}"
    for name, shape in images.items():
        if [d if isinstance(d, int) else None for d in inputs[name][1:]] != shape:
            return f"image input {quote(name)} takes {inputs[name][1:]}, the metadata says {shape}"
    outputs = {o.name: o.shape for o in session.get_outputs()}
    if schema.output not in outputs:
        return f"no output named {quote(schema.output)}"
    width = outputs[schema.output][-1] if outputs[schema.output] else None
    expected = len(schema.class_labels or []) if schema.task == "classification" else \
        schema.series.horizon if schema.series is not None else 1
    if isinstance(width, int) and width != expected:
        return f"the output has {width} values per row, the metadata expects {expected}"
    return None


def predict_csv(model_path: str | Path, csv_path: str | Path) -> pd.DataFrame:
    """One row per CSV row: ``prediction`` and, for classification, ``proba_<label>`` per class.

    Notices (e.g. ignored extra columns) are in ``result.attrs["notices"]``.
    """
    session = make_session(model_path)
    where = quote(Path(model_path).name)
    read_schema(session, where)  # a damaged model is named before the rows are read
    rows = Path(csv_path)
    if not rows.is_file():
        what = "is a folder, not a CSV file" if rows.is_dir() else "does not exist"
        raise DataError(f"the rows to predict, {quote(str(rows), 120)}, {what}; give a CSV with the model's columns")
    frame, _ = read_csv(rows, CsvOptions())
    return predict_frame(session, frame, where, base=rows.parent)


def predict_frame(session: ort.InferenceSession, frame: pd.DataFrame, where: str = "the model",
                  base: Path | None = None) -> pd.DataFrame:
    """Predictions for the raw rows of ``frame`` (columns by name, any order, extras ignored); the
    pictures of an image column are read from the paths it holds (relative to ``base``)."""
    schema = read_schema(session, where)
    if schema.series is not None:  # rows are steps: forecast from the last window, or classify each window
        from studio.export.series_io import predict_series

        return predict_series(session, schema, frame, where)
    frame = derive_dates(frame, schema.derived)
    feeds, notices = encode_inputs(schema, frame, base=base)
    try:
        out = np.concatenate([session.run([schema.output], part)[0] for part in chunks(schema, feeds)])
    except Exception as err:  # onnxruntime raises its own Fail/InvalidArgument types
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ExportError(f"onnxruntime could not run {where} on these rows ({first[:150]}); "
                          "export the run again") from None
    if schema.task == "classification":
        labels = schema.class_labels or []
        result = pd.DataFrame({"prediction": np.asarray(labels, dtype=object)[out.argmax(axis=1)]},
                              index=frame.index)
        for k, label in enumerate(labels):
            result[f"proba_{label}"] = out[:, k].astype(np.float64)
    else:
        result = pd.DataFrame({"prediction": out[:, 0].astype(np.float64)}, index=frame.index)
    result.attrs["notices"] = notices
    return result


TEXT_CHUNK_CHARS = 4_000_000
"""Most rows x longest text (characters) fed to a graph that tokenizes text in one call: its splits are
as wide as the batch's longest text (``studio.export.text_front``), so one huge cell goes alone."""


def chunks(schema: ModelSchema, feeds: dict[str, np.ndarray]) -> list[dict[str, np.ndarray]]:
    """``feeds`` in consecutive row ranges whose rows x longest text stays under :data:`TEXT_CHUNK_CHARS`
    (all rows at once for a model without text inside its graph)."""
    texts = [feeds[t.name] for t in schema.texts if t.in_graph]
    if not texts:
        return [feeds]
    n = len(texts[0])
    longest = np.max([[len(v) for v in col] for col in texts], axis=0)
    out, start, widest = [], 0, 0
    for i in range(n):
        widest = max(widest, int(longest[i]))
        if i > start and (i + 1 - start) * widest > TEXT_CHUNK_CHARS:
            out.append({k: v[start:i] for k, v in feeds.items()})
            start, widest = i, int(longest[i])
    out.append({k: v[start:] for k, v in feeds.items()})
    return out


def encode_inputs(schema: ModelSchema, frame: pd.DataFrame, images: dict[str, np.ndarray] | None = None,
                  base: Path | None = None) -> tuple[dict[str, np.ndarray], list[str]]:
    """Raw rows -> the graph's inputs; a person's mistakes are errors that name the column.

    An image column's pictures come from ``images`` (column -> uint8 (n, C, H, W), already decoded as
    training did) or else are decoded from the paths in the column, relative to ``base``.
    """
    if len(frame) == 0:
        raise DataError("the input has no rows; give at least one row under the header.")
    if schema.series is not None:  # windows already cut (parity, the card's example), else every window
        from studio.export.series_io import series_windows

        spec, notices = schema.series, []
        given = images.get(spec.name) if images is not None else None
        return {spec.name: given if given is not None else series_windows(spec, frame, notices)}, notices
    names = [c.name for c in schema.columns] + [i.column for i in schema.images if images is None
                                                or i.column not in images] + [t.column for t in schema.texts]
    source_of = {col: src for src, cols in schema.derived.items() for col in cols}
    missing = list(dict.fromkeys(source_of.get(n, n) for n in names if n not in frame.columns))
    if missing:
        expected = list(dict.fromkeys(source_of.get(n, n) for n in names))
        raise ExportError(f"the input lacks column(s) {listed(missing)} that the model needs; "
                          f"it expects {listed(expected)}.")
    _check_dates(schema, frame)
    notices = []
    target_col = [schema.target] if schema.target in frame.columns else []
    extra = [str(c) for c in frame.columns if c not in names and c not in target_col and c not in schema.derived]
    if extra:
        notices.append(f"ignored {len(extra)} column(s) the model does not use: {', '.join(extra[:10])}"
                       + (" ..." if len(extra) > 10 else ""))
    feeds: dict[str, np.ndarray] = {}
    if schema.numeric:
        feeds[NUMERIC_INPUT] = np.stack([_numeric(frame[c.name], c.name) for c in schema.numeric], axis=1)
    if schema.categorical:
        feeds[CATEGORICAL_INPUT] = np.stack(
            [_categorical(frame[c.name], c.categories or []) for c in schema.categorical], axis=1)
    for spec in schema.images:
        pixels = images[spec.column] if images is not None and spec.column in images \
            else decode_column(frame[spec.column], spec, base)
        feeds[spec.name] = np.ascontiguousarray(np.asarray(pixels, dtype=np.uint8).transpose(0, 2, 3, 1))
    for text in schema.texts:
        feeds[text.name] = text_feed(text, frame[text.column])
    return feeds, notices


def text_feed(text: TextInputSpec, column: pd.Series) -> np.ndarray:
    """A text column as its graph input takes it: the raw strings (missing is ""), or for a subword
    tokenizer the ids it gives, int64 (n, max_length), as training made them."""
    if text.in_graph:
        return np.asarray([as_text(v) for v in column.tolist()], dtype=object)
    return TokenizerSpec.from_dict(text.spec or {}).encode(column.tolist())


def decode_column(paths: pd.Series, spec: ImageInputSpec, base: Path | None = None) -> np.ndarray:
    """uint8 (n, C, H, W): the pictures a column names, decoded and resized exactly as training did."""
    image_spec = ImageSpec(spec.channels, spec.height, spec.width, spec.fit,  # type: ignore[arg-type]
                           tuple(spec.background))  # type: ignore[arg-type]
    out = np.empty((len(paths), *image_spec.shape), dtype=np.uint8)
    for i, value in enumerate(paths.tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
            raise DataError(f"row {i + 1} of column {quote(spec.column)} names no picture; give each row a "
                            "picture's path")
        path = Path(str(value)).expanduser()
        path = path if path.is_absolute() or base is None else base / path
        if not path.is_file():
            raise DataError(f"picture {quote(str(value), 80)} (column {quote(spec.column)}) does not exist; "
                            "give paths relative to the CSV's folder")
        out[i] = decode_image(path, image_spec, str(value))
    return out


def _numeric(col: pd.Series, name: str) -> np.ndarray:
    """float32 values, NaN where missing (the graph imputes as training did)."""
    values = to_numbers(col)
    bad = col[values.isna() & col.notna() & (col.astype(str).str.strip() != "")]
    if len(bad):
        raise DataError(f"column {quote(name)} must hold numbers but has {len(bad)} value(s) that are not, "
                        f"e.g. {quote(bad.iloc[0])}; fix them or leave them empty to mark them missing.")
    return values.to_numpy(dtype=np.float32)


def _check_dates(schema: ModelSchema, frame: pd.DataFrame) -> None:
    """A date column whose values cannot be read as dates is a mistake, as text in a number column is."""
    for source, parts in schema.derived.items():
        if source not in frame.columns or not parts or parts[0] not in frame.columns:
            continue
        col = frame[source]
        bad = col[frame[parts[0]].isna() & col.notna() & (col.astype(str).str.strip() != "")]
        if len(bad):
            raise DataError(f"column {quote(source)} must hold dates but has {len(bad)} value(s) that are not, "
                            f"e.g. {quote(bad.iloc[0])}; write them like 2024-03-31 or leave them empty.")


def listed(names: list, limit: int = 6) -> str:
    """``'a', 'b', 'c'`` (each name shortened), the rest counted: a message stays one readable line."""
    shown = ", ".join(quote(str(n), 30) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _categorical(col: pd.Series, categories: list[str]) -> np.ndarray:
    """Strings as training saw them (3.0 reads as "3"); missing is "" and the graph fills it."""
    known = set(categories)

    def one(v: object) -> str:
        if v is None or v is pd.NA or (isinstance(v, float | np.floating) and np.isnan(v)):
            return MISSING_CATEGORY
        if isinstance(v, float | np.floating) and float(v).is_integer():
            return str(int(v))
        s = str(v)
        if s in known or s.strip() not in known:
            return s
        return s.strip()

    return np.asarray([one(v) for v in col.tolist()], dtype=object)


def predict_paths(model_path: str | Path, inputs: list[str]) -> pd.DataFrame:
    """Predictions for what a person points at: one CSV of rows, or picture files and folders of them.

    Pictures need a model whose only input is one image column; each gets a row with its ``file``.
    """
    session = make_session(model_path)
    where = quote(Path(model_path).name)
    schema = read_schema(session, where)
    one_csv = len(inputs) == 1 and Path(inputs[0]).suffix.lower() not in IMAGE_SUFFIXES \
        and not (schema.images and Path(inputs[0]).is_dir())
    if one_csv:
        return predict_csv(model_path, inputs[0])
    if len(schema.images) != 1 or schema.columns:
        what = "table columns besides pictures" if schema.images else "table columns, not pictures"
        raise DataError(f"{where} takes {what}; give one CSV of rows with the model's columns"
                        + (" (a column of picture paths for its pictures)" if schema.images else ""))
    files = picture_files(inputs)
    frame = pd.DataFrame({schema.images[0].column: [str(f) for f in files]})
    result = predict_frame(session, frame, where)
    result.insert(0, "file", [str(f) for f in files])
    return result


def picture_files(inputs: list[str]) -> list[Path]:
    """The picture files named, folders searched (recursively, sorted); a DataError for anything else."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                           and not p.name.startswith("."))
            if not found:
                raise DataError(f"folder {quote(item, 80)} holds no pictures (PNG, JPEG, GIF, BMP, WebP, TIFF)")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise DataError(f"{quote(item, 80)} does not exist; give picture files or folders of them")
    return files
