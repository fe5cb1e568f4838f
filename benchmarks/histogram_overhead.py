"""What the histograms over epochs cost training: an 8-layer MLP on moons with the HistogramProbe against
the same run without it (target: ratio >= 0.95, i.e. the probe costs at most 5%).

Both run the Trainer inside a Job, as the app does, on the CPU, with the probe's defaults (a reading
after an epoch when it costs under 2% of the time since the last one, and after the last epoch). Rounds
alternate (bare, probed, ...) so other load hits both alike; each figure is the median; the last line is
``ratio: X.XX`` (probed samples/s divided by bare samples/s). It also prints how many epochs were read,
and the same ratio per CPU second of the training thread (less moved by other processes' load).

    .venv/bin/python benchmarks/histogram_overhead.py [--rows 20000] [--epochs 20] [--rounds 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from moons_data import moons
from torch import nn

from studio.recipe import Recipe
from studio.train.histograms import HistogramProbe
from studio.train.job import Job, JobControl
from studio.train.tensors import TensorData
from studio.train.trainer import Trainer

LAYERS, UNITS = 8, 32


def _net() -> nn.Module:
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    width = 2
    for _ in range(LAYERS - 1):
        layers += [nn.Linear(width, UNITS), nn.Tanh()]
        width = UNITS
    return nn.Sequential(*layers, nn.Linear(width, 2))


def _run(data: TensorData, epochs: int, threads: int, probed: bool) -> tuple[float, float, int]:
    recipe = Recipe.from_dict({"optimizer": {"kind": "adam", "lr": 0.01}, "regularization": {"early_stopping": None},
                               "training": {"epochs": epochs, "batch_size": 32, "device": "cpu",
                                            "threads": threads}})
    probe = HistogramProbe(epochs)

    def target(control: JobControl) -> tuple[float, float]:
        trainer = Trainer(_net(), data, recipe, "classification", 2, callbacks=[control], control=control,
                          probes=[probe] if probed else [])
        t0, c0 = time.perf_counter(), time.thread_time()
        trainer.fit()
        samples = data.n_train * epochs
        return samples / (time.perf_counter() - t0), samples / (time.thread_time() - c0)

    job = Job(target)
    job.start()
    job.wait()
    wall, cpu = job.result
    return wall, cpu, len(probe.readings)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=20_000)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    data = moons(args.rows)
    _run(data, 1, args.threads, True)  # warm up: imports, the optimizer's first build
    bare, probed = [], []
    for _ in range(args.rounds):
        bare.append(_run(data, args.epochs, args.threads, False))
        probed.append(_run(data, args.epochs, args.threads, True))
    b, pr = (statistics.median(r[0] for r in runs) for runs in (bare, probed))
    bc, pc = (statistics.median(r[1] for r in runs) for runs in (bare, probed))
    print(f"readings per run: {statistics.median(r[2] for r in probed):.0f} of {args.epochs} epochs")
    print(f"per CPU second of the training thread: bare {bc:,.0f} samples, with histograms {pc:,.0f} "
          f"(ratio {pc / bc:.2f}; steadier than the wall clock on a shared machine)")
    print(f"bare: {b:,.0f} samples/s; with histograms: {pr:,.0f} samples/s")
    print(f"ratio: {pr / b:.2f}")


if __name__ == "__main__":
    main()
