"""The Train page on a full server (AppTest): a run beyond the cap shows its place in line, Stop takes
it out of the queue, and it trains by itself once the slot frees."""

from __future__ import annotations

import threading

from components import jobs
from studio.train.job import STOPPED_IN_QUEUE, Job
from tests.components.helpers import by_key, clean, texts
from tests.components.test_job_queue import gated
from tests.components.test_train_page import status, until


def test_a_queued_run_shows_its_place_stops_out_of_the_queue_and_then_trains(at, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("STUDIO_MAX_JOBS", "1")
    gate = threading.Event()
    other = jobs.registry().submit("another-browser", Job(gated(gate), name="other"), "other")
    try:
        by_key(at.selectbox, "sidebar.preset").set_value("iris-mlp").run()
        at.switch_page("app_pages/train.py").run()
        by_key(at.number_input, "w.train.training.epochs").set_value(3).run()
        by_key(at.button, "train.start").click().run()
        clean(at)
        assert status(at) == "queued"
        assert "Queued: 1st in line (1 run training on this server)" in texts(at.info)
        assert "queued, 1st in line" in texts(at.sidebar.markdown)
        assert by_key(at.button, "train.start").disabled and by_key(at.button, "train.pause").disabled
        by_key(at.button, "train.stop").click().run()  # out of the queue, at once
        clean(at)
        assert status(at) == "stopped" and STOPPED_IN_QUEUE in texts(at.warning)
        assert not by_key(at.button, "train.start").disabled
        assert not (tmp_path / "runs").exists()  # it never started: no run directory

        by_key(at.button, "train.start").click().run()
        assert status(at) == "queued" and "1st in line" in texts(at.info)
        gate.set()  # the other browser's run ends: this one starts by itself
        until(at, lambda a: status(a) not in ("queued", "running", ""))
        clean(at)
        assert status(at) == "completed" and other.job.status == "completed"
        assert len(list((tmp_path / "runs").iterdir())) == 1
    finally:
        gate.set()
