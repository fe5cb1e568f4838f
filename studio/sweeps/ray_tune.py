"""Trials through Ray Tune: OptunaSearch draws the values (in the sweep's own study), Ray runs the trials.

``--ray local`` starts a Ray on this machine (``num_cpus`` = ``--parallel``, no dashboard, its files
in a fresh temp folder removed at the end); any other value is a cluster's address (``host:port``,
``ray://host:port``, ``auto``), checked with a 5 s connection attempt before anything is written.
Each trial is :func:`studio.sweeps.trial.run_trial`, the same as a local trial: it reports its
epochs to the study itself and is pruned by the sweep's Optuna pruner, so its run directory ends
``stopped`` with a message instead of being killed. On a cluster of several machines the sweep
folder (the SQLite study and the run directories) must be on a file system every node mounts at
the same path.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from studio.errors import RecipeError, StudioError, quote
from studio.sweeps.study import STUDY_NAME, storage
from studio.sweeps.trial import TrialOutcome

CONNECT_TIMEOUT_S = 5.0
TRIAL_ID, NUMBER = "_studio_trial_id", "_studio_trial_number"
INSTALL = 'install it with `pip install -e ".[ray]"` (or `pip install "ray[tune]"`), or leave out --ray'


@dataclass
class RaySession:
    """A Ray this sweep connected to (and started, for ``local``); :meth:`close` in a ``finally``."""

    address: str
    temp_dir: Path | None

    def close(self) -> None:
        import ray

        with contextlib.suppress(Exception):
            ray.shutdown()
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)


def import_ray() -> Any:
    """``ray`` with ``ray.tune``, or a StudioError that says how to install them."""
    try:
        import ray
        import ray.tune  # ray[default] alone lacks what Tune needs
    except ImportError as err:
        raise StudioError(f"--ray needs Ray Tune, which is not installed here ({err.name or err}); {INSTALL} "
                          "to run trials as local processes") from None
    return ray


def connect(address: str, parallel: int, out: Path) -> RaySession:
    """Start a local Ray (``local``) or join a cluster; a StudioError when it cannot be reached."""
    ray = import_ray()
    address = address.strip()
    if not address:
        raise StudioError("--ray is empty; give a cluster's address (host:port, ray://host:port, auto) or local")
    if address == "local":
        # Ray's Unix sockets live under its temp dir, and a socket path has a 107-character limit: a
        # short fresh folder, not one inside a (possibly deep) sweep folder
        temp = Path(tempfile.mkdtemp(prefix="studio-ray-"))
        root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
        try:
            ray.init(num_cpus=parallel, include_dashboard=False, _temp_dir=str(temp), log_to_driver=False,
                     runtime_env={"env_vars": {"PYTHONPATH": path}}, configure_logging=False)
        except Exception as err:
            shutil.rmtree(temp, ignore_errors=True)
            raise StudioError(f"could not start a local Ray ({type(err).__name__}: {str(err)[:150]})") from None
        return RaySession("local", temp)
    if address != "auto":
        _reachable(address)
    try:
        ray.init(address=address, log_to_driver=False, configure_logging=False)
    except Exception as err:
        raise StudioError(f"could not join the Ray cluster at {quote(address, 80)} ({type(err).__name__}: "
                          f"{str(err)[:120]}); start one with `ray start --head`, or use --ray local") from None
    return RaySession(address, None)


def _reachable(address: str) -> None:
    parts = urlsplit(address if "://" in address else f"ray://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or not port:
        raise StudioError(f"--ray {quote(address, 80)} is not an address; give host:port (e.g. 10.0.0.5:6379), "
                          "ray://host:10001, auto, or local")
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as err:
        reason = "no answer" if isinstance(err, TimeoutError) else (err.strerror or type(err).__name__).lower()
        raise StudioError(f"cannot reach a Ray cluster at {quote(address, 80)} within {CONNECT_TIMEOUT_S:.0f} s "
                          f"({reason}); start one with `ray start --head`, check the address, or use --ray "
                          "local") from None


def run_ray(study: Any, ctx: Any, todo: int, parallel: int, on_outcome: Callable[[TrialOutcome], None],
            seed: int, session: RaySession) -> int:
    """Run ``todo`` trials through a Tuner; returns how many ended."""
    from ray import tune
    from ray.tune.search import ConcurrencyLimiter

    searcher = _searcher_class()(space=_Draw(ctx.space.params), metric="value",
                                 mode="max" if study.direction.name == "MAXIMIZE" else "min",
                                 sampler=study.sampler, study_name=STUDY_NAME, storage=storage(ctx.folder.storage_url))
    static = {"recipe": ctx.recipe.to_dict(), "name": ctx.recipe.name, "paths": ctx.space.paths,
              "url": ctx.folder.storage_url, "runs": str(ctx.folder.runs), "access": ctx.access,
              "pruner": ctx.pruner}
    relay = _relay_class()(on_outcome)
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")  # with verbose=0: no tables on stdout
    tuner = tune.Tuner(
        tune.with_resources(tune.with_parameters(_ray_trial, static=static), {"cpu": 1}),
        tune_config=tune.TuneConfig(search_alg=ConcurrencyLimiter(searcher, max_concurrent=parallel),
                                    num_samples=todo, reuse_actors=True),
        run_config=tune.RunConfig(name=f"sweep-{time.strftime('%Y%m%d-%H%M%S')}",
                                  storage_path=str((ctx.folder.path / ctx.folder.RAY).resolve()),
                                  callbacks=[relay], verbose=0),
    )
    tuner.fit()
    return relay.ended


def _relay_class() -> type:
    from ray import tune

    class Relay(tune.Callback):
        """Tells the sweep of each trial's end (in the driver). Tune pickles its callbacks into its
        experiment state; the copy is never called, so the sweep's function stays out of it."""

        def __init__(self, on_outcome: Callable[[TrialOutcome], None] | None) -> None:
            self.on_outcome, self.ended = on_outcome, 0

        def __getstate__(self) -> dict[str, Any]:
            return {"on_outcome": None, "ended": self.ended}

        def on_trial_complete(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
            self._tell(_outcome(trial.last_result or {}, trial.config))

        def on_trial_error(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
            self._tell(TrialOutcome(int(trial.config.get(NUMBER, -1)), "failed", None, None,
                                    "the trial's Ray worker failed", 0.0))

        def _tell(self, outcome: TrialOutcome) -> None:
            self.ended += 1
            if self.on_outcome is not None:
                self.on_outcome(outcome)

    return Relay


class _Draw:
    """OptunaSearch's space (define-by-run): draw each parameter from the trial, and hand the trial's id
    to the worker, which reports its epochs and asks the pruner itself."""

    def __init__(self, params: Any) -> None:
        self.params = params

    def __call__(self, trial: Any) -> dict[str, Any]:
        for p in self.params:
            if p.kind == "choice":
                trial.suggest_categorical(p.path, list(p.args))
            elif p.kind == "int_uniform":
                trial.suggest_int(p.path, p.args[0], p.args[1])
            else:
                trial.suggest_float(p.path, p.args[0], p.args[1], log=p.kind == "log_uniform")
        return {TRIAL_ID: int(trial.ot_trial._trial_id), NUMBER: trial.ot_trial.number}


def _searcher_class() -> type:
    from ray.tune.search.optuna import OptunaSearch

    class StudioOptunaSearch(OptunaSearch):
        """The trial reports its epochs to the study itself; the end is told with the right state."""

        def on_trial_result(self, trial_id: str, result: dict[str, Any]) -> None:
            return None

        def on_trial_complete(self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False) -> None:
            result = dict(result or {})
            status = result.get("status")
            if status != "completed" and status != "early_stopped":  # pruned: no value; failed, stopped: error
                result.pop("value", None)
                error = error or status != "pruned"
            super().on_trial_complete(trial_id, result, error)

        def save(self, checkpoint_path: str) -> None:
            return None  # the study in SQLite is the sweep's state; a resumed sweep reads it from there

        def restore(self, checkpoint_path: str) -> None:
            return None

    return StudioOptunaSearch


def _ray_trial(config: dict[str, Any], static: dict[str, Any]) -> None:
    """A Ray Tune trainable: the trial's recipe, trained by run_trial; one report at the end."""
    from ray import tune

    from studio.recipe import Recipe
    from studio.sweeps.apply import apply_params
    from studio.sweeps.trial import TrialTask, run_trial

    number = int(config[NUMBER])
    values = {p: config[p] for p in static["paths"]}
    try:
        recipe = apply_params(Recipe.from_dict(static["recipe"]), values, name=f"{static['name']}-trial-{number}")
    except RecipeError as err:
        tune.report({"value": math.nan, "status": "failed", "message": str(err)[:500], "run_dir": "",
                     "seconds": 0.0, NUMBER: number})
        return
    task = TrialTask(static["url"], int(config[TRIAL_ID]), number, recipe.to_dict(), static["runs"],
                     static["access"], static["pruner"])
    out = run_trial(task)
    tune.report({"value": math.nan if out.value is None else out.value, "status": out.status,
                 "message": out.message[:500], "run_dir": out.run_dir or "", "seconds": out.seconds,
                 "pruned": out.pruned, NUMBER: number})


def _outcome(result: dict[str, Any], config: dict[str, Any]) -> TrialOutcome:
    value = result.get("value")
    value = float(value) if isinstance(value, int | float) and math.isfinite(value) else None
    return TrialOutcome(int(config.get(NUMBER, -1)), str(result.get("status", "failed")), value,
                        result.get("run_dir") or None, str(result.get("message", "")),
                        float(result.get("seconds", 0.0) or 0.0), bool(result.get("pruned", False)))
