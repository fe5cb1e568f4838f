"""Job: pause, resume and stop within a short time; failures become "failed" with their message."""

from __future__ import annotations

import time

import pytest

from studio.errors import DataError
from studio.train.job import Job, JobControl
from studio.train.trainer import Trainer
from tests.train.conftest import N_CLASSES, make_recipe, tiny_model

QUICK = 1.0  # seconds within which pause/stop must take effect


class Ticker:
    """A target that counts checkpoints every millisecond until stopped."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, control: JobControl) -> str:
        while control.checkpoint():
            self.count += 1
            time.sleep(0.001)
        return "done"


def _until(pred, timeout: float = QUICK) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.005)
    return pred()


def test_pause_resume_and_stop_take_effect_quickly() -> None:
    ticker = Ticker()
    job = Job(ticker)
    assert job.status == "created"
    job.start()
    assert _until(lambda: ticker.count > 5) and job.status == "running"
    job.pause()
    assert job.status == "paused"
    time.sleep(0.05)
    frozen = ticker.count
    time.sleep(0.2)
    assert ticker.count == frozen
    job.resume()
    assert job.status == "running" and _until(lambda: ticker.count > frozen)
    t0 = time.monotonic()
    job.stop()
    assert job.wait(QUICK) and time.monotonic() - t0 < QUICK
    assert job.status == "stopped" and job.result == "done" and job.error is None and not job.active


def test_stop_while_paused_ends_the_job() -> None:
    job = Job(Ticker())
    job.start()
    job.pause()
    job.stop()
    assert job.wait(QUICK) and job.status == "stopped"


def test_an_unexpected_exception_becomes_failed_with_its_type_and_message(caplog) -> None:
    def boom(control: JobControl) -> None:
        raise ValueError("bad thing")

    job = Job(boom)
    job.start()
    assert job.wait(QUICK)
    assert job.status == "failed" and job.error == "unexpected error: ValueError: bad thing"
    assert "bad thing" in caplog.text  # logged with its traceback
    assert job.snapshot().error == job.error


def test_a_studio_error_keeps_its_sentence() -> None:
    def refuse(control: JobControl) -> None:
        raise DataError("the CSV has no column 'price'; pick the target among: a, b")

    job = Job(refuse)
    job.start()
    assert job.wait(QUICK)
    assert (job.status, job.error) == ("failed", "the CSV has no column 'price'; pick the target among: a, b")


def test_start_twice_is_refused() -> None:
    job = Job(lambda c: None)
    job.start()
    with pytest.raises(RuntimeError, match="already started"):
        job.start()


def _fit_target(data, epochs: int = 3, **recipe):
    def target(control: JobControl):
        trainer = Trainer(tiny_model(), data, make_recipe(training={"epochs": epochs}, **recipe),
                          "classification", N_CLASSES, callbacks=[control], control=control,
                          batch_event_interval=0.0)
        return trainer.fit()

    return target


def test_a_trainer_in_a_job_fills_the_snapshot(cls_data) -> None:
    job = Job(_fit_target(cls_data))
    job.start()
    assert job.wait(30)
    snap = job.snapshot()
    assert snap.status == "completed" == job.result.status
    assert [e["event"] for e in snap.events] == ["started", "epoch", "epoch", "epoch", "finished"]
    assert snap.last_batch == {"event": "batch", "epoch": 3, "batch": 6, "batches": 6,
                               "loss": snap.last_batch["loss"], "samples_per_sec": snap.last_batch["samples_per_sec"],
                               "recent_loss": snap.last_batch["recent_loss"], "step": 18}
    assert snap.finished == snap.events[-1] and snap.next_index == 5
    assert [step for step, _ in snap.batch_losses] == list(range(1, 19))  # every batch event's (step, loss)
    later = job.snapshot(since=3)
    assert [e["event"] for e in later.events] == ["epoch", "finished"] and later.next_index == 5


def test_a_failed_fit_in_a_job_reports_the_nan_guard_sentence(cls_data) -> None:
    job = Job(_fit_target(cls_data, optimizer={"kind": "sgd", "lr": 1e6}, epochs=5))
    job.start()
    assert job.wait(30)
    assert job.status == "failed" and "learning rate 1e+06 is far too large" in job.error
    assert job.snapshot().finished["status"] == "failed"


def test_a_stopped_fit_in_a_job_is_stopped(cls_data) -> None:
    job = Job(_fit_target(cls_data, epochs=100_000))
    job.start()
    assert _until(lambda: len(job.snapshot().events) >= 2, 10)
    job.stop()
    assert job.wait(QUICK)
    assert job.status == "stopped" and job.snapshot().finished["status"] == "stopped"
