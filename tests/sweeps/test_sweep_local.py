"""How local workers start: forked from a process that has imported the training code and runs no
other thread (the command line), else from the training workers' forkserver (the app's server; spawned
where there is no forkserver); both run trials."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from studio.sweeps.local import start_workers

PROBE = textwrap.dedent("""
    import threading
    from studio.sweeps.local import can_fork, start_workers
    alone = can_fork()
    workers = start_workers(1)
    method = workers.method
    answer = workers.pool.submit(sum, [1, 2]).result(timeout=120)
    workers.close()
    gate = threading.Event()
    other = threading.Thread(target=gate.wait)
    other.start()
    crowded = can_fork()
    gate.set()
    other.join()
    print(alone, method, answer, crowded)
""")


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_a_process_with_one_thread_forks_its_workers_and_one_with_more_does_not() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "fork", "3", "False"]


def test_workers_run_tasks_when_forking_is_not_safe(monkeypatch) -> None:
    monkeypatch.setattr("studio.sweeps.local.can_fork", lambda: False)
    workers = start_workers(1)
    try:
        expected = "forkserver" if sys.platform == "linux" else "spawn"
        assert workers.method == expected and workers.pool.submit(sum, [4, 5]).result(timeout=120) == 9
    finally:
        workers.close()
