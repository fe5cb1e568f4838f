"""Starting a training Job from the draft recipe and finding this tab's run again.

The Job's target is the engine's one call, :func:`studio.pipeline.train_recipe`, with the Job's
control (pause/stop), a Relay that hands every event to the Job, this session's data access (the
files its recipe may read) and its user key (recorded in the run's owner.json, so that only this
browser lists the run). The run directory, once the
engine has made it, is kept in the registry handle's ``info`` so that Evaluate and Export find it.
Nothing here runs on the Job's thread except the target itself, which never touches ``st``; by
default it trains in a worker process (:mod:`studio.train.worker`) and only relays, so the server's
interpreter lock stays with the pages (``$STUDIO_TRAIN_IN=thread``: it trains on the Job's thread).

Jobs go through the registry's queue (:meth:`components.jobs.JobRegistry.submit`): a run starts at
once when the server has a free slot, else it waits ``queued`` (the Train page shows its place).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from components import boundary_view, engine, jobs, state
from components.settings import runs_dir, train_in_process, train_nice
from studio.data.access import DataAccess
from studio.errors import JobLimitError, StudioError
from studio.recipe import Recipe
from studio.status import RunStatus
from studio.train.boundary import BoundaryProbe
from studio.train.callbacks import Relay
from studio.train.cpu_share import sharers
from studio.train.job import Job, JobControl
from studio.train.plane import redrawn_fast
from studio.train.worker import WorkerCall, train_in_worker
from studio.train.worker import ready as worker_ready

FIRST_POINT_WAIT = 0.4  # seconds the Train click may wait for the first epoch
START_ERROR = "train.start"  # the widget error key of a Train click the server's caps refused


def _target(recipe: Recipe, root: Path, info: dict[str, Any], prepared: Any, access: DataAccess,
            user: str, resume: Any = None, probe: BoundaryProbe | None = None) -> Any:
    """The Job's body; everything it needs from the session is passed in (it runs on another thread)."""
    from studio.pipeline import train_recipe

    probe = probe or BoundaryProbe()  # quiet unless a classifier of rows of inputs

    def run(control: JobControl) -> Any:
        def remember(path: Path) -> None:
            info["run_dir"] = str(path)

        # In a worker: the server's interpreter lock stays with its pages. Not before the workers are
        # ready (seconds after the server's first page load), nor where they would be spawned.
        if train_in_process() and worker_ready():
            call = WorkerCall(recipe, root, prepared, access, user, resume, probe, sharers(), train_nice())
            return train_in_worker(call, control, probe, remember)
        return train_recipe(recipe, runs_root=root, callbacks=[Relay(control.emit)], control=control,
                            on_run_dir=remember, prepared=prepared, access=access, user=user, resume=resume,
                            probes=[probe])

    return run


def start_training() -> None:
    """Button callback: train the draft recipe in the background and make it this tab's run."""
    _start(state.get_recipe())


def continue_run(run_dir: Path, more: int, error_key: str) -> None:
    """Button callback: continue ``run_dir`` for ``more`` epochs as a new run, this tab's run; a run that
    cannot go on leaves its sentence as the widget error ``error_key``."""
    from studio.runs.resume import plan_resume

    state.clear_widget_error(error_key)
    try:
        plan = plan_resume(run_dir, more)
    except StudioError as err:
        state.set_widget_error(error_key, str(err))
        return
    _start(plan.recipe, plan, error_key)


def start_parallel(nproc: int) -> None:
    """Button callback: train the draft over ``nproc`` GPUs (``studio train --nproc``, a subprocess)."""
    from components import parallel_job

    recipe = state.get_recipe()
    info: dict[str, Any] = {}
    job = Job(parallel_job.target(recipe, state.upload_dir(), runs_dir(), nproc, info, state.user_key()),
              name=recipe.name)
    _submit(job, recipe.name, info)


