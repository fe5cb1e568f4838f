"""RunDir: unique folders, clear errors for damaged runs, and the status a reader should believe."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from studio.errors import RunError
from studio.recipe import Recipe
from studio.runs import Heartbeat, RunDir, RunSummary, list_runs
from studio.runs import rundir as rundir_module
from studio.status import RunStatus


def _run(root: Path, status: RunStatus = RunStatus.RUNNING, name: str = "r") -> RunDir:
    run = RunDir.create(root, Recipe.from_dict({"name": name}))
    run.write_summary(RunSummary(status, name, "classification", "accuracy"))
    return run


def test_two_runs_in_the_same_second_never_collide(tmp_path, monkeypatch):
    """The random part of the name is drawn again when the folder exists (it was a FileExistsError)."""
    tokens = iter(["aaaaaa", "aaaaaa", "bbbbbb"])
    monkeypatch.setattr(rundir_module, "new_token", lambda: next(tokens))
    monkeypatch.setattr(time, "strftime", lambda fmt, *a: "20260101-000000")
    first = RunDir.create(tmp_path, Recipe())
    second = RunDir.create(tmp_path, Recipe())
    assert first.path.name.endswith("-aaaaaa") and second.path.name.endswith("-bbbbbb")
    assert (second / RunDir.RECIPE).is_file()


def test_runs_root_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "runs").write_text("x")
    with pytest.raises(RunError, match="is a file; give --out a folder"):
        RunDir.create(tmp_path / "runs", Recipe())


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: None, "does not exist"),
    (lambda p: p.write_text("x"), "is a file"),
    (lambda p: p.mkdir(), "recipe.json, summary.json missing"),
])
def test_open_says_what_is_wrong(tmp_path, make, words):
    target = tmp_path / "run"
    make(target)
    with pytest.raises(RunError, match=words):
        RunDir.open(target)


def test_damaged_files_are_run_errors(tmp_path):
    run = _run(tmp_path, RunStatus.COMPLETED)
    (run / RunDir.WEIGHTS).write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":")  # a truncated safetensors
    with pytest.raises(RunError, match=r"weights of run .* are damaged"):
        run.read_weights()
    (run / RunDir.PREPARED).write_text(json.dumps({"preprocessor": {}, "table": {}}))
    with pytest.raises(RunError, match="lacks in_shape, n_outputs"):
        run.read_prepared()
    (run / RunDir.SUMMARY).write_text("[" * 100_000)
    with pytest.raises(RunError, match=r"summary.json of run .* is damaged"):
        run.read_summary()
    (run / RunDir.CHECKPOINT).write_bytes(b"not a checkpoint")
    with pytest.raises(RunError, match=r"checkpoint of run .* is damaged"):
        run.read_checkpoint()


def test_a_running_run_without_a_live_owner_reads_interrupted(tmp_path):
    run = _run(tmp_path)
    assert run.read_summary().status == RunStatus.RUNNING
    assert run.summary().status == RunStatus.INTERRUPTED  # no owner.json at all (an older run, or a crash)
    with Heartbeat(run / RunDir.OWNER):
        assert run.summary().status == RunStatus.RUNNING
    summary = run.read_summary()
    summary.checkpoint_epoch = 7
    run.write_summary(summary)
    owner = json.loads((run / RunDir.OWNER).read_text())
    (run / RunDir.OWNER).write_text(json.dumps({**owner, "pid": _dead_pid()}))
    s = run.summary()
    assert s.status == RunStatus.INTERRUPTED and "last checkpoint is from epoch 7" in s.message


def test_a_finished_run_keeps_its_status_whatever_its_owner(tmp_path):
    run = _run(tmp_path, RunStatus.COMPLETED)
    assert run.summary().status == RunStatus.COMPLETED


def test_list_runs_shows_interrupted_and_filters_by_user(tmp_path):
    mine, theirs = _run(tmp_path, name="mine"), _run(tmp_path, name="theirs")
    with Heartbeat(mine / RunDir.OWNER, user="u1"), Heartbeat(theirs / RunDir.OWNER, user="u2"):
        assert {i.name: i.status for i in list_runs(tmp_path)} == {"mine": "running", "theirs": "running"}
        assert [i.name for i in list_runs(tmp_path, user="u1")] == ["mine"]
    for run in (mine, theirs):  # the owner process "dies": its pid is gone
        owner = json.loads((run / RunDir.OWNER).read_text())
        (run / RunDir.OWNER).write_text(json.dumps({**owner, "pid": _dead_pid()}))
    assert {i.status for i in list_runs(tmp_path)} == {RunStatus.INTERRUPTED}
    (tmp_path / "not-a-run").mkdir()
    assert len(list_runs(tmp_path)) == 2


def _dead_pid() -> int:
    """A pid that no process has: a child that has exited and been reaped."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid
