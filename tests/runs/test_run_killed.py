"""kill -9 during `studio train`: the run reads `interrupted`, keeps its last checkpoint, and exports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.runs import RunDir
from studio.status import RunStatus
from tests.conftest import ROOT

LONG = {
    "name": "long", "data": {"source": "builtin:breast_cancer"},
    "model": [{"kind": "dense", "units": 32}, {"kind": "activation"}],
    "training": {"epochs": 100_000, "batch_size": 32},
    "regularization": {"early_stopping": None},
}


def _studio(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studio.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=180, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.slow
def test_a_killed_run_is_interrupted_with_a_checkpoint_that_exports(tmp_path):
    (tmp_path / "long.json").write_text(json.dumps(LONG))
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "train", "long.json", "--out", "runs", "--quiet"],
                            cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while not list(tmp_path.glob("runs/*/checkpoint.pt")) and time.time() < deadline:
            time.sleep(0.2)
        assert list(tmp_path.glob("runs/*/checkpoint.pt")), "no checkpoint within 2 minutes"
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    run = RunDir(next(tmp_path.glob("runs/*")))
    assert run.read_summary().status == RunStatus.RUNNING  # what the dead process last wrote
    summary = run.summary()
    assert summary.status == RunStatus.INTERRUPTED
    assert summary.checkpoint_epoch and summary.checkpoint_epoch >= 1
    assert f"last checkpoint is from epoch {summary.checkpoint_epoch}" in summary.message
    assert run.read_checkpoint()["epoch"] == summary.checkpoint_epoch

    listed = _studio("runs", "--out", "runs", cwd=tmp_path)
    assert listed.returncode == 0 and "interrupted" in listed.stdout and "running" not in listed.stdout

    exported = _studio("export", str(run.path), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert "interrupted" in exported.stdout and (run / RunDir.ONNX).is_file()
