"""What the classroom's probes cost training: a 2-8-8-2 network on moons with the live decision boundary
and the health probe against the same run without probes (targets: ratio >= 0.90, and at least 2
boundary redraws a second available to the page).

Both run the Trainer inside a Job, as the app does, on the CPU, with the boundary probe every
``--interval`` seconds (0.4, its default: the Train page polls every 0.5 s while it draws the boundary)
and the health probe every 1 s. Rounds alternate (bare, probed, ...) so other load hits both alike;
each figure is the median. ``redraws/s`` is the boundary views the probe emitted per second of training
(after epochs and during them): the most the page can redraw. The last line is ``ratio: X.XX`` (probed
samples/s divided by bare samples/s).

    .venv/bin/python benchmarks/probe_overhead.py [--rows 20000] [--epochs 20] [--rounds 5] [--threads 1]
        [--interval 0.4]
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
from studio.train.boundary import BoundaryEnd, BoundaryProbe
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


class _Looks:
    """Counts the boundary views a run emits."""

    stop_reason = None

    def __init__(self) -> None:
        self.n = 0

    def on_event(self, event: object) -> None:
        self.n += isinstance(event, BoundaryEnd) and not event.final


def _run(data: TensorData, epochs: int, threads: int, probed: bool, interval: float) -> tuple[float, float]:
    """(training samples per second, boundary views per second)."""
    recipe = Recipe.from_dict({"optimizer": {"kind": "adam", "lr": 0.01}, "regularization": {"early_stopping": None},
                               "training": {"epochs": epochs, "batch_size": 32, "device": "cpu",
                                            "threads": threads}})
    probes = [BoundaryProbe(interval=interval), HealthProbe()] if probed else []
    looks = _Looks()

    def target(control: JobControl) -> tuple[float, float]:
        trainer = Trainer(_net(), data, recipe, "classification", 2, callbacks=[control, looks], control=control,
                          probes=probes)
        t0 = time.perf_counter()
        trainer.fit()
        seconds = time.perf_counter() - t0
        return data.n_train * epochs / seconds, looks.n / seconds

    job = Job(target)
    job.start()
    job.wait()
    return job.result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=20_000)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--interval", type=float, default=0.4, help="seconds between two boundary views")
    args = p.parse_args()
    data = _data(args.rows)
    _run(data, 1, args.threads, True, args.interval)  # warm up: imports, the optimizer's first build
    bare, probed, redraws = [], [], []
    for _ in range(args.rounds):
        bare.append(_run(data, args.epochs, args.threads, False, args.interval)[0])
        speed, looks = _run(data, args.epochs, args.threads, True, args.interval)
        probed.append(speed)
        redraws.append(looks)
    b, pr = statistics.median(bare), statistics.median(probed)
    print(f"bare: {b:,.0f} samples/s; with boundary (every {args.interval} s) and health probes: {pr:,.0f} samples/s")
    print(f"redraws/s: {statistics.median(redraws):.2f} (boundary views emitted per second of training)")
    print(f"ratio: {pr / b:.2f}")


if __name__ == "__main__":
    main()
