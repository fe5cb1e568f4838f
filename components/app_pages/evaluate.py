"""Evaluate page: a run's test metrics and diagnostic figures, and a table of every saved run to compare.

Everything comes from the run directory (summary.json, metrics.csv, the saved model), so it works
for this tab's run and for any earlier run, also after the server restarted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from components import (
    baselines,
    boundary_view,
    continue_run,
    diagnoses,
    engine,
    explain,
    figures,
    histograms,
    how_it_works,
    misclassified,
    state,
    train_job,
)
from components.run_picker import pick_run
from components.safe import md
from components.settings import runs_dir
from studio.errors import StudioError
from studio.explanations import METRICS
from studio.runs import RunDir

MAX_COMPARED = 3  # runs overlaid by default


def _metrics_row(test: dict[str, Any]) -> None:
    scalars = {k: v for k, v in test.items() if isinstance(v, int | float)}
    for col, (name, value) in zip(st.columns(max(1, len(scalars))), scalars.items(), strict=False):
        col.metric(name.replace("_", " "), f"{value:.4f}")
    explained = [name for name in scalars if name in METRICS]
    how_it_works.several(METRICS, explained, "the metrics")


def _classification(run_dir: Path, test: dict[str, Any]) -> None:
    labels = list((test.get("per_class") or {}).keys())
    left, right = st.columns(2)
    with left:
        normalized = st.toggle("Normalize by true class", key="evaluate.normalize",
                               help="Show each row as shares of its true class instead of row counts.")
    with right:
        if test.get("roc_curves"):
            st.plotly_chart(figures.roc_curves(test["roc_curves"], test.get("roc_auc")))
        else:
            st.info("No ROC curve: a class is missing from the test split.")
    if test.get("per_class"):
        st.subheader("Per-class scores")
        frame = pd.DataFrame.from_dict(test["per_class"], orient="index").rename_axis("class").reset_index()
        st.dataframe(frame, hide_index=True, key="evaluate.per_class",
                     column_config={c: st.column_config.NumberColumn(c, format="%.3f")
                                    for c in ("precision", "recall", "f1")})
    boundary = RunDir(run_dir).read_boundary()  # the view the run ended with (Train page's live one)
    if boundary is not None:
        st.subheader("Decision boundary")
        boundary_view.show(boundary, labels, False, "evaluate.boundary")
    if test.get("confusion_matrix"):
        try:  # the matrix (clickable, in the left column), then the chosen cell's pictures or rows
            misclassified.section(run_dir, test["confusion_matrix"], labels, normalized, chart_in=left)
        except StudioError as err:  # the matrix alone, when the test rows cannot be predicted again
            left.plotly_chart(figures.confusion_matrix(test["confusion_matrix"], labels, normalized))
            st.error(md(err))


def _regression(run_dir: Path) -> None:
    actual, predicted, target = engine.regression_predictions(run_dir)
    left, right = st.columns(2)
    left.plotly_chart(figures.predicted_vs_actual(actual, predicted, target))
    right.plotly_chart(figures.residuals(actual, predicted, target))


def _run_report(run_dir: Path) -> None:
    summary = engine.run_summary(run_dir)
    st.text(f"{summary.name or run_dir.name} · {summary.task} · status {summary.status} · "
            f"{summary.epochs_run} epochs on {summary.device or '?'}")
    if summary.message:
        st.text(summary.message)
    parent = summary.extra.get("parent")
    if parent:
        st.text(f"Continued from run {parent} at epoch {summary.extra.get('resumed_from_epoch', '?')}; "
                "the curves show both.")
    if summary.status != "failed":
        continue_run.section(run_dir, "evaluate", train_job.session_full())
    if diagnoses.show(diagnoses.find(engine.history(run_dir), run_dir, summary), run_dir, "evaluate"):
        st.rerun()
    try:
        histograms.section(histograms.saved(run_dir), "evaluate")
    except StudioError as err:  # a damaged histograms.json: the rest of the report still shows
        st.error(md(err))
    test = summary.metrics.get("test") or {}
    if not test:
        st.info("This run has no test metrics (it was stopped before the end or its test split is empty).")
        return
    st.subheader("Test metrics")
    _metrics_row(test)
    baselines.section(run_dir, summary)
    if summary.task == "classification":
        _classification(run_dir, test)
    else:
        _regression(run_dir)
    explain.importance_section(run_dir, summary.primary_metric or "metric")


def _runs_table() -> None:
    st.subheader("All runs")
    infos = engine.runs(runs_dir(), state.runs_user())
    if not infos:
        st.info("No saved runs yet.")
        return
    table = pd.DataFrame([{"run": i.run_id, "name": i.name, "status": i.status, "task": i.task,
                           "metric": i.primary_metric, "test value": i.value, "epochs": i.epochs_run,
                           "created": i.created} for i in infos])
    st.dataframe(table, hide_index=True, key="evaluate.table",
                 column_config={"test value": st.column_config.NumberColumn(format="%.4f")})
    names = {i.run_id: f"{i.name} ({i.run_id})" for i in infos}
    chosen = st.multiselect("Compare runs", list(names), default=list(names)[:MAX_COMPARED],
                            format_func=names.__getitem__, key="evaluate.compare")
    if not chosen:
        return
    by_id = {i.run_id: i for i in infos}
    histories = {names[r]: engine.history(by_id[r].path) for r in chosen}
    metric = by_id[chosen[0]].primary_metric or "metric"
    left, right = st.columns(2)
    left.plotly_chart(figures.overlay(histories, "val_loss", "validation loss (lower is better)"))
    right.plotly_chart(figures.overlay(histories, "val_metric", f"validation {metric} (higher is better)"))


def page() -> None:
    st.title("Evaluate")
    run_dir = pick_run("evaluate", need=RunDir.SUMMARY)
    if run_dir is None:
        st.info("No finished run yet: train one on the Train page.")
    else:
        try:
            _run_report(run_dir)
        except StudioError as err:
            st.error(md(err))
    st.divider()
    _runs_table()


page()
