"""Ctrl-C and SIGTERM during `studio train`: the run stops after its batch and is saved as stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.stop_signals import StopOnSignal
from tests.conftest import ROOT, preset_dict

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def _raise(signum: int) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(0.05)  # the handler runs in the main thread at the next bytecode


def test_before_the_run_directory_exists_a_signal_aborts_at_once() -> None:
    with StopOnSignal() as stop, pytest.raises(KeyboardInterrupt):
        _raise(signal.SIGTERM)
    assert stop.received == signal.SIGTERM and stop.exit_status == 143 and stop.name == "SIGTERM"


def test_while_training_the_first_signal_asks_to_stop_and_the_second_aborts(tmp_path) -> None:
    with StopOnSignal() as stop:
        stop.saving(tmp_path)
        assert stop.checkpoint()
        _raise(signal.SIGINT)  # no exception: the Trainer sees it at its next batch
        assert not stop.checkpoint() and stop.exit_status == 130
        with pytest.raises(KeyboardInterrupt):
            _raise(signal.SIGTERM)
    assert stop.received == signal.SIGINT  # the first one names the exit status


def test_handlers_are_restored_and_an_ignored_signal_stays_ignored() -> None:
    before = signal.getsignal(signal.SIGINT)
    previous_term = signal.signal(signal.SIGTERM, signal.SIG_IGN)  # as under nohup or in a script's `cmd &`
    try:
        with StopOnSignal() as stop:
            assert signal.getsignal(signal.SIGINT) == stop._handle
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) is before
    finally:
        signal.signal(signal.SIGTERM, previous_term)


def _long_recipe(tmp_path: Path) -> Path:
    raw = preset_dict("breast-cancer-mlp")
    raw["training"]["epochs"] = 100_000
    raw["regularization"]["early_stopping"] = None
    path = tmp_path / "long.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def _wait_for_training(runs: Path, proc: subprocess.Popen, timeout: float = 90.0) -> Path:
    """The run directory once an epoch was written (metrics.csv), so the signal lands in training."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        found = list(runs.glob("*/metrics.csv"))
        if found:
            return found[0].parent
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"training did not start: {proc.communicate()}")


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_kill_leaves_a_stopped_run_with_weights_and_summary(signum, status, tmp_path) -> None:
    runs = tmp_path / "runs"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "train", str(_long_recipe(tmp_path)),
                             "--out", str(runs), "--quiet"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    run = _wait_for_training(runs, proc)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    assert err.strip().splitlines() == [f"stopped by {signal.Signals(signum).name}: the run is saved as stopped "
                                        f"in {run}"]
    assert out.strip().splitlines()[-1] == str(run) and "status: stopped" in out
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "stopped" and summary["epochs_run"] >= 1 and summary["metrics"]["test"]
    assert (run / "model.safetensors").is_file() and (run / "checkpoint.pt").is_file()
