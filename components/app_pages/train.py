"""Train page: optimizer, schedule, regularization and training settings; Train/Pause/Resume/Stop; live curves.

The run is a Job in the process-wide registry (it survives page switches and refreshes: the run id
is in the URL). The live panel is a fragment that polls ``job.snapshot()`` every
``live.poll_seconds()`` (0.8 s by default; 0.45 s while it draws the live boundary of 2-D data) while the
job is active; the training thread never
calls Streamlit. When the job ends the fragment reruns the whole app so the buttons update and
polling stops. A run waiting in the server's job queue shows its place in line instead, polled every
``queue_view.QUEUE_POLL`` seconds; when it leaves the queue the whole app reruns (Pause, live poll).
Below it, "Compare two variants" trains A and B at once (:mod:`components.ab_compare`).
"""

from __future__ import annotations

import streamlit as st

from components import (
    ab_compare,
    boundary_view,
    continue_run,
    diagnoses,
    figures,
    histograms,
    live,
    parallel_job,
    queue_view,
    start_from,
    state,
    train_job,
    train_settings,
)
from components.engine import run_summary
from components.jobs import RunHandle
from components.safe import md
from studio.runs import RunDir
from studio.status import RunStatus
from studio.train.job import JobSnapshot
from studio.train.smoothing import batch_curve, smooth

METRIC_LABELS = {"accuracy": "accuracy", "r2": "R²"}
SMOOTHING = 0.6  # TensorBoard's default
FINAL = {  # status -> how its message is shown
    RunStatus.COMPLETED: st.success,
    RunStatus.EARLY_STOPPED: st.info,
    RunStatus.STOPPED: st.warning,
    RunStatus.FAILED: st.error,
    RunStatus.INTERRUPTED: st.error,
}


def _controls(handle: RunHandle | None, active: bool, blocked: str | None) -> None:
    status = handle.job.status if handle else None
    train, pause, resume, stop, spread = st.columns([1, 1, 1, 1, 4])
    reason = blocked or train_job.session_full()  # this session's share of the server's runs is taken
    gpus = parallel_job.devices()
    nproc = 1
    if gpus > 1:  # data-parallel over this machine's GPUs: torchrun in a subprocess, same live charts
        nproc = int(spread.number_input("Devices (GPUs)", min_value=1, max_value=gpus, value=1, step=1,
                                        key="train.devices", help="More than 1 trains over several GPUs with "
                                        "torchrun (DistributedDataParallel); the batch size stays the global batch."))
    start, args = (train_job.start_training, ()) if nproc == 1 else (train_job.start_parallel, (nproc,))
    train.button("Train", type="primary", on_click=start, args=args, disabled=reason is not None,
                 help=reason or "Train the draft recipe in the background.", key="train.start", width="stretch")
    if nproc > 1:
        pause.caption("A run over several devices can be stopped, not paused.")
    pause.button("Pause", disabled=status != RunStatus.RUNNING, key="train.pause", width="stretch",
                 on_click=handle.job.pause if handle else None)
    resume.button("Resume", disabled=status != RunStatus.PAUSED, key="train.resume", width="stretch",
                  on_click=handle.job.resume if handle else None)
    stop.button("Stop", disabled=not active, key="train.stop", width="stretch",
                on_click=handle.job.stop if handle else None)
    if blocked:
        st.warning(f"Training is blocked: {md(blocked)}")
    refused = state.widget_error(train_job.START_ERROR)
    if refused:
        st.error(md(refused))


def _curves(snap: JobSnapshot, running: bool) -> None:
    events = snap.events
    name = METRIC_LABELS.get(live.metric_name(events), "metric")
    weight = st.slider("Smoothing of the per-batch loss", 0.0, 0.99, SMOOTHING, 0.01, key="train.smoothing",
                       help="TensorBoard's smoothing: a debiased exponential moving average (0 shows the raw "
                            "losses, the faint curve). The epoch still running shows a point every fraction of a "
                            "second, the mean of its batches since the previous point.")
    steps, losses = batch_curve(live.epoch_batch_losses(events), snap.batch_losses)
    # While the run goes on, the chart is redrawn (and re-mounted) at every poll, which resets any
    # zoom anyway: drawn static it costs the browser less CPU, which training shares on a laptop.
    config = {"staticPlot": True} if running else {}
    st.plotly_chart(figures.live_curves(live.epoch_frame(events), name, steps, losses, smooth(losses, weight)),
                    key="train.live.curves", config=config)


