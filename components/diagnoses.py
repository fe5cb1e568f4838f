"""The diagnoses of a run, in plain words, each with a button that applies its remedy.

Shown live on the Train page and after a run on Evaluate. The engine finds them
(:func:`studio.train.diagnose.diagnose_run`) and makes the change (:mod:`studio.train.remedies`); the
button makes *that run's* recipe, with the change, the draft, so what it says ("0.01 → 0.001") is
exactly what happens. Sentences can quote class labels from a user's file: they go through ``md``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from components import state
from components.safe import md
from studio.errors import StudioError
from studio.recipe import Recipe
from studio.runs import RunDir, RunSummary
from studio.train.diagnose import Diagnosis, diagnose_run
from studio.train.remedies import apply_remedy, describe


def find(history: pd.DataFrame, run_dir: Path | None, summary: RunSummary | None,
         health: dict | None = None) -> list[Diagnosis]:
    """The diagnoses of a history, with the facts the run recorded (none before its folder exists) and,
    live, the latest health reading (after a run, summary.json holds the last one)."""
    if summary is None and run_dir is not None and RunDir(run_dir).has(RunDir.SUMMARY):
        summary = RunDir(run_dir).read_summary()
    if summary is None:
        return []
    recipe = _recipe(run_dir)
    weights = recipe.regularization.class_weights if recipe is not None else "none"
    facts = {**summary.extra, "health": health} if health is not None else summary.extra
    return diagnose_run(history, facts, summary.task or "classification", weights)


def _recipe(run_dir: Path | None) -> Recipe | None:
    """The run's recipe (recipe.json never changes once written, so it is read once per run)."""
    if run_dir is None or not RunDir(run_dir).has(RunDir.RECIPE):
        return None
    return _read_recipe(str(run_dir))


@st.cache_data(show_spinner=False, max_entries=32)
def _read_recipe(path: str) -> Recipe:
    return RunDir(path).read_recipe()


def show(found: list[Diagnosis], run_dir: Path | None, where: str) -> bool:
    """Each diagnosis and its "Apply: ..." button; True when a button changed the draft (the caller
    reruns the whole app so every page shows it)."""
    notice = state.pop_notice()
    if notice:
        st.success(md(notice))
    if not found:
        return False
    st.subheader("Diagnosis")
    recipe = _recipe(run_dir)
    for d in found:
        st.warning(md(d.text()))
        if d.remedy is None or recipe is None:
            continue
        label = describe(recipe, d.remedy)
        if st.button(f"Apply: {label}", key=f"diagnose.{where}.{d.kind}",
                     help="Makes this run's recipe, with this change, the draft; train it again to compare."):
            try:
                state.replace_recipe(apply_remedy(recipe, d.remedy))
            except StudioError as err:
                st.error(md(err))
                return False
            state.set_notice(f"Applied to the draft: {label}. Press Train to try it.")
            return True
    return False
