"""Data-parallel training in real processes (gloo on this CPU): the same run as one process, and no hang
when a process dies or the run is stopped. Each test takes its own free port."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from studio.cli import main
from studio.parallel.checks import free_port
from studio.train.threads import usable_cores
from tests.train.ddp_helpers import (
    env,
    process_of_rank,
    recipe_file,
    start,
    studio,
    summary,
    torchrun,
    wait_for_training,
)

pytestmark = [pytest.mark.slow, pytest.mark.skipif(usable_cores() < 2, reason="two processes need two cores")]

TOL = 1e-4  # the gradients' all-reduce sums in another order than one process does
WAIT = 240  # seconds: a generous bound on a busy shared machine; a hang would never end


@pytest.fixture(scope="module")
def one_process(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("one")
    assert main(["train", str(recipe_file(tmp)), "--out", str(tmp / "runs"), "--quiet"]) == 0
    return next((tmp / "runs").iterdir())


def _same_run(run: Path, baseline: Path) -> None:
    s, b = summary(run), summary(baseline)
    assert s["status"] == "completed" and s["world_size"] == 2 and s["backend"] == "gloo"
    assert "world_size" not in b and s["epochs_run"] == b["epochs_run"] == 6
    assert "× 2 processes (gloo)" in s["device"]
    for split in ("train", "val", "test"):
        for key in ("accuracy", "log_loss", "roc_auc"):
            assert math.isclose(s["metrics"][split][key], b["metrics"][split][key], abs_tol=TOL), (split, key)
    curves, base = pd.read_csv(run / "metrics.csv"), pd.read_csv(baseline / "metrics.csv")
    for col in ("train_loss", "val_loss", "train_metric", "val_metric"):
        assert (curves[col] - base[col]).abs().max() < TOL, col


def test_two_processes_with_nproc_train_as_one_with_the_same_global_batch(tmp_path, one_process) -> None:
    cmd = studio("train", str(recipe_file(tmp_path)), "--nproc", "2", "--master-port", str(free_port()),
                 "--out", "runs", "--quiet")
    done = subprocess.run(cmd, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 0, done.stderr
    run = tmp_path / done.stdout.strip().splitlines()[-1]
    assert [p.name for p in (tmp_path / "runs").iterdir()] == [run.name]  # rank 1 wrote nothing
    _same_run(run, one_process)
    assert done.stderr.strip() == "", done.stderr  # torchrun's own logging stays out of the way


def test_torchrun_runs_the_studio_module_the_same_way(tmp_path, one_process) -> None:
    cmd = torchrun(2, free_port(), "train", str(recipe_file(tmp_path)), "--out", "runs", "--quiet")
    done = subprocess.run(cmd, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 0, done.stderr
    (run,) = (tmp_path / "runs").iterdir()
    _same_run(run, one_process)


@pytest.mark.parametrize("rank", [1, 0])
def test_a_killed_process_ends_the_run_as_failed_without_a_hang(tmp_path, rank: int) -> None:
    proc = start(studio("train", str(recipe_file(tmp_path, epochs=100_000)), "--nproc", "2", "--out", "runs",
                        "--quiet", "--master-port", str(free_port())), tmp_path)
    try:
        run = wait_for_training(tmp_path / "runs")
        victim = process_of_rank(proc.pid, rank)
        killed = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        _out, err = proc.communicate(timeout=WAIT)
    finally:
        proc.kill()
    assert time.monotonic() - killed < 60  # torchrun stops the other one; gloo sees the closed connection
    assert proc.returncode == 2
    lines = err.strip().splitlines()
    assert lines == [f"error: process {rank} of 2 was killed by SIGKILL; the run is saved as failed in "
                     f"{Path('runs') / run.name}"], err
    s = summary(run)
    assert s["status"] == "failed"
    assert s["message"] == f"process {rank} of 2 was killed by SIGKILL; the run keeps its last checkpoint"


def test_ctrl_c_stops_every_process_and_saves_the_run_as_stopped(tmp_path) -> None:
    proc = start(studio("train", str(recipe_file(tmp_path, epochs=100_000)), "--nproc", "2", "--out", "runs",
                        "--quiet"), tmp_path)  # no --master-port: torchrun takes a free port itself
    try:
        run = wait_for_training(tmp_path / "runs")
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=WAIT)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    saved = Path("runs") / run.name
    assert err.strip().splitlines()[-1] == f"stopped by SIGINT: the run is saved as stopped in {saved}"
    s = summary(run)
    assert s["status"] == "stopped" and s["world_size"] == 2 and s["epochs_run"] >= 1
    assert (run / "model.safetensors").is_file() and (run / "checkpoint.pt").is_file()
