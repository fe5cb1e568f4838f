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
from studio.data.numbers import to_numbers
from studio.errors import DataError, ExportError, quote
from studio.export.schema import CATEGORICAL_INPUT, MISSING_CATEGORY, NUMERIC_INPUT, ModelSchema
from studio.export.session import make_session


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
    if set(inputs) != set(wanted):
        return f"graph inputs {sorted(inputs)}, metadata inputs {sorted(wanted)}"
    for name, n in wanted.items():
        width = inputs[name][1] if len(inputs[name]) == 2 else None
        if isinstance(width, int) and width != n:
            return f"input {name!r} takes {width} columns, the metadata lists {n}"
    outputs = {o.name: o.shape for o in session.get_outputs()}
    if schema.output not in outputs:
        return f"no output named {quote(schema.output)}"
    width = outputs[schema.output][-1] if outputs[schema.output] else None
    expected = len(schema.class_labels or []) if schema.task == "classification" else 1
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
    return predict_frame(session, frame, where)


def predict_frame(session: ort.InferenceSession, frame: pd.DataFrame, where: str = "the model") -> pd.DataFrame:
    """Predictions for the raw rows of ``frame`` (columns by name, any order, extras ignored)."""
    schema = read_schema(session, where)
    frame = derive_dates(frame, schema.derived)
    feeds, notices = encode_inputs(schema, frame)
    try:
        out = session.run([schema.output], feeds)[0]
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


def encode_inputs(schema: ModelSchema, frame: pd.DataFrame) -> tuple[dict[str, np.ndarray], list[str]]:
    """Raw rows -> the graph's inputs; a person's mistakes are errors that name the column."""
    if len(frame) == 0:
        raise DataError("the input has no rows; give at least one row under the header.")
    names = [c.name for c in schema.columns]
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
    return feeds, notices


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
