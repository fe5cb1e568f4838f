"""Training in a worker process: the same run as in a thread, live events, pause/stop, the plane, failures."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import sys
import time
from pathlib import Path

import pytest
import torch

from studio.data.access import DataAccess
from studio.pipeline import prepare, train_recipe
from studio.recipe import load_recipe
from studio.runs import RunDir
from studio.status import RunStatus
from studio.train.boundary import BoundaryProbe
from studio.train.job import Job
from studio.train.plane import PlaneChoice
from studio.train.worker import WorkerCall, _ChildControl, train_in_worker

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "recipes"


def _recipe(name: str, epochs: int, early_stopping: bool = False):
    recipe = load_recipe(ASSETS / f"{name}.json")
    reg = recipe.regularization.model_dump()
    if not early_stopping:
        reg["early_stopping"] = None
    return recipe.updated(training={**recipe.training.model_dump(), "epochs": epochs}, regularization=reg)


def _job(recipe, root: Path, nice: int = 0) -> tuple[Job, dict, BoundaryProbe]:
    """A Job training ``recipe`` in a worker as the app does; the dict gets "run_dir"; the page's probe."""
    info: dict = {}
    prepared = prepare(recipe)
    probe = BoundaryProbe.for_data(prepared)
    call = WorkerCall(recipe, root, prepared, DataAccess.cli(), "someone", None, probe, 1, nice)
    job = Job(lambda control: train_in_worker(call, control, probe, lambda p: info.setdefault("run_dir", p)),
              name=recipe.name)
    return job, info, probe


def _weights(run: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(run / RunDir.WEIGHTS)


def test_a_run_in_a_worker_is_the_run_a_thread_trains(tmp_path: Path) -> None:
    recipe = _recipe("iris-mlp", 12)
    job, info, _ = _job(recipe, tmp_path / "worker")
    job.start()
    assert job.wait(120)
    assert job.status == RunStatus.COMPLETED, job.error
    snap = job.snapshot()
    epochs = [e for e in snap.events if e["event"] == "epoch"]
    assert len(epochs) == 12 and snap.finished["status"] == "completed"
    assert snap.latest["boundary"]["final"] and snap.latest["boundary"]["classes"] == 3  # the probe ran there
    assert {"health", "histograms"} <= set(snap.latest)
    run = Path(info["run_dir"])
    assert job.result.run_dir == run and job.result.summary.status == RunStatus.COMPLETED
    assert json.loads((run / "owner.json").read_text())["user"]  # the session's user went along

    here = train_recipe(recipe, runs_root=tmp_path / "thread", prepared=prepare(recipe))
    ours, theirs = _weights(run), _weights(here.run_dir)
    assert ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours)
    assert job.result.summary.test_scalars() == here.summary.test_scalars()


def _until(pred, timeout: float = 60) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def _epochs(job: Job) -> int:
    return sum(e["event"] == "epoch" for e in job.snapshot().events)


def test_pause_resume_and_stop_reach_the_worker(tmp_path: Path) -> None:
    job, info, _ = _job(_recipe("iris-mlp", 100_000), tmp_path)
    job.start()
    assert _until(lambda: _epochs(job) >= 2)
    job.pause()
    time.sleep(0.3)  # the batch under way ends, and its epoch event arrives
    held = _epochs(job)
    time.sleep(0.6)
    assert _epochs(job) - held <= 1 and job.status == RunStatus.PAUSED
    job.resume()
    assert _until(lambda: _epochs(job) >= held + 3)
    job.stop()
    assert job.wait(30)
    assert job.status == RunStatus.STOPPED
    assert RunDir(Path(info["run_dir"])).read_summary().status == RunStatus.STOPPED  # saved as stopped


def test_the_plane_chosen_on_the_page_reaches_the_running_worker(tmp_path: Path) -> None:
    recipe = _recipe("breast-cancer-mlp", 100_000)
    job, _, page_probe = _job(recipe, tmp_path)
    job.start()
    assert _until(lambda: "boundary" in job.snapshot().latest)
    assert job.snapshot().latest["boundary"]["plane"] == "pca"
    x, y = page_probe.numeric[:2]
    page_probe.set_plane(PlaneChoice("features", (x, y)))
    assert _until(lambda: job.snapshot().latest["boundary"]["plane"] == "features", 30)
    assert job.snapshot().latest["boundary"]["x_label"] == x
    job.stop()
    assert job.wait(30)


def test_a_bad_recipe_fails_with_its_sentence(tmp_path: Path) -> None:
    recipe = _recipe("iris-mlp", 3)
    recipe = recipe.updated(data={**recipe.data.model_dump(), "source": "csv:nowhere.csv"})
    call = WorkerCall(recipe, tmp_path, None, DataAccess.cli(), "", None, None, 1)
    job = Job(lambda control: train_in_worker(call, control), name="bad")
    job.start()
    assert job.wait(60)
    assert job.status == RunStatus.FAILED
    assert "nowhere.csv" in job.error and not job.error.startswith("unexpected")
    assert not any(tmp_path.iterdir())  # nothing half-made


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_worker_that_dies_fails_its_run_and_the_server_goes_on(tmp_path: Path) -> None:
    job, _, _ = _job(_recipe("iris-mlp", 100_000), tmp_path)
    job.start()
    assert _until(lambda: _epochs(job) >= 1)
    worker = next(p for p in mp.active_children() if p.name == "studio-train-worker")
    os.kill(worker.pid, signal.SIGKILL)  # as the out-of-memory killer would
    assert job.wait(30)
    assert job.status == RunStatus.FAILED
    assert "killed by signal 9" in job.error and "server is fine" in job.error
    again, _, _ = _job(_recipe("iris-mlp", 2), tmp_path)  # the next run starts as usual
    again.start()
    assert again.wait(60) and again.status == RunStatus.COMPLETED


def test_a_worker_stops_when_the_server_is_gone() -> None:
    here, there = mp.Pipe(duplex=True)
    control = _ChildControl(there, None)
    assert control.checkpoint()
    here.send(("pause",))
    here.close()  # the server died while its run was paused
    assert control.checkpoint() is False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_worker_trains_at_the_lower_priority_it_was_given(tmp_path: Path) -> None:
    job, _, _ = _job(_recipe("iris-mlp", 100_000), tmp_path, nice=7)
    job.start()
    assert _until(lambda: _epochs(job) >= 1)
    worker = next(p for p in mp.active_children() if p.name == "studio-train-worker")
    fields = Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()
    assert int(fields[16]) >= os.nice(0) + 7  # the 19th field of stat: nice (the forkserver's if it is more)
    job.stop()
    assert job.wait(30)


def test_a_worker_does_not_run_the_main_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit makes the page script ``__main__`` while it runs it: a worker must not run the app."""
    import types

    marker = tmp_path / "ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('the page ran')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    job, _, _ = _job(_recipe("iris-mlp", 2), tmp_path / "runs")
    job.start()
    assert job.wait(60) and job.status == RunStatus.COMPLETED, job.error
    assert not marker.exists()
    assert sys.modules["__main__"] is page  # given back


@pytest.mark.skipif(sys.platform != "linux", reason="a forkserver: Linux only")
def test_warm_up_makes_the_workers_ready() -> None:
    from studio.train.worker import ready, warm_up

    warm_up()
    assert _until(ready, 120)


def test_the_forkserver_reads_the_priority_the_server_sets() -> None:
    from studio import worker_priority
    from studio.train import worker

    assert worker_priority.NICE_ENV == worker.NICE_ENV
    assert worker.PRELOAD[0] == "studio.worker_priority"  # before torch's seconds of imports
