"""Sweep page: search fields of the draft recipe with Optuna, watch the trials, use the best recipe.

The space is a table (a recipe path, how to draw its values); Start checks it against the draft
(one sentence when a path names nothing or a value is refused) and runs the sweep in the background
(`studio.sweeps.sweep_job`: trials as local processes, each a normal run directory). The sweep goes
through the server's job queue like a training run: it is this session's share, and it holds as many
slots as trials it trains at once, so on a busy server it waits its turn. A fragment polls the sweep
folder, as the Train page polls its job.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from components import jobs, live, queue_view, state, sweep_figures
from components.safe import md
from components.settings import runs_dir
from studio.errors import JobLimitError, StudioError
from studio.status import RunStatus
from studio.sweeps import SweepSettings, read_sweep, sweep_job, sweep_study
from studio.sweeps.rows import ROW_FIELDS, default_rows, space_from_rows
from studio.sweeps.run import check_settings
from studio.sweeps.space import KINDS
from studio.train.threads import usable_cores

MAX_TRIALS = 500


def _space_editor() -> list[dict[str, Any]]:
    st.subheader("What to search")
    st.caption("One row per recipe field, by its path (list positions as numbers: model.0.units is the first "
               "block's units). log_uniform and uniform draw between low and high, int_uniform whole numbers; "
               "choice takes its values, separated by commas.")
    frame = pd.DataFrame(default_rows(state.get_recipe()), columns=list(ROW_FIELDS))
    edited = st.data_editor(
        frame, num_rows="dynamic", hide_index=True, key="sweep.space", width="stretch",
        column_config={
            "path": st.column_config.TextColumn("path", help="e.g. optimizer.lr, model.0.units, regularization.l2"),
            "kind": st.column_config.SelectboxColumn("kind", options=list(KINDS)),
            "low": st.column_config.NumberColumn("low", format="%g"),
            "high": st.column_config.NumberColumn("high", format="%g"),
            "choices": st.column_config.TextColumn("choices", help="for choice: e.g. 16, 32, 64 or adam, sgd"),
        })
    rows = edited.to_dict("records")
    return [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()} for r in rows]  # NaN: blank


def _start(rows: list[dict[str, Any]], trials: int, parallel: int, pruner: str) -> None:
    recipe = state.get_recipe()
    out = runs_dir() / "sweeps" / f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
    try:
        settings = SweepSettings(recipe, space_from_rows(rows), trials=trials, out=out, parallel=parallel,
                                 pruner=pruner, access=state.data_access())
        check_settings(settings)  # a bad space or data: one sentence now, before anything starts
    except StudioError as err:
        st.error(md(err))
        return
    try:
        handle = jobs.registry().submit(state.owner_token(), sweep_job(settings), f"sweep of {recipe.name}",
                                        slots=parallel)
    except JobLimitError as err:
        st.error(md(err))
        return
    handle.info["folder"] = str(out)
    state.set_sweep_id(handle.run_id)


def _controls(active: bool) -> dict[str, Any] | None:
    left, mid, right = st.columns(3)
    trials = left.number_input("Trials", 1, MAX_TRIALS, 10, key="sweep.trials")
    parallel = mid.number_input("At once", 1, max(1, usable_cores()), 1, key="sweep.parallel",
                                help="Trials trained at the same time, each in its own process.")
    pruner = right.selectbox("Pruning", ["median", "asha", "none"], key="sweep.pruner",
                             help="Stop trials that fall behind the others at an epoch: median, or asynchronous "
                                  "successive halving (asha).")
    go = st.button("Start the sweep", type="primary", disabled=active, key="sweep.start")
    return {"trials": int(trials), "parallel": int(parallel), "pruner": pruner} if go else None


def _progress(folder: Path, active: bool) -> None:
    try:
        view = read_sweep(folder)
    except StudioError:
        st.info("The sweep is starting: checking the space and loading the data.")
        return
    counts = ", ".join(f"{n} {status}" for status, n in sorted(view.counts().items()))
    st.text(f"{len(view.rows)} trials so far ({counts or 'none yet'}); compared on validation {view.metric}.")
    if view.rows:
        table = pd.DataFrame([{**{k: r[k] for k in ("trial", "status", "value", "seconds")},
                               **{f"{p}": v for p, v in r["params"].items()}, "message": r["message"]}
                              for r in view.rows])
        st.dataframe(table, hide_index=True, key="sweep.table")
    if view.best is not None:
        st.text(f"Best so far: trial {view.best['trial']}, validation {view.metric} {view.best['value']:.4f}")
    study = sweep_study(folder)
    left, right = st.columns(2)
    coords, imp = sweep_figures.parallel_coordinates(study), sweep_figures.importances(study)
    if coords is not None:
        left.plotly_chart(coords, key="sweep.coords")
    if imp is not None:
        right.plotly_chart(imp, key="sweep.importance")


def _panel(handle: Any, was_active: bool) -> None:
    active = handle.active
    if was_active and not active:
        st.rerun(scope="app")  # the Start button and the best recipe's button update
    folder = Path(handle.info["folder"])
    if handle.job.status == RunStatus.QUEUED:
        st.info(queue_view.text(handle))
        st.button("Stop the sweep", key="sweep.stop", on_click=handle.job.stop, help="Take it out of the queue.")
        return
    if active:
        st.button("Stop the sweep", key="sweep.stop", on_click=handle.job.stop,
                  help="The running trials stop after their batch; the trials that ended are kept.")
    elif handle.job.error:
        st.error(md(handle.job.error))
    _progress(folder, active)


def _best(handle: Any) -> None:
    try:
        recipe = read_sweep(handle.info["folder"]).best_recipe
    except StudioError:
        return
    if recipe is not None and st.button("Use the best recipe", key="sweep.use_best",
                                        help="Load the best trial's recipe as the draft (then train it)."):
        try:
            state.replace_recipe(recipe)
        except StudioError as err:
            st.error(md(err))
            return
        st.success(f"The draft is now {md(recipe.name)}: train it on the Train page.")


def page() -> None:
    st.title("Sweep")
    st.caption(f"Optuna tries values of the draft recipe {md(state.get_recipe().name)} and keeps the best; each "
               "trial is a normal run, and trials that fall behind are stopped early.")
    rows = _space_editor()
    handle = jobs.registry().get(state.get_sweep_id(), owner=state.owner_token())
    active = handle is not None and handle.active
    asked = _controls(active)
    if asked is not None:
        _start(rows, **asked)
        handle = jobs.registry().get(state.get_sweep_id(), owner=state.owner_token())
        active = handle is not None and handle.active
    if handle is None:
        return
    st.divider()
    if not active:
        _best(handle)
    queued = handle.job.status == RunStatus.QUEUED
    poll = (queue_view.QUEUE_POLL if queued else live.poll_seconds()) if active else None
    st.fragment(_panel, run_every=poll)(handle, active)


page()
