"""What the classroom's probes cost training: a 2-8-8-2 network on moons with the live decision boundary
and the health probe against the same run without probes (target: ratio >= 0.90).

Both run the Trainer inside a Job, as the app does, on the CPU, with the probes' default intervals
(boundary every 0.4 s, health every 1 s; the page redraws them no faster). Rounds alternate (bare,
probed, ...) so other load hits both alike; each figure is the median; the last line is ``ratio: X.XX``
(probed samples/s divided by bare samples/s).

    .venv/bin/python benchmarks/probe_overhead.py [--rows 20000] [--epochs 20] [--rounds 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from sklearn.datasets import make_moons
from torch import nn

from studio.recipe import Recipe
from studio.train.boundary import BoundaryProbe
from studio.train.health import HealthProbe
from studio.train.job import Job, JobControl
from studio.train.tensors import TensorData
from studio.train.trainer import Trainer


def _data(rows: int) -> TensorData:
    x, y = make_moons(rows + rows // 5, noise=0.2, random_state=0)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
    return TensorData(x[:rows], y[:rows].astype(np.int64), x[rows:], y[rows:].astype(np.int64))


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 2))


def _run(data: TensorData, epochs: int, threads: int, probed: bool) -> float:
    recipe = Recipe.from_dict({"optimizer": {"kind": "adam", "lr": 0.01}, "regularization": {"early_stopping": None},
                               "training": {"epochs": epochs, "batch_size": 32, "device": "cpu",
                                            "threads": threads}})
    probes = [BoundaryProbe(), HealthProbe()] if probed else []

    def target(control: JobControl) -> float:
        trainer = Trainer(_net(), data, recipe, "classification", 2, callbacks=[control], control=control,
                          probes=probes)
        t0 = time.perf_counter()
        trainer.fit()
        return data.n_train * epochs / (time.perf_counter() - t0)

    job = Job(target)
    job.start()
    job.wait()
    return float(job.result)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=20_000)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    data = _data(args.rows)
    _run(data, 1, args.threads, True)  # warm up: imports, the optimizer's first build
    bare, probed = [], []
    for _ in range(args.rounds):
        bare.append(_run(data, args.epochs, args.threads, False))
        probed.append(_run(data, args.epochs, args.threads, True))
    b, pr = statistics.median(bare), statistics.median(probed)
    print(f"bare: {b:,.0f} samples/s; with boundary and health probes: {pr:,.0f} samples/s")
    print(f"ratio: {pr / b:.2f}")


if __name__ == "__main__":
    main()
