"""`studio app` forwards signals to its server, waits for it, and never leaves it running as an orphan."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from studio.app_process import exit_status, run_server
from tests.conftest import ROOT
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux signals and /proc")

# A stand-in server: says it is ready, then records the first signal it gets and exits 0.
CHILD = """
import json, os, signal, sys, time
out = sys.argv[1]
def record(signum, frame):
    with open(out, "w") as f:
        json.dump({"signal": signum, "pgid": os.getpgid(0), "pid": os.getpid()}, f)
    sys.exit(0)
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, record)
open(out + ".ready", "w").close()
while True:
    time.sleep(0.05)
"""


def test_exit_status_reads_like_a_shell() -> None:
    assert [exit_status(c) for c in (0, 1, 2, -15, -9, -2)] == [0, 1, 2, 143, 137, 130]


@pytest.mark.parametrize(("sent", "forwarded"), [
    (signal.SIGTERM, signal.SIGTERM), (signal.SIGINT, signal.SIGINT), (signal.SIGHUP, signal.SIGTERM),
])
def test_signals_reach_the_server_in_its_own_process_group(sent, forwarded, tmp_path) -> None:
    out = tmp_path / "child.json"

    def send_when_ready() -> None:
        deadline = time.monotonic() + 30
        while not Path(f"{out}.ready").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), sent)  # to this process, as a terminal or `kill` would

    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    threading.Thread(target=send_when_ready, daemon=True).start()
    assert run_server([sys.executable, "-c", CHILD, str(out)]) == 0  # returns once the server has exited
    got = json.loads(out.read_text())
    assert got["signal"] == forwarded
    assert got["pgid"] == got["pid"] != os.getpgid(0)  # a terminal's Ctrl-C reaches it once, through us
    assert {s: signal.getsignal(s) for s in before} == before


def _start_app(tmp_path: Path) -> tuple[subprocess.Popen, int]:
    """`studio app` on a free port; returns it and its server's pid once the server answers."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # Output to a file: an orphaned server would hold a pipe open and a read of it would never end.
    with open(tmp_path / "app.log", "w") as log:
        app = subprocess.Popen([sys.executable, "-m", "studio.cli", "app", "--port", str(port), "--host",
                                "127.0.0.1", "--runs-dir", str(tmp_path / "runs")], cwd=tmp_path, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and app.poll() is None:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                children = Path(f"/proc/{app.pid}/task/{app.pid}/children").read_text().split()
                assert len(children) == 1, children
                return app, int(children[0])
        except OSError:
            pass
        time.sleep(0.2)
    app.kill()
    raise AssertionError(f"studio app did not start: {(tmp_path / 'app.log').read_text()}")


def _gone(pid: int, timeout: float) -> bool:
    """True once ``pid`` has exited (a zombie waiting for init to reap it counts as gone)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_studio_app_stops_its_server_and_waits_for_it(signum, tmp_path) -> None:
    app, server = _start_app(tmp_path)
    try:
        app.send_signal(signum)
        assert app.wait(timeout=30) == 0, (tmp_path / "app.log").read_text()
        assert _gone(server, timeout=1)  # studio app returned after its server, not before
    finally:
        if not _gone(server, 0):
            os.kill(server, signal.SIGKILL)


@pytest.mark.slow
def test_a_killed_studio_app_takes_its_server_along(tmp_path) -> None:
    app, server = _start_app(tmp_path)
    try:
        app.kill()  # SIGKILL: no handler runs in studio app
        app.wait()
        assert _gone(server, timeout=30), "the server outlived `studio app`"
    finally:
        if not _gone(server, 0):
            os.kill(server, signal.SIGKILL)
