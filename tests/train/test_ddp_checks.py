"""Data-parallel training without starting processes: the bad inputs (one sentence, exit 2), how a batch
is shared, and the distributed Trainer in a one-process gloo group against the plain Trainer."""

from __future__ import annotations

import itertools
import json
import socket
from pathlib import Path

import pytest
import torch
import torch.distributed as dist

from studio.cli import main
from studio.errors import TrainingError
from studio.parallel import checks
from studio.parallel.context import ParallelContext
from studio.parallel.launch import _failed, describe_exit
from studio.parallel.trainer import DistributedTrainer, _share
from studio.runs import RunDir, RunSummary
from studio.status import RunStatus
from studio.train.threads import usable_cores
from studio.train.trainer import Trainer
from tests.train.conftest import N_CLASSES, make_recipe, tiny_model, toy_classification
from tests.train.ddp_helpers import recipe_file


def _error(argv: list[str], capsys) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    return err.removeprefix("error: ")


@pytest.mark.parametrize("n", ["0", "-1"])
def test_nproc_below_one_is_refused(tmp_path, capsys, n: str) -> None:
    assert _error(["train", str(recipe_file(tmp_path)), "--nproc", n], capsys) == \
        f"--nproc must be 1 or more processes, got {n}"


def test_more_processes_than_cpu_cores_is_refused(tmp_path, capsys) -> None:
    cores = usable_cores()
    err = _error(["train", str(recipe_file(tmp_path)), "--nproc", str(cores + 1)], capsys)
    assert err.startswith(f"--nproc {cores + 1} asks for more processes than the {cores} CPU core")
    assert f"use --nproc {cores} or fewer" in err
    assert not (tmp_path / "runs").exists()


def test_more_processes_than_gpus_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    with pytest.raises(TrainingError, match=r"^--nproc 3 asks for more processes than this machine's 2 CUDA GPUs; "
                                            r"use --nproc 2 or fewer \(one process per GPU\)$"):
        checks.check_nproc(3, torch.device("cuda"))
    checks.check_nproc(2, torch.device("cuda"))


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_nccl_without_cuda_is_refused(tmp_path, capsys) -> None:
    err = _error(["train", str(recipe_file(tmp_path, device="auto")), "--nproc", "2", "--backend", "nccl"], capsys)
    assert err.startswith("--backend nccl needs CUDA GPUs, but this run trains on the CPU")
    assert err.endswith("use --backend gloo or auto")


@pytest.mark.skipif(usable_cores() < 2, reason="two processes need two cores")
def test_a_port_in_use_is_refused(tmp_path, capsys) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        err = _error(["train", str(recipe_file(tmp_path)), "--nproc", "2", "--master-port", str(port)], capsys)
    assert err == f"--master-port {port} is already in use; choose another port, or leave --master-port out to use " \
                  "a free one"


@pytest.mark.parametrize("flag", [["--master-port", "29500"], ["--backend", "gloo"], ["--timeout", "30"]])
def test_parallel_flags_without_nproc_are_refused(tmp_path, capsys, flag: list[str]) -> None:
    err = _error(["train", str(recipe_file(tmp_path)), *flag], capsys)
    assert err == f"{flag[0]} applies to data-parallel training only; add --nproc 2 (or more), or run under torchrun"


def test_nproc_under_torchrun_is_refused(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "2")
    err = _error(["train", str(recipe_file(tmp_path)), "--nproc", "2"], capsys)
    assert err.startswith("--nproc starts torchrun itself; under torchrun leave it out")


def test_mps_is_refused_for_data_parallel_training() -> None:
    with pytest.raises(TrainingError, match="not on mps"):
        checks.distributed_device("mps")


def test_nproc_one_is_a_plain_run(tmp_path, capsys) -> None:
    assert main(["train", str(recipe_file(tmp_path, epochs=1)), "--nproc", "1", "--out", str(tmp_path / "r"),
                 "--quiet"]) == 0
    (run,) = (tmp_path / "r").iterdir()
    assert "world_size" not in json.loads((run / "summary.json").read_text())


@pytest.mark.parametrize(("k", "world"), [(15, 2), (16, 2), (7, 3), (2, 2), (5, 4)])
def test_shares_cover_the_batch_once_and_weigh_to_its_mean(k: int, world: int) -> None:
    parts = [_share(10, k, r, world) for r in range(world)]
    assert parts[0][0] == 10 and parts[-1][1] == 10 + k
    assert all(a[1] == b[0] for a, b in itertools.pairwise(parts))
    sizes = [hi - lo for lo, hi in parts]
    assert max(sizes) - min(sizes) <= 1
    # DDP averages the processes' gradients: weights share * world / k make that the batch's mean
    assert sum(s * world / k for s in sizes) / world == pytest.approx(1.0)
    assert [list(t) for t in torch.arange(10, 10 + k).tensor_split(world)] == \
        [list(range(lo, hi)) for lo, hi in parts]