def _new_job(recipe: Recipe, resume: Any = None) -> tuple[Job, dict[str, Any]]:
    """A Job training ``recipe`` for this session, not started, and the dict its target fills (run_dir)."""
    try:
        prepared = engine.prepared(recipe)  # cached: the page has prepared it already
    except StudioError:
        prepared = None  # train_recipe raises the same sentence, shown as the run's failure
    probe = boundary_view.probe(prepared)  # the plane the page's widgets ask for
    info: dict[str, Any] = {"boundary_probe": probe, "boundary": prepared is not None and redrawn_fast(prepared)}
    job = Job(_target(recipe, runs_dir(), info, prepared, state.data_access(), state.user_key(), resume, probe),
              name=recipe.name)
    return job, info


def submit_group(recipes: list[Recipe]) -> list[jobs.RunHandle]:
    """Hand jobs training ``recipes`` to the server's queue as ONE share of this session (the A/B
    comparison's two runs: each starts when a slot frees); they are not made this tab's run.
    Raises JobLimitError when this session already has its share."""
    made = [_new_job(recipe) for recipe in recipes]
    handles = jobs.registry().submit_group(state.owner_token(),
                                           [(job, recipe.name) for (job, _), recipe in zip(made, recipes, strict=True)])
    for handle, (_, info) in zip(handles, made, strict=True):
        handle.info = info
    return handles


def _start(recipe: Recipe, resume: Any = None, error_key: str = START_ERROR) -> None:
    job, info = _new_job(recipe, resume)
    if _submit(job, recipe.name, info, error_key) and job.status == RunStatus.RUNNING:
        # Small recipes finish their first epoch in tens of milliseconds: waiting a moment here lets the
        # rerun that follows this click draw the first point, instead of the next poll half a second later.
        job.wait_for_event("epoch", timeout=FIRST_POINT_WAIT)


def _submit(job: Job, name: str, info: dict[str, Any], error_key: str = START_ERROR) -> bool:
    """Hand ``job`` to the server's queue (it starts now or waits its turn) as this tab's run; False,
    with the sentence as the widget error ``error_key``, when this session already has its share."""
    state.clear_widget_error(error_key)
    try:
        handle = jobs.registry().submit(state.owner_token(), job, name)
    except JobLimitError as err:
        state.set_widget_error(error_key, str(err))
        return False
    handle.info = info  # the same dict the target fills (the run directory), whether it started or waits
    state.set_run_id(handle.run_id)
    return True


def current() -> jobs.RunHandle | None:
    """This tab's run in this server, if it belongs to this tab's owner (else None)."""
    run_id = state.get_run_id()
    return jobs.registry().get(run_id, owner=state.owner_token())


def is_active(handle: jobs.RunHandle | None) -> bool:
    return handle is not None and RunStatus.parse(handle.job.status).active


def boundary_probe(handle: jobs.RunHandle | None) -> BoundaryProbe | None:
    """The live decision boundary's probe of a run this page started (None for other runs)."""
    return handle.info.get("boundary_probe") if handle is not None else None


def redraws_fast(handle: jobs.RunHandle | None) -> bool:
    """Whether a run draws the live decision boundary of 2-D data (the page then polls faster,
    :func:`studio.train.plane.redrawn_fast`)."""
    return bool(handle is not None and handle.info.get("boundary"))


def is_queued(handle: jobs.RunHandle | None) -> bool:
    return handle is not None and handle.job.status == RunStatus.QUEUED


def session_full() -> str | None:
    """Why this session may not start another run now (its share of the server's runs is taken), or None."""
    reg = jobs.registry()
    cap = reg.max_per_owner
    if reg.going(state.owner_token()) < cap:
        return None
    runs = "a run" if cap == 1 else f"{cap} runs"
    return f"this session has {runs} queued or training (the most this server allows): stop it or wait for it to end"


def run_dir_of(handle: jobs.RunHandle | None) -> Path | None:
    """The run directory of a handle, once training has created it."""
    if handle is None or not handle.info.get("run_dir"):
        return None
    return Path(handle.info["run_dir"])
