"""Owner liveness: a fresh heartbeat and, on this host, a live process that is not a zombie."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from studio.runs.owner import STALE_SECONDS, Owner, process_alive, this_host


def test_this_process_is_alive():
    now = time.time()
    assert Owner(os.getpid(), this_host(), now, now).alive(now)


def test_a_stale_heartbeat_is_dead_even_if_the_pid_exists():
    now = time.time()
    assert not Owner(os.getpid(), this_host(), now, now - STALE_SECONDS - 1).alive(now)


def test_another_host_is_judged_by_its_heartbeat_only():
    now = time.time()
    assert Owner(1, "another-host", now, now - 1).alive(now)
    assert not Owner(1, "another-host", now, now - STALE_SECONDS - 1).alive(now)


def test_a_killed_child_that_was_not_reaped_is_dead():
    """kill -9 leaves a zombie until the parent waits: it still "exists" for os.kill(pid, 0)."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert process_alive(child.pid)
        os.kill(child.pid, signal.SIGKILL)
        deadline = time.time() + 10
        while process_alive(child.pid) and time.time() < deadline:
            time.sleep(0.05)
        assert not process_alive(child.pid)
    finally:
        child.kill()
        child.wait()