def _context(world: int = 1) -> ParallelContext:
    return ParallelContext(0, world, 0, world, "gloo", torch.device("cpu"), dist.group.WORLD, 60.0)


@pytest.fixture
def one_process_group():
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    try:
        yield
    finally:
        dist.destroy_process_group()


def test_a_batch_smaller_than_the_processes_is_refused() -> None:
    recipe = make_recipe(training={"batch_size": 1})
    with pytest.raises(TrainingError, match=r"^training.batch_size 1 is the batch of all 2 processes together, and "
                                            r"each needs at least 1 row of it; use a batch size of 2 or more"):
        DistributedTrainer(tiny_model(), toy_classification(), recipe, "classification", N_CLASSES, _context(2))


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_distributed_trainer_in_one_process_trains_as_the_plain_one(one_process_group, task: str) -> None:
    from tests.train.conftest import toy_regression

    data = toy_classification() if task == "classification" else toy_regression()
    n_out = N_CLASSES if task == "classification" else 1
    recipe = make_recipe(training={"epochs": 3, "batch_size": 20})  # 96 rows: a last batch of 16
    plain = Trainer(tiny_model(n_out=n_out), data, recipe, task, N_CLASSES).fit()
    shared = DistributedTrainer(tiny_model(n_out=n_out), data, recipe, task, N_CLASSES, _context()).fit()
    assert shared.device.endswith("× 1 processes (gloo)")
    for a, b in zip(plain.history, shared.history, strict=True):
        for key in ("train_loss", "val_loss", "train_metric", "val_metric"):
            assert getattr(b, key) == pytest.approx(getattr(a, key), abs=1e-6), key


def test_the_nan_guard_fails_every_process_at_the_same_epoch(one_process_group) -> None:
    recipe = make_recipe(optimizer={"kind": "sgd", "lr": 1e30}, training={"epochs": 3, "batch_size": 16})
    trainer = DistributedTrainer(tiny_model(), toy_classification(), recipe, "classification", N_CLASSES, _context())
    with pytest.raises(TrainingError, match="at epoch 1 "):  # by the epoch's figures, not a batch of one process
        trainer.fit()


def test_exit_codes_are_said_in_words() -> None:
    assert describe_exit(-9) == "was killed by SIGKILL"
    assert describe_exit(1) == "exited with status 1"
    assert describe_exit(143) == "exited after SIGTERM (status 143)"


class _Failure:
    def __init__(self, exitcode: int) -> None:
        self.exitcode = exitcode


def test_a_dead_rank_0_leaves_its_run_marked_failed_by_the_launcher(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, make_recipe())
    run.write_summary(RunSummary(RunStatus.RUNNING, "r", "classification", "accuracy"))
    with pytest.raises(TrainingError, match=r"^process 0 of 2 was killed by SIGKILL; the run is saved as failed in "):
        _failed({0: _Failure(-9), 1: _Failure(2)}, 2, run.path)
    s = run.read_summary()
    assert s.status == RunStatus.FAILED and s.message.startswith("process 0 of 2 was killed by SIGKILL")


def test_the_process_that_died_is_named_not_the_one_torchrun_stopped_after_it(tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match=r"^process 1 of 2 was killed by SIGKILL before a run directory was "
                                            r"made; nothing was saved$"):
        _failed({0: _Failure(-15), 1: _Failure(-9)}, 2, None)


def test_processes_that_said_their_own_error_pass_on_status_2(tmp_path: Path) -> None:
    assert _failed({0: _Failure(2), 1: _Failure(2)}, 2, None) == 2


def test_early_stopping_is_agreed_and_ends_the_run_as_early_stopped(one_process_group) -> None:
    recipe = make_recipe(optimizer={"kind": "sgd", "lr": 1e-12},
                         regularization={"early_stopping": {"patience": 1, "monitor": "val_loss", "min_delta": 0.1}},
                         training={"epochs": 5, "batch_size": 16})
    fit = DistributedTrainer(tiny_model(), toy_classification(), recipe, "classification", N_CLASSES,
                             _context()).fit()
    assert fit.status == RunStatus.EARLY_STOPPED and fit.epochs_run == 2


def test_a_stop_is_voted_every_few_batches_and_read_one_vote_later(one_process_group) -> None:
    from studio.parallel.vote import AgreedControl
    from tests.train.conftest import StopAt

    control = AgreedControl(StopAt(3), dist.group.WORLD, every=4)  # asks at its 3rd batch
    answers = [control.checkpoint() for _ in range(8)]
    control.close()
    assert answers == [True] * 7 + [False]  # cast with the vote of batch 4, read at batch 8, by every process
