"""Export page, "Smaller models": prune the selected run, or distill it into a smaller student, as a
background job; the page keeps answering while it trains and then shows the comparison table and chart.

The forms check what they can at once (one sentence: the run is still training, has no weights, a
setting is out of range, the student does not fit the data); the job itself is
:mod:`components.compress_job`. The same runs come from ``studio prune`` and ``studio distill``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from components import compress_figures, compress_job, engine, live, queue_view, state
from components.compress_job import STEP, CompressResult
from components.safe import md
from studio.compress.prune import MAX_EPOCHS, MAX_STEPS, check_prune
from studio.compress.source import check_source
from studio.compress.student import SCALES, scaled_student
from studio.errors import StudioError
from studio.recipe import Recipe, TrainingConfig, load_recipe
from studio.runs import RunDir
from studio.status import RunStatus
from studio.train.distill import student_recipe


def _bounds(name: str) -> tuple[float, float, float, str]:
    """The default, bounds and description of a ``training`` field (one place for them: the Recipe)."""
    info = TrainingConfig.model_fields[name]
    lo = next(float(m.ge) for m in info.metadata if hasattr(m, "ge"))
    hi = next(float(m.le) for m in info.metadata if hasattr(m, "le"))
    return float(info.default), lo, hi, info.description or ""


def _prune_form(run_dir: Path, busy: bool) -> None:
    st.caption("Removes the smallest weights in steps, fine-tuning a few epochs after each; every step is a new "
               "run. Structured pruning removes whole units and filters, so the file gets smaller and faster; "
               "otherwise single weights become zero and the file keeps its size. More steps with a few epochs "
               "each lose less accuracy.")
    left, mid, right = st.columns(3)
    sparsity = left.slider("Sparsity", 0.05, 0.95, 0.5, 0.05, key="compress.sparsity",
                           help="The share of weights (or units and filters) removed at the last step.")
    steps = mid.number_input("Steps", 1, MAX_STEPS, 4, key="compress.steps",
                             help="Step k of n prunes to sparsity × k / n.")
    epochs = right.number_input("Fine-tuning epochs per step", 1, MAX_EPOCHS, 6, key="compress.epochs")
    structured = st.checkbox("Structured (whole units and filters)", value=True, key="compress.structured")
    if st.button("Prune", type="primary", key="compress.prune", disabled=busy,
                 help="Another pruning or distillation of yours is still going." if busy else None):
        try:
            check_prune(run_dir, float(sparsity), int(steps), int(epochs))
            compress_job.start_prune(run_dir, float(sparsity), structured, int(steps), int(epochs))
        except StudioError as err:  # a bad setting, or this session's share of the server is taken
            st.error(md(err))


def _student(teacher: Recipe) -> Recipe:
    """The student the form describes (scaled from the teacher's recipe, or a preset)."""
    epochs = int(st.number_input("Student epochs", 1, 10_000, min(2 * teacher.training.epochs, 1000),
                                 key="compress.student_epochs",
                                 help="A student usually needs more epochs than its teacher had."))
    kind = st.radio("Student", ["Scaled from this run", "A preset recipe"], horizontal=True, key="compress.kind")
    if kind == "A preset recipe":
        presets = state.presets()
        name = st.selectbox("Preset", list(presets), key="compress.preset",
                            help="Its blocks and training settings; the data and preprocessing are the teacher's.")
        preset = load_recipe(presets[name])
        return Recipe.from_dict({**preset.to_dict(), "training": {**preset.training.model_dump(), "epochs": epochs}})
    left, right = st.columns(2)
    dense = left.selectbox("Dense units ×", SCALES[:-1], index=1, key="compress.dense",
                           help="Most parameters of a small network sit in its dense layers.")
    conv = right.selectbox("Convolution filters ×", SCALES, index=3, key="compress.conv")
    dropout = st.checkbox("Keep the dropout blocks", value=False, key="compress.dropout",
                          help="A narrow student has little capacity to spare; the teacher's answers already "
                               "keep it from overfitting.")
    return scaled_student(teacher, float(dense), float(conv), epochs, dropout)


def _distill_form(run_dir: Path, busy: bool) -> None:
    st.caption("Trains a smaller student on this run's answers (its probabilities, softened by the temperature) "
               "as well as on the labels; the student is a new run.")
    t_default, t_lo, t_hi, t_help = _bounds("distill_temperature")
    a_default, a_lo, a_hi, a_help = _bounds("distill_alpha")
    left, right = st.columns(2)
    temperature = left.slider("Temperature", t_lo, t_hi, t_default, 0.5, key="compress.temperature", help=t_help)
    alpha = right.slider("Weight of the teacher's answers (alpha)", a_lo, a_hi, a_default, 0.05,
                         key="compress.alpha", help=a_help)
    try:
        teacher = RunDir(run_dir).read_recipe()
        student = _student(teacher)
    except StudioError as err:
        st.error(md(err))
        return
    if st.button("Distill", type="primary", key="compress.distill", disabled=busy,
                 help="Another pruning or distillation of yours is still going." if busy else None):
        try:
            check_source(run_dir, "distill from")
            engine.model_summary(student_recipe(run_dir, student, float(temperature), float(alpha)))
            compress_job.start_distill(run_dir, student, float(temperature), float(alpha))
        except StudioError as err:  # a bad student, or this session's share of the server is taken
            st.error(md(err))


def _progress(events: list[dict[str, Any]]) -> None:
    stage = next((e["text"] for e in reversed(events) if e.get("event") == STEP), "Starting")
    started = max((i for i, e in enumerate(events) if e.get("event") == "started"), default=None)
    if started is None:
        st.progress(0.0, text=stage)
        return
    total = int(events[started].get("epochs") or 1)
    done = sum(1 for e in events[started:] if e.get("event") == "epoch")
    st.progress(min(done / total, 1.0), text=f"{stage}: epoch {done} of {total}")


def _result(result: CompressResult) -> None:
    table = result.table
    st.dataframe(table, hide_index=True, key="compress.table")
    if result.kind == "prune":
        st.plotly_chart(compress_figures.pruning(table), key="compress.chart")
        if not table.empty and table["parameters"].iloc[-1] == table["parameters"].iloc[0]:
            st.caption("Unstructured pruning stores its zeros like other weights: the file and the latency stay "
                       "the same (tick Structured for a smaller, faster model).")
    else:
        st.plotly_chart(compress_figures.distillation(table), key="compress.chart")
        if len(table) == 2:
            share = table["parameters"].iloc[1] / table["parameters"].iloc[0]
            st.caption(f"The student has {share:.0%} of the teacher's parameters.")
    for note in result.notes:
        st.caption(md(note))
    st.caption("The new runs are in the Run list at the top of this page, and on Evaluate and Predict.")


def _panel(handle: Any, was_active: bool) -> None:
    active = handle.active
    if was_active and not active:
        st.rerun(scope="app")  # the run list picks up the new runs; the buttons come back
    source = Path(handle.info.get("source", ""))
    what = "Pruning" if handle.info.get("kind") == "prune" else "Distilling"
    st.markdown(f"**{what} {md(source.name)}**")
    if handle.job.status == RunStatus.QUEUED:
        st.info(queue_view.text(handle))
        st.button("Stop", key="compress.stop", on_click=handle.job.stop, help="Take it out of the queue.")
    elif active:
        _progress(handle.job.snapshot().events)
        st.button("Stop", key="compress.stop", on_click=handle.job.stop,
                  help="Ends after the current batch; the runs made so far are kept.")
    elif handle.job.error:
        st.error(md(handle.job.error))
    elif isinstance(handle.job.result, CompressResult):
        _result(handle.job.result)


def section(run_dir: Path) -> None:
    """The prune and distill forms for ``run_dir`` and this session's latest such job."""
    st.subheader("Smaller models: prune or distill")
    handle = compress_job.current()
    busy = handle is not None and handle.active
    prune_tab, distill_tab = st.tabs(["Prune", "Distill into a smaller student"])
    with prune_tab:
        _prune_form(run_dir, busy)
    with distill_tab:
        _distill_form(run_dir, busy)
    with st.expander("The same from the command line"):
        st.code(f"studio prune {run_dir} --sparsity 0.5 --structured --steps 4 --epochs 6\n"
                f"studio distill {run_dir} student.json", language="bash")
    handle = compress_job.current()  # a click above may have started one
    if handle is not None:
        active = handle.active
        st.fragment(_panel, run_every=live.poll_seconds() if active else None)(handle, active)
