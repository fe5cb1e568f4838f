"""The Train page's "Compare two variants" section: train A and B from the draft at once, watch them live.

One click files two ordinary runs (named "<draft> A: dropout 0" and "<draft> B: dropout 0.3"), made by
:func:`studio.ab.build_pair`: the same draft, seeds and split, differing only in the chosen field,
each with half of the cores. Their ids are the tab's A/B pair (``?ab=`` in the URL, see
:mod:`components.state`). A fragment polls both snapshots while either is active: the overlaid
curves, a progress line per run, the decision boundaries side by side for 2-D data, and, once both
have ended, the table A vs B and the sentence of :func:`studio.ab.compare`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from components import ab_figures, engine, figures, jobs, live, queue_view, state, train_job
from components.safe import md
from studio.ab import PRESETS, Choice, build_pair, compare, outcome_of_run, parse_value
from studio.errors import StudioError
from studio.runs import RunDir
from studio.train.threads import usable_cores

KEY = "ab"
ERROR_KEY = "ab.start"
LABEL = "ab_label"  # the run's short label ("A: dropout 0") in its handle's info
METRIC_LABELS = {"accuracy": "accuracy", "r2": "R²"}


def _value(name: str) -> Any:
    return st.session_state.get(f"{KEY}.{name}")


def _choice(kind: str) -> Choice:
    """The choice as the widgets hold it now (read in the button's callback, after their edits)."""
    preset = PRESETS[kind]
    if kind == "field":
        return Choice(kind, parse_value(_value("field.a") or ""), parse_value(_value("field.b") or ""),
                      _value("field.path") or "")
    a = preset.a if preset.fixed_a else _value(f"{kind}.a")
    return Choice(kind, a, _value(f"{kind}.b"))


def start_pair(kind: str) -> None:
    """Button callback: build A and B from the draft, check both models, and start both runs."""
    state.clear_widget_error(ERROR_KEY)
    try:
        pair = build_pair(state.get_recipe(), _choice(kind), usable_cores())
        for side, recipe in zip("AB", (pair.a, pair.b), strict=True):
            try:
                engine.model_summary(recipe)
            except StudioError as err:
                raise StudioError(f"variant {side}: {err}") from None
        handles = train_job.submit_group([pair.a, pair.b])  # the server's queue: each starts when a slot frees
    except StudioError as err:  # a variant's model, or this session's share of the server is taken
        state.set_widget_error(ERROR_KEY, str(err))
        return
    for handle, label in zip(handles, pair.labels, strict=True):
        handle.info[LABEL] = label
    state.set_pair_ids(handles[0].run_id, handles[1].run_id)


def _handles() -> list[jobs.RunHandle] | None:
    ids = state.get_pair_ids()
    if ids is None:
        return None
    found = [jobs.registry().get(i, owner=state.owner_token()) for i in ids]
    return [h for h in found if h is not None] if all(found) else []


def _stop_both() -> None:
    for handle in _handles() or []:
        handle.job.stop()


def _inputs(kind: str, draft: Any) -> None:
    """The values of A and B for this kind of choice."""
    left, right = st.columns(2)
    if kind == "dropout":
        left.caption("A: no dropout (p = 0)." + ("" if any(b["kind"].startswith("dropout") for b in draft.model)
                                                else " The model has no dropout block: A and B get one after "
                                                     "each activation, A's with p = 0."))
        right.number_input("B: dropout p", 0.05, 0.9, PRESETS[kind].b, 0.05, key=f"{KEY}.dropout.b")
    elif kind == "l2":
        left.caption("A: no L2 penalty (0).")
        right.number_input("B: L2 penalty", 0.0, 10.0, PRESETS[kind].b, 1e-4, format="%g", key=f"{KEY}.l2.b")
    elif kind == "lr":
        lr = float(draft.optimizer.get("lr", 1e-3))
        left.number_input("A: learning rate", 0.0, 10.0, lr, lr / 10, format="%g", key=f"{KEY}.lr.a")
        right.number_input("B: learning rate", 0.0, 10.0, lr / 10, lr / 100, format="%g", key=f"{KEY}.lr.b")
    else:
        st.text_input("Field (dotted recipe path)", key=f"{KEY}.field.path", placeholder="optimizer.lr",
                      help="Any field of the recipe, e.g. optimizer.lr, model.0.units, training.batch_size, "
                           "regularization.label_smoothing. Values are read as JSON (0.01, true, \"sgd\"), "
                           "else as text.")
        left.text_input("A's value", key=f"{KEY}.field.a")
        right.text_input("B's value", key=f"{KEY}.field.b")


def _boundaries(handles: list[jobs.RunHandle], snaps: list[Any], labels: list[str], running: bool) -> None:
    config = {"staticPlot": True} if running else {}
    for col, handle, snap, label, side in zip(st.columns(2), handles, snaps, labels, "ab", strict=True):
        run_dir = train_job.run_dir_of(handle)
        counts = {}
        if run_dir is not None and RunDir(run_dir).has(RunDir.SUMMARY):
            counts = RunDir(run_dir).read_summary().extra.get("class_counts") or {}
        col.caption(md(label))
        col.plotly_chart(figures.decision_boundary(snap.latest["boundary"], list(counts)),
                         key=f"{KEY}.boundary.{side}", config=config)


def _result(handles: list[jobs.RunHandle], snaps: list[Any], labels: list[str]) -> None:
    outcomes = [outcome_of_run(label, train_job.run_dir_of(h), str(s.status), s.error or "")
                for h, s, label in zip(handles, snaps, labels, strict=True)]
    result = compare(*outcomes)
    st.subheader("A vs B")
    st.dataframe(pd.DataFrame(result.rows, columns=["", *result.labels]), hide_index=True, key=f"{KEY}.table")
    st.markdown(f"**{md(result.sentence)}**")
    st.caption("Both runs are saved: Evaluate and Export use them like any other run.")


def _panel(was_active: bool) -> None:
    handles = _handles()
    if handles is None:
        st.caption("No comparison yet: choose what differs and press Train A and B.")
        return
    if not handles:
        st.info("The A/B runs are not running in this server; finished runs are on the Evaluate page.")
        return
    active = any(train_job.is_active(h) for h in handles)
    if not was_active and active:
        st.rerun(scope="app")
    snaps = [h.job.snapshot() for h in handles]
    labels = [str(h.info.get(LABEL) or h.name) for h in handles]
    for handle, snap, label in zip(handles, snaps, labels, strict=True):
        if train_job.is_queued(handle):
            st.progress(0.0, text=f"{md(label)} · {queue_view.short(handle)}")
            continue
        prog = live.progress(snap.events, snap.last_batch)
        st.progress(prog.fraction, text=f"{md(label)} · {snap.status} · {prog.text()}")
    metric = live.metric_name(snaps[0].events)
    frames = {label: live.epoch_frame(s.events) for label, s in zip(labels, snaps, strict=True)}
    st.plotly_chart(ab_figures.ab_curves(frames, METRIC_LABELS.get(metric, "metric")), key=f"{KEY}.curves",
                    config={"staticPlot": True} if active else {})
    if all("boundary" in s.latest for s in snaps):
        _boundaries(handles, snaps, labels, active)
    if not active:
        _result(handles, snaps, labels)
    if was_active and not active:
        st.rerun(scope="app")  # stop polling and redraw the buttons


def section() -> None:
    """The whole section (the page puts it in an expander)."""
    draft = state.get_recipe()
    handles = _handles() or []
    active = any(train_job.is_active(h) for h in handles)
    st.caption("Train two variants of the draft at once, from the same seed and split, differing only in what "
               "you choose: their curves overlaid, their decision boundaries side by side (2-D data), then "
               "which generalised better.")
    kind = st.selectbox("What differs", list(PRESETS), format_func=lambda k: PRESETS[k].title, key=f"{KEY}.kind")
    _inputs(kind, draft)
    blocked = state.train_blocked_reason()
    single = train_job.current()
    reason = blocked or ("A and B are training: stop them or wait for them to end" if active else None) or \
        ("a run is in progress: stop it or wait for it to end, so that A and B share the cores evenly"
         if train_job.is_active(single) else None) or train_job.session_full()
    start, stop, _ = st.columns([1, 1, 3])
    start.button("Train A and B", type="primary", on_click=start_pair, args=(kind,), disabled=reason is not None,
                 help=reason or "Start both runs, each with half of the CPU cores (on a busy server they wait their "
                                  "turn in its queue).", key=f"{KEY}.start",
                 width="stretch")
    stop.button("Stop both", disabled=not active, on_click=_stop_both, key=f"{KEY}.stop", width="stretch")
    error = state.widget_error(ERROR_KEY)
    if error:
        st.error(md(error))
    st.fragment(_panel, run_every=live.poll_seconds() if active else None)(active)
