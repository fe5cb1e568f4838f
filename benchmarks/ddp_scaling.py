"""Data-parallel training on this machine: samples per second of 2 processes against 1, and what the
distributed step costs over a single-process step.

Three ways to train the same model (MLP F-H-H-2 on synthetic rows, Adam, the recipe's global batch)
are timed in interleaved rounds, each figure the median of the rounds:

* ``plain``: the single-process Trainer, threads by the studio's policy (cores - 1 on an idle machine);
* ``ddp1``: the DistributedTrainer in a 1-process gloo group (started by torchrun): DDP's wrapper,
  the per-batch stop vote, the reduced epoch figures, but nothing to share; ``ddp1 / plain`` is
  the distributed step's overhead;
* ``ddp2``: 2 processes started by torchrun (gloo), each training half of every batch with 1 thread
  (torchrun's OMP_NUM_THREADS=1); ``ddp2 / plain`` is the scaling.

Samples per second are the training part of the last epoch (the first warms up), as EpochEnd
reports them (for ddp2: all rows of both processes). Honest about the machine: on a 2-core VM two
processes have one core each and share it with anything else running; the gradient all-reduce
goes through loopback TCP every step. GPUs: run with ``--device cuda`` on a machine with 2 GPUs
(NCCL).

    .venv/bin/python benchmarks/ddp_scaling.py [--rows 65536] [--features 32] [--hidden 256]
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
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studio.parallel.checks import free_port  # noqa: E402
from studio.recipe import Recipe  # noqa: E402
from studio.train.callbacks import History  # noqa: E402
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


def last_epoch(history: History) -> float:
    return history.epochs[-1].samples_per_sec


def plain(args: argparse.Namespace) -> float:
    trainer = Trainer(make_model(args.features, args.hidden), make_data(args.rows, args.features), make_recipe(args),
                      "classification", 2)
    trainer.fit()
    return last_epoch(trainer.history)


def worker(args: argparse.Namespace) -> None:
    """One process under torchrun: the DistributedTrainer; rank 0 writes its samples per second."""
    from studio.parallel.context import join, leave
    from studio.parallel.trainer import DistributedTrainer

    ctx = join(args.device)
    try:
        trainer = DistributedTrainer(make_model(args.features, args.hidden), make_data(args.rows, args.features),
                                     make_recipe(args), "classification", 2, ctx)
        trainer.fit()
        if ctx.is_main:
            Path(args.result).write_text(json.dumps({"sps": last_epoch(trainer.history),
                                                     "device": trainer.device_name}))
    finally:
        leave()


def distributed(args: argparse.Namespace, nproc: int) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc-per-node", str(nproc),
               "--master-addr", "127.0.0.1", "--master-port", str(free_port()), "--max-restarts", "0",
               __file__, "--worker", "--result", str(result), *_passed(args)]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "LOGLEVEL": "ERROR"}
        subprocess.run(cmd, check=True, env=env, cwd=ROOT)
        got = json.loads(result.read_text())
        return float(got["sps"]), str(got["device"])


def _passed(args: argparse.Namespace) -> list[str]:
    return [f"--{k}={getattr(args, k)}" for k in ("rows", "features", "hidden", "batch", "epochs", "device")]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=65536)
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
    runs: dict[str, list[float]] = {"plain": [], "ddp1": [], "ddp2": []}
    devices: dict[str, str] = {}
    for r in range(args.rounds):
        runs["plain"].append(plain(args))
        for n in (1, 2):
            sps, devices[f"ddp{n}"] = distributed(args, n)
            runs[f"ddp{n}"].append(sps)
        print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in runs.items()), flush=True)
    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"machine: {os.cpu_count()} cores, torch {torch.__version__}; rows {args.rows}, MLP {args.features}-"
          f"{args.hidden}-{args.hidden}-2, global batch {args.batch}, epochs {args.epochs}, rounds {args.rounds}")
    for k, v in med.items():
        step_ms = 1000.0 * args.batch / v
        print(f"{k:<6} {v:>10,.0f} samples/s  {step_ms:7.2f} ms per global batch  {devices.get(k, 'plain Trainer')}")
    print(f"overhead of the distributed step (ddp1 / plain): {med['ddp1'] / med['plain']:.2f}")
    print(f"ratio: {med['ddp2'] / med['plain']:.2f} (2 processes / 1 process, samples per second)")


if __name__ == "__main__":
    main()
