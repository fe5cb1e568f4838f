"""Compare two variants on the Train page: one click trains A and B from the draft, both finish, and the
table A vs B with its sentence appears; a bad field path is one sentence and starts nothing."""

from __future__ import annotations

import json
import time

import pytest

from components.state import RECIPE_KEY
from studio.ab import split_threads
from studio.runs import RunDir
from studio.train.threads import usable_cores
from tests.components.helpers import by_key, clean, live_markup, markdown_texts, recipe, shown, texts


@pytest.fixture
def runs(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path / "runs"))
    return tmp_path / "runs"


def _moons(at, epochs: int = 4):
    by_key(at.selectbox, "sidebar.preset").set_value("moons-playground").run()
    draft = recipe(at)
    at.session_state[RECIPE_KEY] = draft.updated(training={**draft.training.model_dump(), "epochs": epochs})
    at.switch_page("app_pages/train.py").run()
    clean(at)
    return at


def _finished(runs) -> list[RunDir]:
    found = [RunDir(p) for p in runs.iterdir()] if runs.is_dir() else []
    return [r for r in found if r.has(RunDir.SUMMARY) and r.status().final]


def _table(at, label: str = "A: dropout 0"):
    """The A vs B table (AppTest does not report a dataframe's key)."""
    return next((d.value for d in at.dataframe if label in d.value.columns), None)


def test_train_a_and_b_runs_both_and_shows_the_table(at, runs):
    _moons(at)
    assert by_key(at.selectbox, "ab.kind").value == "dropout"
    by_key(at.button, "ab.start").click().run()
    clean(at)
    assert by_key(at.button, "ab.stop").disabled is False or len(_finished(runs)) == 2  # polling while they train
    assert "ab=" in "&".join(f"{k}={v}" for k, v in at.query_params.items())
    deadline = time.monotonic() + 60
    while len(_finished(runs)) < 2 and time.monotonic() < deadline:  # the fragment does not rerun in AppTest
        time.sleep(0.2)
    for _ in range(20):  # the jobs end just after their summaries are written
        at.run()
        if _table(at) is not None:
            break
        time.sleep(0.3)
    clean(at)
    a, b = sorted(_finished(runs), key=lambda r: r.read_recipe().name)
    ra, rb = a.read_recipe(), b.read_recipe()
    assert ra.name == "moons-playground A: dropout 0" and rb.name == "moons-playground B: dropout 0.3"
    assert [blk.get("p") for blk in ra.model if blk["kind"] == "dropout"] == [0.0, 0.0]
    assert [blk.get("p") for blk in rb.model if blk["kind"] == "dropout"] == [0.3, 0.3]
    assert ra.updated(name="x", model=rb.model) == rb.updated(name="x")  # nothing else differs
    assert ra.training.threads == split_threads(usable_cores())
    assert a.summary().epochs_run == b.summary().epochs_run == 4
    table = _table(at)
    assert list(table.columns) == ["", "A: dropout 0", "B: dropout 0.3"]
    assert list(table[""]) == ["status", "best validation accuracy", "test accuracy", "epochs",
                               "final train − validation gap (accuracy)"]
    test_row = table[table[""] == "test accuracy"].iloc[0]
    assert test_row["A: dropout 0"] == f"{a.summary().value:.4f}"
    page = texts(at.markdown)
    assert "generalised" in page
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    curves = next(c for c in charts if c["layout"]["title"]["text"].startswith("A and B, overlaid"))
    names = {t["name"] for t in curves["data"]}
    assert {"A: dropout 0, train", "A: dropout 0, validation", "B: dropout 0.3, validation"} <= names
    assert sum(c["layout"]["title"]["text"].startswith("Decision boundary") for c in charts) >= 2


def test_a_bad_field_path_is_one_sentence_and_starts_nothing(at, runs):
    _moons(at)
    by_key(at.selectbox, "ab.kind").set_value("field").run()
    by_key(at.text_input, "ab.field.path").input("optimizer.[x](https://evil.example)").run()
    by_key(at.text_input, "ab.field.a").input("0.01").run()
    by_key(at.text_input, "ab.field.b").input("0.1").run()
    by_key(at.button, "ab.start").click().run()
    assert not at.exception
    assert [e.value for e in at.error] and "names no field of the recipe" in texts(at.error)
    assert "\n" not in texts(at.error)
    assert not [t for t in markdown_texts(at) if live_markup(t)]  # the typed path is shown, never a link
    assert not runs.exists() or not list(runs.iterdir())


def test_stop_both_stops_a_and_b(at, runs):
    _moons(at, epochs=20_000)
    draft = recipe(at)
    at.session_state[RECIPE_KEY] = draft.updated(regularization={**draft.regularization.model_dump(),
                                                                 "early_stopping": None})
    at.run()
    by_key(at.selectbox, "ab.kind").set_value("lr").run()
    by_key(at.button, "ab.start").click().run()
    assert by_key(at.button, "ab.start").disabled  # no second pair while this one trains
    by_key(at.button, "ab.stop").click().run()
    deadline = time.monotonic() + 60
    while len(_finished(runs)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    for _ in range(20):
        at.run()
        if _table(at, "A: lr 0.01") is not None:
            break
        time.sleep(0.3)
    clean(at)
    assert sorted(r.status() for r in _finished(runs)) == ["stopped", "stopped"]
    table = _table(at, "A: lr 0.01")
    assert list(table.columns) == ["", "A: lr 0.01", "B: lr 0.001"]
    assert list(table.iloc[0]) == ["status", "stopped", "stopped"]


def test_on_a_full_server_a_and_b_wait_in_the_queue_as_one_share_and_stop_out_of_it(at, runs, monkeypatch):
    import threading

    from components import jobs
    from studio.train.job import Job
    from tests.components.test_job_queue import gated

    monkeypatch.setenv("STUDIO_MAX_JOBS", "1")
    gate = threading.Event()
    other = jobs.registry().submit("another-browser", Job(gated(gate), name="other"), "other")
    try:
        _moons(at)
        by_key(at.button, "ab.start").click().run()
        clean(at)
        progress = [shown(p.proto.text) for p in at.get("progress")]
        assert any("A: dropout 0 · queued: 1st in line" in t for t in progress), progress
        assert any("B: dropout 0.3 · queued: 2nd in line" in t for t in progress), progress
        assert by_key(at.button, "ab.start").disabled  # the pair is this session's share
        assert by_key(at.button, "train.start").disabled, "a single run waits for the pair"
        by_key(at.button, "ab.stop").click().run()  # out of the queue at once: nothing trained
        assert not runs.exists() or not list(runs.iterdir())
        assert not by_key(at.button, "ab.start").disabled
    finally:
        gate.set()
    assert other.job.wait(10)