def _test_metrics(handle: RunHandle) -> None:
    result = getattr(handle.job, "result", None)
    summary = getattr(result, "summary", None)
    run_dir = train_job.run_dir_of(handle)
    if summary is None and run_dir is not None and RunDir(run_dir).has(RunDir.SUMMARY):
        summary = run_summary(run_dir)
    scalars = summary.test_scalars() if summary is not None else {}
    if not scalars:
        return
    st.subheader("Test metrics")
    for col, (name, value) in zip(st.columns(len(scalars)), scalars.items(), strict=True):
        col.metric(name.replace("_", " "), f"{value:.4f}")
    if run_dir is not None:
        st.caption(f"Saved as run {md(run_dir.name)}. Evaluate and Export use it.")


def _panel(was_active: bool, was_queued: bool = False) -> None:
    handle = train_job.current()
    if handle is None:
        run_id = state.get_run_id()
        if run_id:
            st.info(f"Run {md(run_id)} is not running in this server; finished runs are on the Evaluate page.")
        else:
            st.info("No run yet: press Train.")
        return
    if not was_active and train_job.is_active(handle):
        st.rerun(scope="app")  # "Continue training" (a button in this fragment) started a run: poll it
    if train_job.is_queued(handle):
        st.markdown(f"**Run** {md(handle.name)} · status: **queued**")
        st.info(queue_view.text(handle))
        return
    if was_queued:
        st.rerun(scope="app")  # it left the queue: enable Pause, poll at the live rate (or show the end)
    snap = handle.job.snapshot()
    prog = live.progress(snap.events, snap.last_batch)
    st.markdown(f"**Run** {md(handle.name)} · status: **{snap.status}**")
    st.progress(prog.fraction, text=prog.text())
    running = train_job.is_active(handle)
    _curves(snap, running)
    run_dir = train_job.run_dir_of(handle)
    summary = RunDir(run_dir).read_summary() if run_dir is not None and RunDir(run_dir).has(RunDir.SUMMARY) else None
    if "boundary" in snap.latest:
        counts = (summary.extra.get("class_counts") if summary is not None else None) or {}
        boundary_view.show(snap.latest["boundary"], list(counts), running, "train.live")
    if "histograms" in snap.latest:
        histograms.section(snap.latest["histograms"], "train", running)
    found = diagnoses.find(live.epoch_frame(snap.events), run_dir, summary, snap.latest.get("health"))
    if diagnoses.show(found, run_dir, "train"):
        st.rerun(scope="app")  # the settings above show the new draft
    if not train_job.is_active(handle):
        message = (snap.finished or {}).get("message") or snap.error or f"The run ended: {snap.status}."
        shown = snap.error if snap.status == RunStatus.FAILED and snap.error else message
        FINAL.get(snap.status, st.info)(md(shown))
        _test_metrics(handle)
        run_dir = train_job.run_dir_of(handle)
        if run_dir is not None and snap.status != RunStatus.FAILED:
            continue_run.section(run_dir, "train")
    if was_active and not train_job.is_active(handle):
        st.rerun(scope="app")  # stop polling and redraw the buttons


def page() -> None:
    st.title("Train")
    recipe = state.get_recipe()
    opt_tab, reg_tab, run_tab = st.tabs(["Optimizer & schedule", "Regularization", "Epochs & device"])
    with opt_tab:
        left, right = st.columns(2)
        with left:
            train_settings.optimizer()
        with right:
            train_settings.schedule()
    with reg_tab:
        train_settings.regularization()
    with run_tab:
        train_settings.training()
        start_from.section()
    st.divider()
    handle = train_job.current()
    # Read once per run: the job can end between two reads, and the buttons and the polling must
    # agree (a Train button drawn disabled while polling is off would stay disabled).
    active = train_job.is_active(handle)
    queued = train_job.is_queued(handle)
    _controls(handle, active, state.train_blocked_reason())
    st.caption(f"Draft {md(recipe.name)}: {recipe.training.epochs} epochs, batch {recipe.training.batch_size}. "
               "The run goes on if you switch pages or refresh.")
    boundary_view.setting(recipe, train_job.boundary_probe(handle) if active else None)
    live_poll = live.poll_seconds(fast=train_job.redraws_fast(handle))  # 2-D data's boundary: 2 redraws a second
    poll = (queue_view.QUEUE_POLL if queued else live_poll) if active else None
    st.fragment(_panel, run_every=poll)(active, queued)
    with st.expander("Compare two variants (A/B)", expanded=state.get_pair_ids() is not None):
        ab_compare.section()


page()
