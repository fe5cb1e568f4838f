"""How many CPU threads training uses: the policy's decisions, the busy-core reading, training.threads."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
import torch

from studio.errors import RecipeError
from studio.recipe import Recipe
from studio.train import threads as th
from studio.train.device import use_cpu_threads_for_training
from studio.train.trainer import Trainer
from tests.train.conftest import Recorder, make_recipe, tiny_model

CPU = torch.device("cpu")


@pytest.mark.parametrize(("cores", "busy", "default", "expected"), [
    (1, 0.0, 1, 1),    # one core: one thread, never zero
    (2, 0.0, 2, 1),    # one core is left over, for the app, the browser, a test run
    (2, 1.0, 2, 1),    # the case: torch's default of 2 beside one busy process
    (2, 2.0, 2, 1),    # everything busy: still one thread
    (8, 0.0, 8, 7),
    (8, 0.4, 8, 7),    # a core counts as busy from half its time on
    (8, 0.5, 8, 7),
    (8, 1.6, 8, 6),
    (8, 3.0, 8, 5),
    (8, 9.5, 8, 1),
    (16, 0.0, 8, 8),   # never more than torch's default (physical cores, or OMP_NUM_THREADS)
    (8, 0.0, 1, 1),    # OMP_NUM_THREADS=1 stands
    (4, -0.2, 4, 3),   # a reading below 0 (ticks counted late) is 0
])
def test_policy_decisions(cores, busy, default, expected) -> None:
    assert th.policy_threads(cores, busy, torch_default=default) == expected


@pytest.mark.parametrize(("v2", "v1", "expected"), [
    ("200000 100000\n", None, 2),          # docker --cpus=2 (cgroup v2)
    ("150000 100000\n", None, 2),          # 1.5 CPUs: two threads may run, on part of the time
    ("max 100000\n", None, None),          # no quota
    (None, ("50000\n", "100000\n"), 1),    # cgroup v1
    (None, ("-1\n", "100000\n"), None),
    ("garbage", None, None),
])
def test_a_container_quota_limits_the_cores(v2, v1, expected) -> None:
    assert th.cgroup_cpu_limit(v2=v2, v1=v1) == expected


def test_usable_cores_stay_within_the_quota(monkeypatch) -> None:
    monkeypatch.setattr(th, "cgroup_cpu_limit", lambda: 1)
    assert th.usable_cores() == 1
    monkeypatch.setattr(th, "cgroup_cpu_limit", lambda: 10_000)  # a quota above the cores there are
    assert th.usable_cores() == (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())


def _stat(busy: int, idle: int, cpus: int = 2) -> str:
    """A /proc/stat text: ``busy`` ticks split over user and system (+ steal), ``idle`` over idle and iowait."""
    lines = [f"cpu  {busy - 20} 0 10 {idle - 5} 5 0 0 10 0 0"]
    lines += [f"cpu{i} 1 0 1 1 0 0 0 0 0 0" for i in range(cpus)]
    return "\n".join([*lines, "intr 12345 0 0", "ctxt 999"])


def test_busy_cores_from_proc_stat_ticks() -> None:
    readings = iter([_stat(busy=1000, idle=5000), _stat(busy=1000 + 30, idle=5000 + 30)])
    slept: list[float] = []
    # 30 of 60 ticks busy on 2 CPUs: one core's worth
    assert th.busy_cores(0.3, read=lambda: next(readings), sleep=slept.append) == pytest.approx(1.0)
    assert slept == [0.3]
    readings = iter([_stat(busy=500, idle=500, cpus=8), _stat(busy=500 + 24, idle=500 + 216, cpus=8)])
    assert th.busy_cores(0.3, read=lambda: next(readings), sleep=lambda s: None) == pytest.approx(0.8)
    same = _stat(busy=10, idle=10)
    assert th.busy_cores(0.1, read=lambda: same, sleep=lambda s: None) == 0.0  # no ticks passed


@pytest.mark.skipif(not th._STAT.is_file(), reason="needs Linux /proc/stat")
def test_a_spinning_process_reads_as_a_busy_core() -> None:
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)  # past the interpreter's start
        assert th.busy_cores(0.3) >= 0.6  # other engineers' work on a shared machine only adds to it
    finally:
        spinner.kill()
        spinner.wait()


def test_choose_threads_measures_only_when_it_can_matter() -> None:
    measured: list[bool] = []

    def measure() -> float:
        measured.append(True)
        return 2.0

    assert th.choose_threads(3, cores=8, measure=measure) == th.ThreadChoice(3, "training.threads")
    assert th.choose_threads(None, cores=2, measure=measure).threads == 1
    assert measured == []  # 2 cores: the policy says 1 whatever the load, no 0.15 s spent measuring
    choice = th.choose_threads(None, cores=8, measure=measure)
    assert measured == [True]
    assert choice.threads == th.policy_threads(8, 2.0) and "2.0 busy" in choice.reason


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_the_policy_applies_in_the_main_thread_too(monkeypatch, restore_threads) -> None:
    """The CLI trains in the main thread: it used to keep torch's default there (2 threads on 2 cores)."""
    assert threading.current_thread() is threading.main_thread()
    monkeypatch.setattr(th, "TORCH_DEFAULT", 4)
    monkeypatch.setattr(th, "usable_cores", lambda: 4)
    monkeypatch.setattr(th, "busy_cores", lambda: 1.0)
    torch.set_num_threads(4)
    use_cpu_threads_for_training(CPU)
    assert torch.get_num_threads() == 2  # 4 cores, one busy, one left over


