"""Where several GPUs exist, the Train page offers "Devices": the draft then trains as
`studio train --nproc N` in a subprocess, and its epochs reach the same live panel. Here the GPUs are
pretended (the count is patched) and the processes run on the CPU with gloo."""

from __future__ import annotations

import time

import pytest

from components import parallel_job
from components.state import RECIPE_KEY
from studio.runs import RunDir
from tests.components.helpers import by_key, clean, recipe

pytestmark = pytest.mark.slow  # torchrun starts two Python processes (10-40 s here)


def test_devices_train_over_two_processes_and_stream_back(at, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel_job, "devices", lambda: 2)
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path / "runs"))
    by_key(at.selectbox, "sidebar.preset").set_value("iris-mlp").run()
    draft = recipe(at)
    at.session_state[RECIPE_KEY] = draft.updated(training={**draft.training.model_dump(), "epochs": 4})
    at.switch_page("app_pages/train.py").run()
    clean(at)
    at.number_input(key="train.devices").set_value(2).run()
    at.button(key="train.start").click().run()
    runs = tmp_path / "runs"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # the live panel is a fragment AppTest does not rerun by itself
        done = [p for p in runs.iterdir() if RunDir(p).has(RunDir.SUMMARY) and RunDir(p).status().final] \
            if runs.is_dir() else []
        if done:
            break
        time.sleep(0.5)
    for _ in range(30):  # the job reads the last epochs, then ends: the panel shows the test metrics
        at.run()
        if any(m.label == "accuracy" for m in at.metric):
            break
        time.sleep(1)
    assert not at.exception
    (run,) = list((tmp_path / "runs").iterdir())
    summary = RunDir(run).summary()
    assert summary.extra["world_size"] == 2 and summary.status == "completed" and summary.epochs_run == 4
    assert RunDir(run).owner().user  # the browser's: listed on its Evaluate page
    assert any(m.label == "accuracy" for m in at.metric)  # the test metrics of the finished run
