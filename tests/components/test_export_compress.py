"""Export page, "Smaller models": prune and distill the selected run as background jobs that end with
their comparison table and chart; the new runs belong to the session's user (listed in its run
picker without --shared-runs); a run still training, a run without weights, a sparsity out of range
are one sentence each."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from components import jobs
from studio.compress.prune import check_prune
from studio.errors import RunError
from studio.pipeline import train_recipe
from studio.recipe import load_recipe
from studio.runs import Heartbeat, RunDir
from studio.status import RunStatus
from tests.components.helpers import by_key, clean, texts
from tests.conftest import PRESETS

TOKEN = "compress-test-owner"
USER = hashlib.sha256(f"studio-user:{TOKEN}".encode()).hexdigest()[:32]  # components.state.user_key


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    r = load_recipe(PRESETS / "iris-mlp.json")
    r = r.updated(training={**r.training.model_dump(), "epochs": 3, "device": "cpu"})
    train_recipe(r, runs_root=root, user=USER)  # a run of this session's user, as the Train page makes
    return root


@pytest.fixture
def page(at, root, monkeypatch):
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(root))
    at.session_state["studio.owner"] = TOKEN
    at.switch_page("app_pages/export.py").run()
    return at


def _source(root):
    return min((p for p in root.iterdir() if "pruned" not in p.name and "student" not in p.name
                and "copy" not in p.name), key=lambda p: p.name)


def _finish(at) -> None:
    """Wait for the job the click started (the live fragment does not rerun in AppTest), then rerun."""
    handle = jobs.registry().get(at.session_state["studio.compress_id"])
    assert handle is not None and handle.job.wait(90), "the job ended"
    assert handle.job.error is None, handle.job.error
    at.run()


def _table(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_prune_form_starts_a_job_that_ends_with_the_table(page, root) -> None:
    at = page
    source = _source(root)
    at.selectbox(key="export.run.none").set_value(str(source)).run()
    at.slider(key="compress.sparsity").set_value(0.5)
    at.number_input(key="compress.steps").set_value(1)
    at.number_input(key="compress.epochs").set_value(1)
    by_key(at.button, "compress.prune").click().run()
    clean(at)
    _finish(at)
    clean(at)
    table = _table(at, "sparsity")
    assert list(table["variant"]) == ["source", "50% pruned"] and list(table["sparsity"]) == [0.0, 0.5]
    assert table["parameters"].iloc[-1] < table["parameters"].iloc[0] * 0.6  # structured: whole units went
    assert {"test metric", "size KB", "latency µs (batch 256)"} <= set(table.columns)
    assert at.get("plotly_chart"), "sparsity against accuracy, size and latency"
    pruned = [p for p in root.iterdir() if "pruned" in p.name]
    assert len(pruned) == 1 and all(RunDir(p).owner().user == USER for p in pruned)
    options = at.selectbox(key="export.run.none").options  # listed beside the user's runs
    assert any(o.startswith("iris-mlp-pruned50 · completed") for o in options), options
    assert by_key(at.button, "compress.prune").disabled is False  # nothing is going any more


def test_distill_form_trains_a_smaller_student(page, root) -> None:
    at = page
    at.selectbox(key="export.run.none").set_value(str(_source(root))).run()
    at.selectbox(key="compress.dense").set_value(0.25)
    at.number_input(key="compress.student_epochs").set_value(3)
    by_key(at.button, "compress.distill").click().run()
    clean(at)
    _finish(at)
    clean(at)
    table = _table(at, "parameters")
    assert list(table["variant"]) == ["teacher", "student"]
    assert table["parameters"].iloc[1] < table["parameters"].iloc[0] / 2
    assert "of the teacher's parameters" in texts(at.caption)
    assert at.get("plotly_chart"), "student against teacher"
    student = next(p for p in root.iterdir() if "student" in p.name)
    summary = RunDir(student).summary()
    assert summary.extra["teacher"] == RunDir(_source(root)).id and RunDir(student).owner().user == USER


def test_bad_input_is_one_sentence(page, root) -> None:
    at = page
    copy = root / (_source(root).name + "-copy")
    shutil.copytree(_source(root), copy)
    try:
        run = RunDir(copy)
        summary = run.read_summary()
        summary.status = RunStatus.RUNNING  # its checkpoint wrote weights, so the run list offers it
        run.write_summary(summary)
        with Heartbeat(copy / RunDir.OWNER, user=USER):
            at.run()
            at.selectbox(key="export.run.none").set_value(str(copy)).run()
            by_key(at.button, "compress.prune").click().run()
            assert not at.exception
            assert "is still training; wait until it ends (or stop it on the Train page), then prune it" in \
                texts(at.error)
            by_key(at.button, "compress.distill").click().run()
            assert "then distill from it" in texts(at.error)
        assert "studio.compress_id" not in at.session_state  # nothing started
        summary.status = RunStatus.COMPLETED
        run.write_summary(summary)
        (copy / RunDir.WEIGHTS).unlink()  # the run list no longer offers it: the engine's sentence
        with pytest.raises(RunError, match="has no trained weights"):
            check_prune(copy, 0.5, 2, 2)
    finally:
        shutil.rmtree(copy)
    with pytest.raises(RunError, match=r"sparsity .* must be between 0 and 1"):
        check_prune(_source(root), 1.5, 2, 2)
