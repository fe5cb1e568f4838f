"""The embedded way to run trials: local worker processes, K at once, fed by Optuna's ask and tell.

The sweep's process asks the study for a trial (TPE draws its values), puts the values into the
recipe and hands the trial to a process pool. The
worker trains it (:func:`studio.sweeps.trial.run_trial`), reporting epochs to the same SQLite
storage; the sweep's process tells the trial's end. A stop (Ctrl-C, or the app's Stop) asks the
running trials to stop after their batch; they are saved as ``stopped`` and run again on resume.

Starting a worker as a fresh interpreter (importing torch and scikit-learn, 3 s, then torch._dynamo,
which the first ``torch.optim`` step imports, 1 s more) takes longer than a short trial. So where it
is safe the workers are forked from the sweep's process once it has imported the training code (the
command line, a script): they start in milliseconds and share its pages, and take their first
optimizer step while the sweep's process opens the study. It is not safe in a process with other
threads (the app's server: a lock another thread holds at the fork stays held in the child) or once
CUDA is initialised; there they start from the training workers' forkserver (one clean process that
imported the training code once: :mod:`studio.train.worker`), or are spawned where there is none.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.trial import TrialState

from studio.errors import RecipeError, TrainingError
from studio.sweeps.apply import apply_params
from studio.sweeps.study import trial_id
from studio.sweeps.trial import TrialOutcome, TrialTask, run_trial
from studio.train.worker import context, without_main_script

POLL_S = 0.25
_STOP: Any = None  # in a worker: the sweep's stop event


def _init_worker(stop: Any) -> None:
    global _STOP
    _STOP = stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the sweep's process, which sets `stop`
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker must not keep the command's handler
    import studio.pipeline  # noqa: F401  (torch and the rest once per process, not in the first trial's time)

    _first_step()


def _first_step() -> None:
    """One optimizer step on one number: the first ``torch.optim`` step imports torch._dynamo (about 1 s),
    here while the sweep's process opens the study, not in the first trial."""
    import torch

    weight = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.Adam([weight])
    (weight * 2).sum().backward()
    optimizer.step()


def _warm_imports() -> None:
    """The training code every worker imports, imported once here so that forked workers inherit it."""
    import studio.pipeline  # noqa: F401


def _work(task: TrialTask) -> TrialOutcome:
    return run_trial(task, should_stop=_STOP.is_set)


def _ready() -> None:
    """A task that only makes the pool start a worker now."""


@dataclass
class Workers:
    """A started pool of ``parallel`` worker processes and the event that asks their trials to stop."""

    pool: ProcessPoolExecutor
    stop: Any
    parallel: int
    method: str = "spawn"  # how the processes were started: "fork", "forkserver" or "spawn"

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def can_fork() -> bool:
    """Whether worker processes may be forked from this one: Linux, no other Python thread, no CUDA."""
    if sys.platform != "linux" or threading.active_count() > 1:
        return False
    torch = sys.modules.get("torch")
    return torch is None or not torch.cuda.is_initialized()


def start_workers(parallel: int) -> Workers:
    """Start ``parallel`` worker processes now: forked from this process after it has imported the
    training code (:func:`can_fork`), else from the training workers' forkserver, which has imported it
    already (:func:`studio.train.worker.context`; spawned where there is none: each imports it then)."""
    if can_fork():
        _warm_imports()
        mpc = mp.get_context("fork")
    else:
        mpc = context()
    stop = mpc.Event()
    pool = ProcessPoolExecutor(max_workers=parallel, mp_context=mpc, initializer=_init_worker, initargs=(stop,))
    with without_main_script():  # (a fork copies the main module; the others would import it again)
        for _ in range(parallel):  # each submit starts one process while none is idle
            pool.submit(_ready)
    return Workers(pool, stop, parallel, mpc.get_start_method())


def run_local(study: optuna.Study, ctx: Any, todo: int, workers: Workers, on_outcome: Callable[[TrialOutcome], None],
              should_stop: Callable[[], bool]) -> int:
    """Run ``todo`` trials on ``workers``, ``workers.parallel`` at once; returns how many ended. ``ctx``: the
    sweep context (recipe, space, folder, access, pruner, name) from :mod:`studio.sweeps.run`. The caller
    closes ``workers``."""
    pool, stop, parallel = workers.pool, workers.stop, workers.parallel
    running: dict[Future[TrialOutcome], optuna.Trial] = {}
    ended: list[TrialOutcome] = []  # told to the study, not yet to on_outcome (the next trial starts first)
    asked = told = 0

    def flush() -> None:
        nonlocal told
        for outcome in ended[told:]:
            told += 1
            on_outcome(outcome)

    try:
        while asked < todo or running:
            while len(running) < parallel and asked < todo and not should_stop():
                trial = study.ask(ctx.space.distributions())
                asked += 1
                task = _task(ctx, trial)
                if isinstance(task, TrialOutcome):  # the recipe refused the drawn values
                    _tell(study, trial, task)
                    ended.append(task)
                    continue
                try:
                    running[pool.submit(_work, task)] = trial
                except BrokenProcessPool:
                    _tell(study, trial, TrialOutcome(trial.number, "stopped", None, None, "", 0.0))
                    raise TrainingError("the sweep's worker processes ended before training (see the log above "
                                        "for why); the sweep folder keeps what ended, run it again to "
                                        "continue") from None
            flush()
            if should_stop():
                stop.set()
                todo = asked
            if not running:
                continue
            done, _ = wait(list(running), timeout=POLL_S, return_when=FIRST_COMPLETED)
            for future in done:
                trial = running.pop(future)
                outcome = _outcome(future, trial)
                _tell(study, trial, outcome)
                ended.append(outcome)
        flush()
    except BaseException:
        stop.set()  # Ctrl-C or an error: the trials stop after their batch and are saved
        for future, trial in running.items():
            try:
                outcome = future.result()
            except BaseException:
                continue
            _tell(study, trial, outcome)
            ended.append(outcome)
        flush()
        raise
    return len(ended)


def _task(ctx: Any, trial: optuna.Trial) -> TrialTask | TrialOutcome:
    try:
        recipe = apply_params(ctx.recipe, trial.params, name=f"{ctx.recipe.name}-trial-{trial.number}")
    except RecipeError as err:
        trial.set_user_attr("run_status", "failed")
        trial.set_user_attr("message", str(err)[:500])
        return TrialOutcome(trial.number, "failed", None, None, str(err), 0.0)
    return TrialTask(ctx.folder.storage_url, trial_id(trial), trial.number, recipe.to_dict(), str(ctx.folder.runs),
                     ctx.access, ctx.pruner)


def _outcome(future: Future[TrialOutcome], trial: optuna.Trial) -> TrialOutcome:
    try:
        return future.result()
    except Exception as err:  # the worker process died (killed, out of memory)
        message = f"the trial's process ended without a result ({type(err).__name__}: {err})"
        trial.set_user_attr("run_status", "failed")
        trial.set_user_attr("message", message[:500])
        return TrialOutcome(trial.number, "failed", None, None, message, 0.0)


def _tell(study: optuna.Study, trial: optuna.Trial, outcome: TrialOutcome) -> None:
    if outcome.pruned:
        study.tell(trial, state=TrialState.PRUNED, skip_if_finished=True)
    elif outcome.value is not None and outcome.status != "stopped":
        study.tell(trial, outcome.value, skip_if_finished=True)
    else:  # failed, or stopped by the sweep's stop (interrupted: it runs again on resume)
        study.tell(trial, state=TrialState.FAIL, skip_if_finished=True)
