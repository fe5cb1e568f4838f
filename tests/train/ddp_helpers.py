"""Starting data-parallel runs from tests: a small recipe, the commands, and the processes torchrun started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT

# iris without dropout, augmentation or early stopping: one process and two draw the same rows in the
# same order, so their runs differ only by the rounding of the gradient all-reduce.
RECIPE = {
    "name": "ddp-iris",
    "data": {"source": "builtin:iris", "seed": 0},
    "preprocessing": [{"kind": "scale", "method": "standard"}],
    "model": [{"kind": "dense", "units": 16}, {"kind": "activation", "fn": "tanh"}],
    "optimizer": {"kind": "adam", "lr": 0.01},
    "regularization": {"early_stopping": None},
    "training": {"epochs": 6, "batch_size": 15, "seed": 0, "device": "cpu"},
}


def recipe_file(tmp_path: Path, **training: object) -> Path:
    raw = json.loads(json.dumps(RECIPE))
    raw["training"].update(training)
    path = tmp_path / "ddp-iris.json"
    path.write_text(json.dumps(raw))
    return path


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


def studio(*args: str) -> list[str]:
    return [sys.executable, "-m", "studio", *args]


def torchrun(nproc: int, port: int, *args: str) -> list[str]:
    return [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc-per-node", str(nproc),
            "--master-addr", "127.0.0.1", "--master-port", str(port), "--max-restarts", "0",
            "-m", "studio", *args]


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(d.name))
            except (OSError, IndexError, ValueError):
                pass
    return found


def rank_of(pid: int) -> int | None:
    try:
        env_vars = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    return next((int(e[5:]) for e in env_vars if e.startswith(b"RANK=")), None)


def process_of_rank(parent: int, rank: int, timeout: float = 120.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in children(parent) if rank_of(p) == rank]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no process of rank {rank} under {parent}")


def wait_for_training(runs: Path, timeout: float = 180.0) -> Path:
    """The run directory once its first epochs are in metrics.csv."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list(runs.glob("*/metrics.csv")) if runs.is_dir() else []
        if found:
            return found[0].parent
        time.sleep(0.2)
    raise AssertionError(f"no run started training in {runs} within {timeout} s")


def start(cmd: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(cmd, cwd=cwd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def summary(run: Path) -> dict:
    return json.loads((run / "summary.json").read_text())
