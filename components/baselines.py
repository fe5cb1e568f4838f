"""Evaluate: the run's test metric beside simple models on the same split (studio.train.baselines)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from components import state
from components.safe import md
from studio.errors import StudioError


def _compute(run_dir: Path) -> None:
    from studio.pipeline import prepare
    from studio.runs import RunDir
    from studio.train.baselines import baseline_scores, save_baselines

    try:
        with st.spinner("Fitting logistic/ridge regression and gradient boosting on the same split..."):
            prepared = prepare(RunDir(run_dir).read_recipe(), state.data_access())
            save_baselines(run_dir, baseline_scores(prepared))
    except StudioError as err:
        state.set_widget_error("evaluate.baselines", str(err))


def section(run_dir: Path, summary: Any) -> None:
    from studio.train.baselines import FILE, read_baselines

    if summary.value is None or summary.task not in ("classification", "regression"):
        return
    scores = read_baselines(run_dir)
    if scores is None and not (run_dir / FILE).is_file():
        st.button("Compare with simple models", key="evaluate.baselines.button", on_click=_compute, args=(run_dir,),
                  help="Logistic (or ridge) regression and gradient boosting on the same training rows and "
                       "preprocessing, scored on the same test rows: does the network beat them?")
        error = state.widget_error("evaluate.baselines")
        if error:
            st.error(md(error))
        return
    if scores is None:
        st.caption("No simple-model baseline for this data: they read a table of numbers only (not pictures, "
                   "text or series windows).")
        return
    metric = summary.primary_metric
    cols = st.columns(len(scores) + 1)
    cols[0].metric(f"network ({metric})", f"{summary.value:.4f}")
    for col, (name, value) in zip(cols[1:], scores.items(), strict=True):
        col.metric(f"{name} ({metric})", f"{value:.4f}", delta=f"{value - summary.value:+.4f} vs network",
                   delta_color="inverse")
    best = max(scores.values())
    st.caption("The network beats these simple models." if summary.value > best else
               "A simple model scores at least as well as the network on this split: try it, or tune the network.")
