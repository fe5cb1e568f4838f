"""Training beside one busy process: the studio's thread policy against torch's default (target: ratio >= 0.40).

The same recipe (an MLP 32-256-128-2, batch 128, Adam) trains on the same synthetic table (600k
rows, 32 features) with the Trainer in the main thread, as `studio train` runs it, for a fixed
time per measurement; throughput is training samples per second. Each round measures, in turn:
idle and beside one busy process (a spinning Python interpreter, started for the round), each with
the policy (``training.threads`` blank) and with torch's default thread count (``training.threads``
= torch's default, what the CLI used before). Figures are medians over the rounds. Other programs
on the machine also take CPU: the "others" column is the cores they kept busy during the idle
measurements (Linux), so a noisy run shows as one.

The last line is ``ratio: X.XX``: the policy's busy throughput divided by its idle throughput.

    .venv/bin/python benchmarks/contention.py [--rounds 5] [--seconds 3] [--rows 600000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from studio.blocks import build_model
from studio.recipe import Recipe
from studio.train.tensors import TensorData
from studio.train.threads import TORCH_DEFAULT, choose_threads
from studio.train.trainer import Trainer

FEATURES, BATCH = 32, 128
MODEL = [{"kind": "dense", "units": 256}, {"kind": "activation", "fn": "relu"},
         {"kind": "dense", "units": 128}, {"kind": "activation", "fn": "relu"}]
SPIN = "while True: pass"


def make_data(rows: int, seed: int = 0) -> TensorData:
    """Two classes decided by a noisy linear rule; 2,000 validation rows (never reached: the epoch is longer)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows + 2000, FEATURES)).astype(np.float32)
    y = (x @ rng.normal(size=FEATURES) + 0.5 * rng.normal(size=len(x)) > 0).astype(np.int64)
    return TensorData(x[:rows], y[:rows], x[rows:], y[rows:])


class TimedStop:
    """The Trainer's control: counts batches and stops ``seconds`` after the first one."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.batches, self.started, self.elapsed = seconds, 0, 0.0, 0.0

    def checkpoint(self) -> bool:
        if self.batches == 0:
            self.started = time.perf_counter()
        elif time.perf_counter() - self.started >= self.seconds:
            self.elapsed = time.perf_counter() - self.started
            return False
        self.batches += 1
        return True


def measure(data: TensorData, threads: int | None, seconds: float) -> tuple[float, int]:
    """Training samples/s of the recipe with ``training.threads = threads``, and the threads used."""
    recipe = Recipe.from_dict({"model": MODEL, "regularization": {"early_stopping": None},
                               "training": {"epochs": 1, "batch_size": BATCH, "device": "cpu", "threads": threads}})
    torch.manual_seed(0)
    model = build_model(recipe.model, (FEATURES,), 2)
    stop = TimedStop(seconds)
    Trainer(model, data, recipe, "classification", 2, control=stop).fit()
    if stop.batches * BATCH >= data.n_train:
        raise SystemExit("an epoch ended within the measurement; give more --rows")
    return stop.batches * BATCH / stop.elapsed, torch.get_num_threads()


def _busy_ticks() -> tuple[int, int] | None:
    stat = Path("/proc/stat")
    if not stat.is_file():
        return None
    fields = [int(v) for v in stat.read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields[i] for i in (0, 1, 2, 5, 6, 7)), sum(fields[:8])


def with_others(fn: Callable[[], tuple[float, int]]) -> tuple[float, int, float | None]:
    """``fn()``'s result and the cores other processes kept busy meanwhile (None off Linux)."""
    before, cpu0, t0 = _busy_ticks(), time.process_time(), time.perf_counter()
    speed, threads = fn()
    after, own, wall = _busy_ticks(), time.process_time() - cpu0, time.perf_counter() - t0
    if before is None or after is None or after[1] <= before[1]:
        return speed, threads, None
    machine = (os.cpu_count() or 1) * (after[0] - before[0]) / (after[1] - before[1])  # busy cores, all processes
    return speed, threads, max(0.0, machine - own / wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="training time per measurement")
    parser.add_argument("--rows", type=int, default=600_000)
    args = parser.parse_args()
    data = make_data(args.rows)
    arms = {"policy": None, "torch default": TORCH_DEFAULT}
    speeds: dict[tuple[str, str], list[float]] = {}
    used: dict[str, int] = {}
    others: list[float] = []
    print(f"{os.cpu_count()} CPUs, torch {torch.__version__} (default {TORCH_DEFAULT} threads); "
          f"policy now: {choose_threads(None).reason}")
    for r in range(args.rounds):
        order = list(arms.items()) if r % 2 == 0 else list(arms.items())[::-1]  # interleaved, alternating
        line, round_others = [f"round {r + 1}:"], []
        for name, threads in order:
            speed, used[name], busy = with_others(lambda t=threads: measure(data, t, args.seconds))
            speeds.setdefault((name, "idle"), []).append(speed)
            if busy is not None:
                round_others.append(busy)
            line.append(f"{name} idle {speed:,.0f}")
        others += round_others
        # In a session of its own, as another program would be: Linux's autogroup scheduling would
        # otherwise count the spinner and the training as one group and split that group's share.
        spinner = subprocess.Popen([sys.executable, "-c", SPIN], start_new_session=True)
        try:
            time.sleep(0.5)  # past its start, spinning
            for name, threads in order:
                speed, _ = measure(data, threads, args.seconds)
                speeds.setdefault((name, "busy"), []).append(speed)
                line.append(f"{name} busy {speed:,.0f}")
        finally:
            spinner.kill()
            spinner.wait()
        if round_others:
            line.append(f"(others {statistics.mean(round_others):.2f} cores)")
        print("  ".join(line), flush=True)
    print(f"\nmedians of {args.rounds} rounds, samples/s (others kept "
          f"{statistics.median(others) if others else float('nan'):.2f} cores busy during the idle runs):")
    print(f"{'':<28}{'idle':>10}{'busy':>10}{'busy/idle':>11}")
    med = {k: statistics.median(v) for k, v in speeds.items()}
    for name in arms:
        idle, busy = med[(name, "idle")], med[(name, "busy")]
        label = f"{name} ({used[name]} thread{'' if used[name] == 1 else 's'})"
        print(f"{label:<28}{idle:>10,.0f}{busy:>10,.0f}{busy / idle:>11.2f}")
    print(f"policy vs torch default beside a busy process: "
          f"{med[('policy', 'busy')] / med[('torch default', 'busy')]:.2f}x")
    print(f"ratio: {med[('policy', 'busy')] / med[('policy', 'idle')]:.2f}")


if __name__ == "__main__":
    main()
