"""A real ``streamlit run components/app.py`` server and the system Chromium for the end-to-end tests.

Never ``playwright install``: the browser is the system's (``/usr/bin/chromium`` or $CHROMIUM_PATH).
Without it the tests skip on a laptop but FAIL under CI (env var ``CI`` set), where they must run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "components" / "app.py"
SCREENSHOTS = ROOT / "assets" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(runs_dir: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """``streamlit run`` headless on a free port; returns once /_stcore/health answers "ok"."""
    port = port or free_port()
    env = {**os.environ, "STUDIO_RUNS_DIR": str(runs_dir), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return proc, url
        except OSError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError(f"streamlit did not start:\n{proc.communicate()[0]}")
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        return proc.communicate(timeout=15)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[0]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    exe = chromium_path()
    if exe is None:
        message = "no system Chromium (install the Debian package `chromium` or set CHROMIUM_PATH)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; end-to-end tests must run under CI")
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": exe, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def app_server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    runs = tmp_path_factory.mktemp("e2e-runs")
    proc, url = start_server(runs)
    yield url, runs
    log = stop_server(proc)
    assert "missing ScriptRunContext" not in log, log
    assert "Traceback" not in log, log
