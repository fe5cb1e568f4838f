"""A process that exits with training jobs running stops them first (no browser: the server's exit path).

Streamlit's SIGINT/SIGTERM handler stops the server and lets the main thread return; these scripts
do the same with a job running in the registry, then the interpreter exits. Before, the daemon
training thread was torn down inside torch: "terminate called without an active exception", a
core dump, and a run left "running". tests/e2e/test_shutdown.py does it through a real server.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pytest
import streamlit as st

from components import jobs
from studio.status import RunStatus
from studio.train.job import Job
from tests.conftest import ROOT, preset_dict

# Starts one job in the registry and lets the main thread end once it is under way.
SCRIPT = """
import json, sys, time
from pathlib import Path
from components import jobs
from studio.status import RunStatus
from studio.train.job import Job
from studio.train.job import Job

root, mode, wait = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
jobs.STOP_WAIT = wait

def train(control):
    from studio.pipeline import train_recipe
    from studio.recipe import Recipe
    from studio.train.callbacks import Relay
    recipe = Recipe.from_dict(json.loads((root / "recipe.json").read_text()))
    return train_recipe(recipe, runs_root=root / "runs", callbacks=[Relay(control.emit)], control=control)

def stubborn(control):  # never looks at its control: only the exit's time limit ends it
    import torch
    x = torch.randn(192, 192)
    control.emit({"event": "epoch"})
    while True:
        x = torch.tanh(x @ x)

job = Job(train if mode == "train" else stubborn, name=mode)
jobs.registry().add("owner", job, mode)
job.start()
assert job.wait_for_event("epoch", 120), job.error
print("under way", flush=True)
"""


def _run(tmp_path: Path, mode: str, wait: float) -> subprocess.Popen:
    raw = preset_dict("breast-cancer-mlp")
    raw["training"]["epochs"] = 100_000
    raw["regularization"]["early_stopping"] = None
    (tmp_path / "recipe.json").write_text(json.dumps(raw), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STUDIO_TRAIN_IN": "thread"}  # its jobs are threads: no workers
    return subprocess.Popen([sys.executable, "-c", SCRIPT, str(tmp_path), mode, str(wait)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_exit_stops_a_training_run_through_its_normal_end(tmp_path) -> None:
    proc = _run(tmp_path, "train", wait=30)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    assert "under way" in out and "terminate called" not in err and "Traceback" not in err
    assert "Stopping 1 training run(s)" in err
    (run,) = (tmp_path / "runs").iterdir()
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "stopped" and summary["metrics"]["test"]
    assert (run / "model.safetensors").is_file()


@pytest.mark.slow
def test_a_job_that_does_not_stop_in_time_is_left_without_an_abort(tmp_path) -> None:
    proc = _run(tmp_path, "stubborn", wait=1)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 1, err
    assert "terminate called" not in err
    assert "'stubborn' did not stop within 1 s" in err


@pytest.mark.slow
def test_a_second_signal_during_the_wait_quits_at_once(tmp_path) -> None:
    proc = _run(tmp_path, "stubborn", wait=120)
    assert proc.stderr is not None
    deadline = time.monotonic() + 180
    for line in proc.stderr:  # the exit's wait has begun once this line is out
        if "Stopping 1 training run(s)" in line or time.monotonic() > deadline:
            break
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGTERM and time.monotonic() - started < 10


def test_clearing_the_cache_stops_the_jobs_and_drops_the_exit_hook() -> None:
    st.cache_resource.clear()
    reg = jobs.registry()
    job = Job(lambda control: [time.sleep(0.01) for _ in iter(control.checkpoint, False)], name="idle")
    reg.add("owner", job)
    job.start()
    held = weakref.ref(reg)
    del reg
    st.cache_resource.clear()  # on_release
    assert job.status == RunStatus.STOPPED
    gc.collect()
    assert held() is None  # the exit hook let go of it: a cleared registry is not kept until the process exits
