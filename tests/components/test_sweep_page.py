"""The Sweep page in AppTest: the space editor, a refused space in one sentence, a real sweep to its best recipe."""

from __future__ import annotations

import time

import pytest

import studio.sweeps.rows
from components.state import RECIPE_KEY
from studio.recipe import Recipe
from tests.components.helpers import by_key, clean, texts
from tests.sweeps.conftest import tiny_recipe


def _open(at):
    at.switch_page("app_pages/sweep.py").run()
    return at


def test_the_page_offers_a_first_space_for_the_draft(at) -> None:
    _open(at)
    clean(at)
    rows = at.get("arrow_data_frame") or at.get("data_editor")
    assert rows, "the space editor is shown"
    assert by_key(at.button, "sweep.start").disabled is False


def test_a_space_naming_no_field_is_one_sentence_and_starts_nothing(at, monkeypatch) -> None:
    monkeypatch.setattr(studio.sweeps.rows, "default_rows", lambda recipe: [
        {"path": "optimizer.lrr", "kind": "uniform", "low": 0.0, "high": 1.0, "choices": ""}])
    _open(at)
    by_key(at.button, "sweep.start").click().run()
    assert not at.exception
    assert "names no field of the recipe" in texts(at.error)
    assert by_key(at.button, "sweep.start").disabled is False  # nothing started


@pytest.mark.slow
def test_a_sweep_runs_and_its_best_recipe_becomes_the_draft(at, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setattr(studio.sweeps.rows, "default_rows", lambda recipe: [
        {"path": "optimizer.lr", "kind": "log_uniform", "low": 1e-3, "high": 0.1, "choices": ""}])
    at.session_state[RECIPE_KEY] = Recipe.from_dict(tiny_recipe())
    _open(at)
    at.number_input(key="sweep.trials").set_value(2)
    by_key(at.button, "sweep.start").click().run()
    clean(at)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and any(b.key == "sweep.stop" for b in at.button):
        time.sleep(2)
        at.run()
    clean(at)
    assert "2 trials so far (2 completed)" in texts(at.text), texts(at.text)
    assert at.get("plotly_chart"), "the parallel-coordinates figure is drawn"
    by_key(at.button, "sweep.use_best").click().run()
    assert at.session_state[RECIPE_KEY].name == "iris-mlp-best"


def test_on_a_full_server_the_sweep_waits_its_turn_and_stop_takes_it_out(at, monkeypatch, tmp_path) -> None:
    import threading

    from components import jobs
    from studio.train.job import Job
    from tests.components.test_job_queue import gated

    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("STUDIO_MAX_JOBS", "1")
    monkeypatch.setattr(studio.sweeps.rows, "default_rows", lambda recipe: [
        {"path": "optimizer.lr", "kind": "log_uniform", "low": 1e-3, "high": 0.1, "choices": ""}])
    at.session_state[RECIPE_KEY] = Recipe.from_dict(tiny_recipe())
    gate = threading.Event()
    other = jobs.registry().submit("another-browser", Job(gated(gate), name="other"), "other")
    try:
        _open(at)
        by_key(at.button, "sweep.start").click().run()
        clean(at)
        assert "Queued: 1st in line (1 run training on this server)" in texts(at.info)
        by_key(at.button, "sweep.stop").click().run()
        clean(at)
        assert not any(b.key == "sweep.stop" for b in at.button)
        assert not (tmp_path / "runs" / "sweeps").exists() or not any((tmp_path / "runs" / "sweeps").rglob("*.csv"))
    finally:
        gate.set()
    assert other.job.wait(10)
