"""Predict page: run an exported model.onnx (onnxruntime only) on one typed-in row or on a CSV file,
or, for a classifier of pictures, on uploaded pictures (:mod:`components.predict_pictures`).

The form is generated from the input schema stored in the model's metadata: a number box per
numeric column, a select box of the known categories per categorical column, and a date box per
date column of the CSV (the model itself takes its year, month and weekday, derived as in
training). Values start from the run's first test row, so pressing Predict right away gives a
sensible answer.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from components import engine, explain, figures, predict_pictures, state
from components.run_picker import pick_run
from components.safe import md
from studio.errors import StudioError
from studio.export.csv_safety import to_safe_csv
from studio.runs import RunDir

CSV_KEY = "predict.csv"


def _start_values(run_dir: Path) -> dict[str, Any]:
    """The first test row, to prefill the form; nothing when the run's files cannot give one."""
    try:
        rows = engine.example_rows(run_dir)
    except StudioError:
        return {}
    return {} if rows is None or rows.empty else rows.iloc[0].to_dict()


def _date_field(name: str, start: Any) -> str:
    when = pd.to_datetime(start, errors="coerce", format="mixed") if start is not None else pd.NaT
    day = st.date_input(md(name), value=when.date() if not pd.isna(when) else "today", key=f"predict.date.{name}",
                        help="The model uses this date's year, month and day of the week.")
    return day.isoformat()


def _field(column: Any, start: Any) -> Any:
    key = f"predict.field.{column.name}"
    if column.type == "categorical":
        options = list(column.categories or []) + list(column.grouped or [])
        index = options.index(str(start)) if str(start) in options else 0
        return st.selectbox(md(column.name), options, index=index, key=key)
    number = float(start) if isinstance(start, int | float) and math.isfinite(float(start)) else 0.0
    return st.number_input(md(column.name), value=number, format="%g", key=key)


def _show(result: pd.DataFrame, schema: Any) -> None:
    prediction = result["prediction"].iloc[0]
    shown = f"{prediction:.4g}" if isinstance(prediction, float) else str(prediction)
    st.metric(f"Predicted {md(schema.target)}", md(shown))
    if schema.task == "classification":
        labels = list(schema.class_labels or [])
        values = [float(result[f"proba_{label}"].iloc[0]) for label in labels]
        st.plotly_chart(figures.probabilities(labels, values), key="predict.proba")


def _one_row(model: Path, run_dir: Path, schema: Any) -> None:
    start = _start_values(run_dir)
    with st.form("predict.row"):
        cols = st.columns(3)
        source_of = {col: src for src, derived in schema.derived.items() for col in derived}
        values: dict[str, Any] = {}
        fields = list(dict.fromkeys(source_of.get(c.name, c.name) for c in schema.columns))
        by_name = {c.name: c for c in schema.columns}
        for i, name in enumerate(fields):
            with cols[i % 3]:
                if name in schema.derived:  # a date column: asked as a date, expanded like training did
                    values[name] = _date_field(name, start.get(name))
                else:
                    values[name] = _field(by_name[name], start.get(name))
        for text in schema.texts:  # raw text: the model tokenizes it as training did
            first = start.get(text.column)
            values[text.column] = st.text_area(md(text.column), value="" if first is None or first != first
                                               else str(first), key=f"predict.text.{text.column}",
                                               help=f"Any text; it is cut to {text.max_length} tokens "
                                                    f"({text.tokenizer} tokenizer).")
        submitted = st.form_submit_button("Predict", type="primary")
    if submitted:
        try:
            _show(engine.predict(model, pd.DataFrame([values])), schema)
        except StudioError as err:
            st.error(md(err))
            return
        explain.row_attributions(run_dir, pd.DataFrame([values]))


def _csv(model: Path) -> None:
    uploaded = st.file_uploader("CSV with the model's input columns", type=["csv", "txt"], key=CSV_KEY,
                                help="Saved in a temporary folder private to this browser session.")
    if uploaded is None:
        return
    path = state.save_upload(uploaded, "rows.csv", folder=state.PREDICT_UPLOADS)
    from studio.export import predict_csv

    try:
        with st.spinner("Predicting..."):
            result = predict_csv(model, path)
    except StudioError as err:
        st.error(md(err))
        return
    for notice in result.attrs.get("notices", []):
        st.info(md(notice))
    st.dataframe(result, key="predict.table")
    st.download_button("Download predictions (CSV)", data=to_safe_csv(result).encode(),
                       file_name=f"predictions-{Path(uploaded.name).stem}.csv", mime="text/csv",
                       key="predict.download")


def page() -> None:
    st.title("Predict")
    run_dir = pick_run("predict", need=RunDir.ONNX)
    if run_dir is None:
        st.info("No exported model yet: export a run on the Export page first.")
        return
    model = run_dir / RunDir.ONNX
    schema = engine.schema(model)
    st.caption(md(f"{model.name} of {run_dir.name} · {schema.task} of {schema.target} · inputs: "
                  + ", ".join(f"{k} {v}" for k, v in schema.input_shapes().items())))
    if schema.images and not schema.columns and schema.task == "classification":
        predict_pictures.section(model, schema)
        return
    if schema.images:
        st.info("This model reads its pictures from the paths in a CSV column: give that CSV here, with the "
                "paths relative to it, or use `studio predict` on the command line.")
        _csv(model)
        return
    if getattr(schema, "series", None) is not None:
        spec = schema.series
        st.info(md(f"This model reads windows of {spec.window} steps of {', '.join(spec.columns)}: give a CSV of the "
                   f"latest steps (at least {spec.window} rows, oldest first"
                   + (f", with the {spec.time} column" if spec.time else "") + ("); it forecasts what follows."
                                                                        if spec.task == "forecast" else
                                                                        "); it labels each window.")))
        _csv(model)
        return
    mode = st.radio("Input", ["One row", "CSV file"], horizontal=True, key="predict.mode")
    if mode == "One row":
        _one_row(model, run_dir, schema)
    else:
        _csv(model)


page()
