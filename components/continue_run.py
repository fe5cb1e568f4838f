""""Continue training": a finished, stopped or interrupted run goes on from its last checkpoint as a
new run linked to it (:mod:`studio.runs.resume`); the Train page then shows it live."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from components import state, train_job
from components.safe import md
from studio.runs import RunDir


def section(run_dir: Path, scope: str, disabled: str | None = None) -> None:
    """A "More epochs" box and a "Continue training" button for ``run_dir``; ``scope`` keeps widget keys apart."""
    if not RunDir(run_dir).has(RunDir.CHECKPOINT):
        return
    error_key = f"{scope}.continue"
    more_col, button_col, _ = st.columns([1, 1, 3], vertical_alignment="bottom")
    more = more_col.number_input("More epochs", min_value=1, max_value=10_000, value=5, step=1,
                                 key=f"{scope}.continue.epochs",
                                 help="Epochs to train on top of this run's last checkpoint.")
    button_col.button("Continue training", key=f"{scope}.continue.button", disabled=disabled is not None,
                      on_click=train_job.continue_run, args=(Path(run_dir), int(more), error_key),
                      help=disabled or "Go on from this run's last checkpoint (weights, optimizer, schedule) as a "
                                       "new run linked to it; watch it on the Train page.")
    error = state.widget_error(error_key)
    if error:
        st.error(md(error))