def test_training_threads_overrides_the_policy_in_a_job_thread(restore_threads) -> None:
    seen: list[int] = []

    def in_worker() -> None:
        use_cpu_threads_for_training(CPU, threads=2)  # the old rule gave cores - 1 = 1 here on 2 cores
        seen.append(torch.get_num_threads())

    worker = threading.Thread(target=in_worker)
    worker.start()
    worker.join()
    assert seen == [2]


def test_the_trainer_uses_training_threads(cls_data, restore_threads) -> None:
    torch.set_num_threads(1)
    recorder = Recorder()
    Trainer(tiny_model(), cls_data, make_recipe(training={"threads": 2, "epochs": 1}), "classification", 3,
            callbacks=[recorder]).fit()
    assert torch.get_num_threads() == 2
    assert recorder.events[0].device == "cpu (2 threads)"


@pytest.mark.parametrize(("value", "words"), [
    (0, "greater than or equal to 1"), (257, "less than or equal to 256"), ("many", "valid integer"),
])
def test_training_threads_is_validated(value, words) -> None:
    with pytest.raises(RecipeError, match=words) as err:
        Recipe.from_dict({"training": {"threads": value}})
    assert "training.threads" in str(err.value)


def test_training_threads_defaults_to_the_policy_and_round_trips() -> None:
    assert Recipe().training.threads is None
    recipe = Recipe.from_dict({"training": {"threads": 3}})
    assert Recipe.from_dict(recipe.to_dict()).training.threads == 3
    assert "Blank" in Recipe.model_fields["training"].annotation.model_fields["threads"].description


def test_jobs_that_share_the_cores_get_their_share_of_threads(monkeypatch) -> None:
    def idle() -> float:
        return 0.0

    real = th.policy_threads
    monkeypatch.setattr(th, "policy_threads", lambda cores, busy: real(cores, busy, torch_default=cores))

    assert th.choose_threads(None, cores=8, measure=idle, jobs=1).threads == 7  # alone: all cores but one
    assert th.choose_threads(None, cores=8, measure=idle, jobs=4).threads == 2
    assert th.choose_threads(None, cores=8, measure=idle, jobs=30).threads == 1
    capped = th.choose_threads(6, cores=8, measure=idle, jobs=4)
    assert capped.threads == 2 and "capped" in capped.reason  # training.threads too, when jobs share the cores
    assert th.choose_threads(6, cores=8, measure=idle, jobs=1) == th.ThreadChoice(6, "training.threads")


def test_a_job_started_beside_others_trains_with_its_share(restore_threads, monkeypatch) -> None:
    """The Job records the sharers on its own thread; the Trainer's thread setting reads them there."""
    from studio.train.job import Job

    monkeypatch.setattr(th, "usable_cores", lambda: 4)
    monkeypatch.setattr(th, "TORCH_DEFAULT", 4)
    seen: list[int] = []

    def target(control) -> None:
        use_cpu_threads_for_training(CPU)
        seen.append(torch.get_num_threads())

    job = Job(target)
    job.start(sharers=4)
    assert job.wait(10)
    assert seen == [1]  # 4 cores // 4 jobs (the policy alone would say 3)
