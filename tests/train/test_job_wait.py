"""Job.wait_for_event: a page can wait a moment for the first point without polling."""

from __future__ import annotations

import threading
import time

from studio.train.job import Job


def test_wait_for_event_returns_when_the_event_arrives() -> None:
    go = threading.Event()

    def target(control) -> None:
        go.wait(5)
        control.emit({"event": "epoch", "epoch": 1})
        time.sleep(0.2)

    job = Job(target)
    job.start()
    assert job.wait_for_event("epoch", timeout=0.05) is False  # not yet
    go.set()
    t0 = time.perf_counter()
    assert job.wait_for_event("epoch", timeout=5) is True
    assert time.perf_counter() - t0 < 1.0
    job.wait(5)


def test_wait_for_event_gives_up_when_the_job_ends() -> None:
    job = Job(lambda control: None)
    job.start()
    t0 = time.perf_counter()
    assert job.wait_for_event("epoch", timeout=5) is False
    assert time.perf_counter() - t0 < 1.0
