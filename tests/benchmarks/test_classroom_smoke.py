"""benchmarks/classroom_load.py with a few thin clients: a real `studio app`, sessions that speak Streamlit's
websocket protocol, open Train, set the epochs, press Train and keep polling until their runs end in the
server's training workers (the figures are not checked: speed is measured by running the script)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "classroom_load.py"


@pytest.mark.slow
def test_three_thin_sessions_train_on_one_server_and_every_run_finishes() -> None:
    out = subprocess.run([sys.executable, str(SCRIPT), "--sessions", "3", "--epochs", "3", "--stagger", "0.2",
                          "--teacher-lead", "8", "--probe-every", "0.5"],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    assert "runs finished: 3 of 3 (target all; 3 of them seen ending on their page)" in out, out
    assert "runs lost: 0" in out, out
    assert "session " not in out and "traceback" not in out, out  # no session failed, the server logged none
    reruns = re.search(r"page rerun: (\d+) reruns, p50 [\d.]+ s, p95 [\d.]+ s", out)
    assert reruns and int(reruns.group(1)) >= 9, out  # open Train, epochs, Train: three inputs each at least
    assert re.search(r"rerun after 'press Train': 3,", out), out
