"""Real sweeps on iris: local processes, resume after an interruption, pruning, and Ray Tune on a local Ray."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from studio.recipe import Recipe, load_recipe
from studio.runs import RunDir
from studio.status import RunStatus
from studio.sweeps import SweepSettings, parse_space, read_sweep, start_sweep
from tests.sweeps.conftest import SPACE, run_cli, space_file, tiny_recipe

pytestmark = pytest.mark.slow


def _rows(out: Path) -> list[dict[str, str]]:
    with (out / "results.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _check_finished_sweep(out: Path, n: int) -> list[dict[str, str]]:
    rows = _rows(out)
    assert len(rows) == n and {r["status"] for r in rows} == {"completed"}
    for r in rows:
        run = RunDir.open(r["run_dir"])
        assert run.summary().status == RunStatus.COMPLETED and Path(r["run_dir"]).parent == (out / "runs").resolve()
        assert set(json.loads(r["params"])) == set(SPACE) and 0 <= float(r["value"]) <= 1
    best = load_recipe(out / "best_recipe.json")
    top = max(rows, key=lambda r: float(r["value"]))
    assert best.name == "iris-mlp-best" and best.optimizer["lr"] == json.loads(top["params"])["optimizer.lr"]
    return rows


def test_a_local_sweep_runs_trials_in_parallel_processes(recipe_file, tmp_path, capsys) -> None:
    out = tmp_path / "sweep"
    code, text, err = run_cli(["sweep", str(recipe_file), "--space", str(space_file(tmp_path, SPACE)),
                               "--trials", "3", "--parallel", "2", "--out", str(out)], capsys)
    assert code == 0, err
    _check_finished_sweep(out, 3)
    assert text.count("trial ") >= 3 and "best: trial" in text and "best_recipe.json" in text


def test_an_interrupted_sweep_resumes_up_to_its_trials(recipe_file, tmp_path, capsys) -> None:
    out, space = tmp_path / "sweep", space_file(tmp_path, SPACE)
    argv = ["sweep", str(recipe_file), "--space", str(space), "--out", str(out)]
    assert run_cli([*argv, "--trials", "2"], capsys)[0] == 0
    from studio.sweeps.study import load_study

    study = load_study(f"sqlite:///{out.resolve() / 'study.db'}")
    lost = study.ask(parse_space(SPACE).distributions())  # a trial whose process died: left running
    code, text, err = run_cli([*argv, "--trials", "3"], capsys)
    assert code == 0, err
    rows = _rows(out)
    assert [r["status"] for r in rows] == ["completed", "completed", "interrupted", "completed"]
    assert json.loads(rows[3]["params"]) == lost.params  # the lost trial's values ran again
    code, text, _ = run_cli([*argv, "--trials", "3"], capsys)
    assert code == 0 and "already holds 3 trials" in text and len(_rows(out)) == 4
    other = tmp_path / "other.json"
    other.write_text(json.dumps(tiny_recipe(epochs=3)), encoding="utf-8")
    code, _, err = run_cli(["sweep", str(other), "--space", str(space), "--out", str(out), "--trials", "4"], capsys)
    assert code == 2 and "holds a sweep of another recipe or space" in err


def test_pruning_stops_a_hopeless_trial_and_says_so(tmp_path) -> None:
    recipe = Recipe.from_dict(tiny_recipe(epochs=8))
    space = parse_space({"optimizer.lr": {"log_uniform": [1e-7, 0.1]}})
    settings = SweepSettings(recipe, space, trials=3, out=tmp_path / "sweep", pruner="median", startup_trials=2,
                             warmup_epochs=1, enqueue=[{"optimizer.lr": 0.05}, {"optimizer.lr": 0.03},
                                                       {"optimizer.lr": 1e-7}])
    job = start_sweep(settings)
    assert job.wait(timeout=240)
    assert job.error is None and job.status == RunStatus.COMPLETED
    trials = [e for e in job.snapshot().events if e["event"] == "trial"]
    assert [e["ended"] for e in trials] == [1, 2, 3]
    view = read_sweep(tmp_path / "sweep")
    hopeless = next(r for r in view.rows if r["params"]["optimizer.lr"] == 1e-7)
    assert hopeless["status"] == "pruned"
    summary = RunDir.open(hopeless["run_dir"]).summary()
    assert summary.status == RunStatus.STOPPED and summary.epochs_run < 8
    assert summary.message.startswith("pruned by the sweep after epoch")
    assert view.best is not None and view.best["params"]["optimizer.lr"] in (0.05, 0.03)
    assert view.best_recipe is not None and view.counts() == {"completed": 2, "pruned": 1}


def test_a_sweep_through_ray_tune_on_a_local_ray(recipe_file, tmp_path, capsys) -> None:
    ray = pytest.importorskip("ray")
    out = tmp_path / "sweep"
    code, text, err = run_cli(["sweep", str(recipe_file), "--space", str(space_file(tmp_path, SPACE)),
                               "--trials", "2", "--parallel", "2", "--ray", "local", "--out", str(out)], capsys)
    assert code == 0, err
    _check_finished_sweep(out, 2)
    assert not ray.is_initialized() and "best: trial" in text


def test_sigterm_saves_the_running_trial_as_stopped_and_says_how_to_continue(tmp_path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    raw = tiny_recipe(epochs=400)
    raw["regularization"]["early_stopping"] = None
    recipe = tmp_path / "long.json"
    recipe.write_text(json.dumps(raw), encoding="utf-8")
    out = tmp_path / "sweep"
    argv = [sys.executable, "-m", "studio.cli", "sweep", str(recipe), "--space", str(space_file(tmp_path, SPACE)),
            "--trials", "2", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not list((out / "runs").glob("*/metrics.csv")):
        time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143 and "run the same command to continue" in err, err
    rows = _rows(out)
    assert [r["status"] for r in rows] == ["interrupted"]
    assert RunDir.open(rows[0]["run_dir"]).summary().status == RunStatus.STOPPED
