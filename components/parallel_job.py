"""Data-parallel training from the app: the draft runs as `studio train --nproc N` (torchrun, one process
per GPU) in a subprocess, and its epochs stream back to the same live charts from the run's metrics.csv.

Offered only where several GPUs exist (:func:`devices`). The recipe is written into this session's
upload folder, so a ``csv:NAME`` it reads resolves there, as in the app; the run belongs to this
browser (``STUDIO_RUN_USER``). Stop sends the processes SIGINT: they end their batch and save the
run as ``stopped``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from studio.atomic import write_text_atomic
from studio.errors import TrainingError
from studio.recipe import Recipe
from studio.runs import RunDir
from studio.train.events import EpochEnd, Started
from studio.train.job import JobControl
from studio.train_cli import RUN_USER_ENV

POLL = 0.5


def devices() -> int:
    """GPUs a run could spread over here (0 or 1: the choice is not offered)."""
    from studio.parallel.checks import gpu_count

    return gpu_count()


def _new_run(root: Path, before: set[str]) -> Path | None:
    if not root.is_dir():
        return None
    fresh = [p for p in root.iterdir() if p.name not in before and (p / RunDir.SUMMARY).is_file()]
    return max(fresh, key=lambda p: p.name) if fresh else None


def _epochs(run: Path, emitted: int, metric: str) -> list[EpochEnd]:
    rows = RunDir(run).history()
    out = []
    for row in rows.iloc[emitted:].to_dict("records"):
        num = {k: None if v is None or v != v else float(v) for k, v in row.items()}  # NaN: not measured
        out.append(EpochEnd(int(row["epoch"]), float(row["train_loss"]), num["val_loss"], num["train_metric"],
                            num["val_metric"], metric, float(row["lr"]), float(row["seconds"]), 0.0))
    return out


def target(recipe: Recipe, folder: Path, root: Path, nproc: int, info: dict[str, Any], user: str) -> Any:
    """The Job's body: launch, follow metrics.csv, stop on request; returns the run directory."""

    def run(control: JobControl) -> Path | None:
        recipe_file = folder / f"parallel-{os.getpid()}-{int(time.time() * 1000)}.json"
        write_text_atomic(recipe_file, recipe.to_json())
        root.mkdir(parents=True, exist_ok=True)
        before = {p.name for p in root.iterdir()}
        env = {**os.environ, RUN_USER_ENV: user}
        proc = subprocess.Popen([sys.executable, "-m", "studio", "train", str(recipe_file), "--nproc", str(nproc),
                                 "--out", str(root), "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, env=env, start_new_session=True)
        metric = "accuracy" if recipe.data.task != "regression" else "r2"
        control.emit(Started(recipe.training.epochs, 0, 0, 0, f"{nproc} processes (torchrun)", "auto"))
        emitted, stopped, run_dir = 0, False, None
        try:
            while proc.poll() is None:
                if not stopped and not control.checkpoint():
                    os.killpg(proc.pid, signal.SIGINT)
                    stopped = True
                run_dir = run_dir or _new_run(root, before)
                if run_dir is not None:
                    info["run_dir"] = str(run_dir)
                    for event in _epochs(run_dir, emitted, metric):
                        control.emit(event)
                        emitted += 1
                time.sleep(POLL)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            error = (proc.communicate()[1] or "").strip().splitlines()
            recipe_file.unlink(missing_ok=True)
        run_dir = run_dir or _new_run(root, before)
        if run_dir is not None:
            info["run_dir"] = str(run_dir)
            for event in _epochs(run_dir, emitted, metric):
                control.emit(event)
        if proc.returncode not in (0, 130) and not stopped:
            raise TrainingError((error[-1] if error else f"the processes ended with status {proc.returncode}")
                                .removeprefix("error: "))
        return run_dir

    return run
