"""The run chooser shared by Evaluate, Export and Predict: this tab's run first, then this user's saved
runs (every saved run on a server started with ``--shared-runs``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from components import engine, state, train_job
from components.settings import runs_dir
from studio.runs import RunDir, RunInfo


def _label(info: RunInfo, current: Path | None) -> str:
    value = "" if info.value is None else f" · test {info.primary_metric} {info.value:.3f}"
    mark = " (this tab's run)" if current is not None and info.path == current else ""
    return f"{info.name} · {info.status}{value} · {info.created}{mark}"


def pick_run(page: str, need: str = RunDir.WEIGHTS) -> Path | None:
    """A select box of saved runs that have the file ``need``; this tab's latest run is preselected.

    The widget's key carries the current run id, so a new run in this tab becomes the choice again.
    """
    handle = train_job.current()
    current = train_job.run_dir_of(handle)
    infos = [i for i in engine.runs(runs_dir(), state.runs_user()) if (i.path / need).is_file()]
    if not infos:
        return None
    paths = [str(i.path) for i in infos]
    labels = {str(i.path): _label(i, current) for i in infos}
    index = paths.index(str(current)) if current is not None and str(current) in paths else 0
    chosen = st.selectbox("Run", paths, index=index, format_func=labels.__getitem__,
                          key=f"{page}.run.{handle.run_id if handle else 'none'}",
                          help="Saved runs, newest first." if state.runs_user() is None
                          else "Your saved runs (made in this browser), newest first.")
    return Path(chosen) if chosen else None
