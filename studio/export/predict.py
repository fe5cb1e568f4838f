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
from studio.errors import DataError, ExportError
from studio.export.schema import CATEGORICAL_INPUT, MISSING_CATEGORY, NUMERIC_INPUT, ModelSchema
from studio.export.session import make_session


def read_schema(session: ort.InferenceSession) -> ModelSchema:
    """The studio schema stored in the model's metadata."""
    return ModelSchema.from_metadata(session.get_modelmeta().custom_metadata_map)


def predict_csv(model_path: str | Path, csv_path: str | Path) -> pd.DataFrame:
    """One row per CSV row: ``prediction`` and, for classification, ``proba_<label>`` per class.

    Notices (e.g. ignored extra columns) are in ``result.attrs["notices"]``.
    """
    session = make_session(model_path)
    frame, _ = read_csv(csv_path, CsvOptions())
    return predict_frame(session, frame)


def predict_frame(session: ort.InferenceSession, frame: pd.DataFrame) -> pd.DataFrame:
    """Predictions for the raw rows of ``frame`` (columns by name, any order, extras ignored)."""
    schema = read_schema(session)
    frame = derive_dates(frame, schema.derived)
    feeds, notices = encode_inputs(schema, frame)
    out = session.run([schema.output], feeds)[0]
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
        raise ExportError(f"the input lacks column(s) {', '.join(map(repr, missing))} that the model needs; "
                          f"it expects {', '.join(map(repr, dict.fromkeys(source_of.get(n, n) for n in names)))}.")
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
        raise DataError(f"column {name!r} must hold numbers but has {len(bad)} value(s) that are not, "
                        f"e.g. {bad.iloc[0]!r}; fix them or leave them empty to mark them missing.")
    return values.to_numpy(dtype=np.float32)


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
