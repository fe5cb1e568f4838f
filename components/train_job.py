"""Starting a training Job from the draft recipe and finding this tab's run again.

The Job's target is the engine's one call, :func:`studio.pipeline.train_recipe`, with the Job's
control (pause/stop), a Relay that hands every event to the Job, this session's data access (the
files its recipe may read) and its user key (recorded in the run's owner.json, so that only this
browser lists the run). The run directory, once the
engine has made it, is kept in the registry handle's ``info`` so that Evaluate and Export find it.
Nothing here runs on the training thread except the target itself, which never touches ``st``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from components import engine, jobs, state
from components.settings import runs_dir
from studio.data.access import DataAccess
from studio.errors import StudioError
from studio.recipe import Recipe
from studio.status import RunStatus
from studio.train.boundary import BoundaryProbe
from studio.train.callbacks import Relay
from studio.train.job import Job, JobControl

FIRST_POINT_WAIT = 0.4  # seconds the Train click may wait for the first epoch


def _target(recipe: Recipe, root: Path, info: dict[str, Any], prepared: Any, access: DataAccess,
            user: str, resume: Any = None) -> Any:
    """The Job's body; everything it needs from the session is passed in (it runs on another thread)."""
    from studio.pipeline import train_recipe

    def run(control: JobControl) -> Any:
        def remember(path: Path) -> None:
            info["run_dir"] = str(path)

        return train_recipe(recipe, runs_root=root, callbacks=[Relay(control.emit)], control=control,
                            on_run_dir=remember, prepared=prepared, access=access, user=user, resume=resume,
                            probes=[BoundaryProbe()])  # it stays quiet unless the data is 2-D

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
    _start(plan.recipe, plan)


def start_parallel(nproc: int) -> None:
    """Button callback: train the draft over ``nproc`` GPUs (``studio train --nproc``, a subprocess)."""
    from components import parallel_job

    recipe = state.get_recipe()
    info: dict[str, Any] = {}
    job = Job(parallel_job.target(recipe, state.upload_dir(), runs_dir(), nproc, info, state.user_key()),
              name=recipe.name)
    handle = jobs.registry().add(state.owner_token(), job, recipe.name)
    handle.info = info
    state.set_run_id(handle.run_id)
    job.start()


def launch(recipe: Recipe, resume: Any = None) -> jobs.RunHandle:
    """File a job training ``recipe`` under this session's owner and start it (it is not made this tab's
    run: :func:`_start` does that; the A/B comparison starts two this way)."""
    try:
        prepared = engine.prepared(recipe)  # cached: the page has prepared it already
    except StudioError:
        prepared = None  # train_recipe raises the same sentence, shown as the run's failure
    info: dict[str, Any] = {}
    job = Job(_target(recipe, runs_dir(), info, prepared, state.data_access(), state.user_key(), resume),
              name=recipe.name)
    handle = jobs.registry().add(state.owner_token(), job, recipe.name)
    handle.info = info
    job.start()
    return handle


def _start(recipe: Recipe, resume: Any = None) -> None:
    handle = launch(recipe, resume)
    state.set_run_id(handle.run_id)
    # Small recipes finish their first epoch in tens of milliseconds: waiting a moment here lets the
    # rerun that follows this click draw the first point, instead of the next poll half a second later.
    handle.job.wait_for_event("epoch", timeout=FIRST_POINT_WAIT)


def current() -> jobs.RunHandle | None:
    """This tab's run in this server, if it belongs to this tab's owner (else None)."""
    run_id = state.get_run_id()
    return jobs.registry().get(run_id, owner=state.owner_token())


def is_active(handle: jobs.RunHandle | None) -> bool:
    return handle is not None and RunStatus.parse(handle.job.status).active


def run_dir_of(handle: jobs.RunHandle | None) -> Path | None:
    """The run directory of a handle, once training has created it."""
    if handle is None or not handle.info.get("run_dir"):
        return None
    return Path(handle.info["run_dir"])
