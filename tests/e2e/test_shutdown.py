"""SIGTERM or Ctrl-C on a server that is training: its run is saved as stopped and the server exits cleanly.

Before, the server aborted ("terminate called without an active exception", status -6) and the
run stayed "running" (then "interrupted"). The run is started the way a person starts it: a click
on Train in Chromium. tests/components/test_jobs_exit.py covers the same exit path without a browser.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, _read_log, free_port, start_server
from tests.e2e.ui import button, go_to, wait_for_app

pytestmark = pytest.mark.e2e
EXIT_WITHIN = 20.0  # seconds: the jobs' stop (under a second here) and Python's teardown, on a shared CPU


def _start_training(page: Page, url: str, runs: Path) -> Path:
    """Train a long run from the browser; its run directory once an epoch was written."""
    page.goto(url)
    wait_for_app(page)
    go_to(page, "Train")
    page.get_by_role("tab", name="Regularization").click()
    page.get_by_test_id("stCheckbox").filter(has_text="Early stopping").locator("label").click()
    wait_for_app(page)
    page.get_by_role("tab", name="Epochs & device").click()
    epochs = page.get_by_label("epochs", exact=True)
    epochs.fill("5000")
    epochs.press("Enter")
    wait_for_app(page)
    button(page, "Train").click()
    expect(page).to_have_url(re.compile(r"[?&]run="), timeout=30_000)
    deadline = time.monotonic() + 60
    while not (found := list(runs.glob("*/metrics.csv"))):
        assert time.monotonic() < deadline, "no epoch was written"
        time.sleep(0.2)
    return found[0].parent


def _assert_stopped(run: Path) -> None:
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "stopped", summary
    assert summary["epochs_run"] >= 1 and summary["metrics"]["test"]
    assert (run / "model.safetensors").is_file()


def test_sigterm_stops_the_server_and_saves_its_run(page: Page, tmp_path) -> None:
    runs = tmp_path / "runs"
    proc, url = start_server(runs)
    try:
        run = _start_training(page, url, runs)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=EXIT_WITHIN)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log = _read_log(proc)
    assert proc.returncode == 0, log
    assert "terminate called" not in log and "Traceback" not in log, log
    assert "Stopping 1 training run(s)" in log
    _assert_stopped(run)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the server in /proc")
def test_ctrl_c_on_studio_app_stops_its_server_and_saves_its_run(page: Page, tmp_path) -> None:
    runs, port = tmp_path / "runs", free_port()
    log_path = tmp_path / "app.log"
    with open(log_path, "w") as log:
        app = subprocess.Popen([sys.executable, "-m", "studio.cli", "app", "--port", str(port), "--host", "127.0.0.1",
                                "--runs-dir", str(runs)], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                assert time.monotonic() < deadline and app.poll() is None, log_path.read_text()
                time.sleep(0.2)
        server = int(Path(f"/proc/{app.pid}/task/{app.pid}/children").read_text().split()[0])
        run = _start_training(page, url, runs)
        app.send_signal(signal.SIGINT)  # what a terminal's Ctrl-C sends `studio app`
        app.wait(timeout=EXIT_WITHIN)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    text = log_path.read_text()
    assert app.returncode == 0, text
    assert "terminate called" not in text and "Traceback" not in text, text
    assert not Path(f"/proc/{server}").exists()  # studio app waited for its server (and reaped it)
    _assert_stopped(run)
