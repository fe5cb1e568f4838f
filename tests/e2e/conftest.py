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
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "components" / "app.py"
# Screenshots of each page: into assets/screenshots (the README's) only when asked, so that a test
# run leaves the working tree as it was: STUDIO_SCREENSHOTS_DIR=assets/screenshots make test
SCREENSHOTS = Path(os.environ.get("STUDIO_SCREENSHOTS_DIR") or ROOT / "tests" / "e2e" / "screenshots-tmp")
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


def start_server(runs_dir: Path, port: int | None = None, extra_args: tuple[str, ...] = (),
                 env_vars: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """``streamlit run`` headless on a free port; returns once /_stcore/health answers "ok".

    ``extra_args``: more ``--section.option value`` flags; ``env_vars``: more environment variables.
    """
    port = port or free_port()
    env = {**os.environ, "STUDIO_RUNS_DIR": str(runs_dir), "PYTHONPATH": str(ROOT), **(env_vars or {})}
    # The server's output goes to a file, not a pipe: an unread pipe that fills up blocks the server.
    log = tempfile.NamedTemporaryFile("w+", prefix="streamlit-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", *extra_args],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    proc.log_path = log.name  # type: ignore[attr-defined]
    log.close()
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
            proc.wait()
            raise RuntimeError(f"streamlit did not start:\n{_read_log(proc)}")
        time.sleep(0.2)


def _read_log(proc: subprocess.Popen) -> str:
    path = Path(proc.log_path)  # type: ignore[attr-defined]
    text = path.read_text(errors="replace")
    path.unlink(missing_ok=True)
    return text


def stop_server(proc: subprocess.Popen) -> str:
    """Stop the server and return everything it printed."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return _read_log(proc)


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
