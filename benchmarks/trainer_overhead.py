"""How much the Trainer costs over a minimal hand-written loop (target: ratio >= 0.90).

Same model (MLP 30-128-64-2), data (synthetic, 30 features, 2 classes), batch size (64),
optimizer construction (the OPTIMIZERS "adam" entry) and device (CPU). The Trainer runs as the app
runs it: inside a Job, with its built-in callbacks (NaN guard, history, early stopping), the Job
as event subscriber and control, and a per-epoch evaluation of a validation split. The two are
timed in interleaved rounds; each figure is the median of the rounds. The last line is
``ratio: X.XX`` (Trainer samples/s divided by the hand loop's).

    .venv/bin/python benchmarks/trainer_overhead.py [--rows 100000] [--epochs 1] [--rounds 7] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from studio.recipe import Recipe
from studio.train.job import Job, JobControl
from studio.train.optimizers import build_optimizer
from studio.train.tensors import TensorData
from studio.train.trainer import Trainer

BATCH = 64


def make_data(rows: int, val_rows: int, seed: int = 0) -> TensorData:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows + val_rows, 30)).astype(np.float32)
    w = rng.normal(size=30)
    y = (x @ w + 0.5 * rng.normal(size=len(x)) > 0).astype(np.int64)
    return TensorData(x[:rows], y[:rows], x[rows:], y[rows:])


def make_model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(30, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 2))


class Clock:
    """Wall time, and CPU time of the calling thread (steadier on a shared CPU when torch uses 1 thread)."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.thread_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.thread_time() - self.cpu


def hand_loop(data: TensorData, epochs: int) -> Clock:
    """Time of the plainest fast loop: randperm index batches over tensors, Adam, cross-entropy."""
    model = make_model()
    opt = build_optimizer({"kind": "adam"}, model.parameters())
    x, y = torch.from_numpy(data.x_train), torch.from_numpy(data.y_train)
    n = len(x)
    with Clock() as clock:
        for _ in range(epochs):
            idx = torch.randperm(n)
            for i in range(0, n, BATCH):
                b = idx[i:i + BATCH]
                opt.zero_grad(set_to_none=True)
                F.cross_entropy(model(x[b]), y[b]).backward()
                opt.step()
    return clock


def trainer_in_job(data: TensorData, epochs: int) -> Clock:
    """Time of Trainer.fit() run inside a Job (fit only, evaluation of the validation rows included)."""
    recipe = Recipe.from_dict({"optimizer": {"kind": "adam"},
                               "training": {"epochs": epochs, "batch_size": BATCH, "device": "cpu"}})
    clocks: list[Clock] = []

    def target(control: JobControl) -> None:
        trainer = Trainer(make_model(), data, recipe, "classification", 2, callbacks=[control], control=control)
        with Clock() as clock:
            trainer.fit()
        clocks.append(clock)

    job = Job(target)
    job.start()
    job.wait()
    if job.status != "completed":
        raise SystemExit(f"the benchmark run ended as {job.status}: {job.error}")
    return clocks[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--val-rows", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)  # 1 is steadier on a CPU shared with other work
    data = make_data(args.rows, args.val_rows)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.rows} rows "
          f"(+{args.val_rows} val), MLP 30-128-64-2, batch {BATCH}, Adam, CPU, {args.epochs} epochs per round")
    hand_loop(make_data(2_000, 0), 1)  # warm-up of both paths
    trainer_in_job(make_data(2_000, 100), 1)
    samples = args.rows * args.epochs
    hand, trainer = [], []
    for r in range(args.rounds):
        hand.append(hand_loop(data, args.epochs))
        trainer.append(trainer_in_job(data, args.epochs))
        print(f"round {r + 1}: hand loop {samples / hand[-1].wall:,.0f} samples/s, "
              f"trainer {samples / trainer[-1].wall:,.0f} samples/s")
    if torch.get_num_threads() == 1:
        cpu = statistics.median(h.cpu for h in hand) / statistics.median(t.cpu for t in trainer)
        print(f"cpu-time ratio (1 thread, insensitive to other load): {cpu:.2f}")
    h = samples / statistics.median(c.wall for c in hand)
    t = samples / statistics.median(c.wall for c in trainer)
    print(f"hand loop (median): {h:,.0f} samples/s")
    print(f"trainer   (median): {t:,.0f} samples/s")
    print(f"ratio: {t / h:.2f}")


if __name__ == "__main__":
    main()
