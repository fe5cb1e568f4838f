"""Data-parallel training on this machine: samples per second of 2 processes against 1, and what the
distributed step costs over a single-process step.

Three ways to train the same model (MLP F-H-H-2 on synthetic rows, Adam, the same global batch)
are timed in interleaved rounds; samples/s are medians of the rounds, ratios the median (and
range) of each round's own ratio (runs of one round are close in time):

* ``plain``: the single-process Trainer, threads by the studio's policy (1 on a 2-core machine);
* ``ddp1``: the DistributedTrainer in a 1-process gloo group, in this process beside ``plain`` and
  with the same threads: DDP's wrapper and all-reduce, the per-batch stop vote, the reduced epoch
  figures, with nothing to share. ``ddp1 / plain`` is the distributed step's overhead, given in
  wall time and in CPU time of the process (all its threads, gloo's included), which other
  programs on a shared machine disturb far less;
* ``ddp2``: 2 processes started by torchrun (gloo), each training its half of every batch with one
  thread; ``ddp2 / plain`` (wall time) is the scaling.

Samples per second are those of the last epoch (the first warms up): wall time of its training
part as EpochEnd reports it (ddp2: the rows of both processes), CPU time of the whole epoch
(validation on 1/16 more rows included). Honest about the machine: on a 2-core VM two processes
have one core each and share them with anything else running, and the gradients go through
loopback TCP at every step. On a machine with 2 GPUs, ``--device cuda`` runs ddp2 on NCCL.

    .venv/bin/python benchmarks/ddp_scaling.py [--rows 32768] [--features 32] [--hidden 256]
        [--batch 512] [--epochs 2] [--rounds 3] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studio.parallel.checks import free_port  # noqa: E402
from studio.parallel.context import ParallelContext  # noqa: E402
from studio.recipe import Recipe  # noqa: E402
from studio.train.callbacks import Callback  # noqa: E402
from studio.train.events import EpochEnd, Event, Started  # noqa: E402
from studio.train.tensors import TensorData  # noqa: E402
from studio.train.trainer import Trainer  # noqa: E402


def make_data(rows: int, features: int, seed: int = 0) -> TensorData:
    rng = np.random.default_rng(seed)
    val = max(rows // 16, 64)
    x = rng.normal(size=(rows + val, features)).astype(np.float32)
    y = (x @ rng.normal(size=features) + 0.5 * rng.normal(size=len(x)) > 0).astype(np.int64)
    return TensorData(x[:rows], y[:rows], x[rows:], y[rows:])


def make_model(features: int, hidden: int) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, 2))


def make_recipe(args: argparse.Namespace) -> Recipe:
    return Recipe.from_dict({"regularization": {"early_stopping": None},
                             "training": {"epochs": args.epochs, "batch_size": args.batch, "device": args.device,
                                          "seed": 0}})


class EpochCpu(Callback):
    """CPU seconds of the process (every thread) per epoch, from one EpochEnd (or Started) to the next."""

    def __init__(self) -> None:
        self.mark = 0.0
        self.cpu: list[float] = []

    def on_event(self, event: Event) -> None:
        now = time.process_time()
        if isinstance(event, EpochEnd):
            self.cpu.append(now - self.mark)
        if isinstance(event, Started | EpochEnd):
            self.mark = now


def one_process_context(args: argparse.Namespace) -> ParallelContext:
    if not dist.is_initialized():
        dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    return ParallelContext(0, 1, 0, 1, "gloo", torch.device(args.device), dist.group.WORLD, 120.0)


def in_process(args: argparse.Namespace, distributed: bool) -> tuple[float, float, str]:
    """(samples/s of wall time, samples/s of process CPU time, device) of the last epoch."""
    data, recipe, model = make_data(args.rows, args.features), make_recipe(args), make_model(args.features, args.hidden)
    clock = EpochCpu()
    if distributed:
        from studio.parallel.trainer import DistributedTrainer

        trainer: Trainer = DistributedTrainer(model, data, recipe, "classification", 2, one_process_context(args),
                                              callbacks=[clock])
    else:
        trainer = Trainer(model, data, recipe, "classification", 2, callbacks=[clock])
    fit = trainer.fit()
    return fit.history[-1].samples_per_sec, args.rows / clock.cpu[-1], fit.device


def worker(args: argparse.Namespace) -> None:
    """One process under torchrun: the DistributedTrainer; rank 0 writes its samples per second."""
    from studio.parallel.context import join, leave
    from studio.parallel.trainer import DistributedTrainer

    ctx = join(args.device)
    try:
        trainer = DistributedTrainer(make_model(args.features, args.hidden), make_data(args.rows, args.features),
                                     make_recipe(args), "classification", 2, ctx)
        fit = trainer.fit()
        if ctx.is_main:
            Path(args.result).write_text(json.dumps({"sps": fit.history[-1].samples_per_sec, "device": fit.device}))
    finally:
        leave()


def two_processes(args: argparse.Namespace) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc-per-node", "2",
               "--master-addr", "127.0.0.1", "--master-port", str(free_port()), "--max-restarts", "0",
               __file__, "--worker", "--result", str(result),
               *[f"--{k}={getattr(args, k)}" for k in ("rows", "features", "hidden", "batch", "epochs", "device")]]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "LOGLEVEL": "ERROR"}
        subprocess.run(cmd, check=True, env=env, cwd=ROOT)
        got = json.loads(result.read_text())
        return float(got["sps"]), str(got["device"])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=32768)
    p.add_argument("--features", type=int, default=32)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--device", default="cpu")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--result", default="", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args)
        return
    wall: dict[str, list[float]] = {"plain": [], "ddp1": [], "ddp2": []}
    cpu: dict[str, list[float]] = {"plain": [], "ddp1": []}
    devices: dict[str, str] = {}
    for r in range(args.rounds):
        for name, distributed in (("plain", False), ("ddp1", True)):
            w, c, devices[name] = in_process(args, distributed)
            wall[name].append(w)
            cpu[name].append(c)
        w, devices["ddp2"] = two_processes(args)
        wall["ddp2"].append(w)
        print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in wall.items()) + " samples/s; cpu "
              + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in cpu.items()), flush=True)
    med = {k: statistics.median(v) for k, v in wall.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"machine: {os.cpu_count()} cores, torch {torch.__version__}; rows {args.rows}, MLP {args.features}-"
          f"{args.hidden}-{args.hidden}-2, global batch {args.batch}, epochs {args.epochs}, rounds {args.rounds}")
    for k, v in med.items():
        extra = f", {med_cpu[k]:,.0f} per CPU second" if k in med_cpu else ""
        print(f"{k:<6} {v:>9,.0f} samples/s ({1000.0 * args.batch / v:6.2f} ms per global batch{extra})  {devices[k]}")
    over_wall = paired(wall["ddp1"], wall["plain"])
    over_cpu = paired(cpu["ddp1"], cpu["plain"])
    scaling = paired(wall["ddp2"], wall["plain"])
    print(f"overhead of the distributed step (ddp1 / plain, median of the rounds' ratios [range]): wall "
          f"{describe(over_wall)}, CPU {describe(over_cpu)}")
    print(f"ratio: {statistics.median(scaling):.2f} (2 processes / 1 process, samples per second; rounds "
          f"{min(scaling):.2f}-{max(scaling):.2f})")


def paired(a: list[float], b: list[float]) -> list[float]:
    """Each round's ratio: runs of one round are close in time, so other programs disturb them alike."""
    return [x / y for x, y in zip(a, b, strict=True)]


def describe(ratios: list[float]) -> str:
    return f"{statistics.median(ratios):.2f} [{min(ratios):.2f}-{max(ratios):.2f}]"


if __name__ == "__main__":
    main()
