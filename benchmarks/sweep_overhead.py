"""What running trials through a sweep costs: 8 short trials with --parallel 2, locally and through Ray.

Target: the sweep's wall time is at most 1.25x (the sum of the trial times / 2), where a trial's
time is what its worker spent on it (opening the study, data, training, reporting each epoch,
writing its run directory), as results.csv records it. The rest of the wall time is the sweep's
own: starting worker processes (and importing torch in them), Optuna's ask and tell, idle gaps.
The Ray figure includes starting a local Ray (printed apart). "first run dir" is when the first trial's
run directory appeared (worker processes started, torch imported, the data prepared). A second figure says what a trial
costs over the same recipe trained alone with `train_recipe` in this process (the per-epoch
reports to the study and the pruner's question): ``trial/plain``.

    .venv/bin/python benchmarks/sweep_overhead.py [--trials 8] [--parallel 2] [--epochs 150] [--no-ray]

Measured on the project's 2-core VM, quiet (load < 1), local workers forked and warmed while the study
opens: trials of ~0.9 s (150 epochs): local 1.54, Ray 3.24 (2.47 without starting Ray); trials of
~2.7 s (--epochs 600): local 1.19, Ray 1.94 (1.57). The fixed part is ~1.5 s (the workers' first
optimizer step imports torch._dynamo; Optuna creates its SQLite study in 0.8 s), so the ratio meets
1.25 once trials take about 2 s or more.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.sweeps import SweepSettings, apply_params, parse_space, read_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[1]
SPACE = {"optimizer.lr": {"log_uniform": [1e-3, 1e-1]}, "model.0.units": {"choice": [8, 16, 32, 64]}}


def recipe(epochs: int) -> Recipe:
    raw = json.loads((ROOT / "assets" / "recipes" / "iris-mlp.json").read_text(encoding="utf-8"))
    raw["training"].update(epochs=epochs, threads=1)
    raw["regularization"]["early_stopping"] = None  # every trial trains all its epochs
    return Recipe.from_dict(raw)


def sweep(base: Recipe, trials: int, parallel: int, ray: str | None, out: Path) -> dict[str, float]:
    from studio.sweeps import ray_tune

    started: list[float] = []
    connect = ray_tune.connect

    def timed_connect(*args: object) -> object:
        t = time.perf_counter()
        session = connect(*args)  # type: ignore[arg-type]
        started.append(time.perf_counter() - t)
        return session

    ray_tune.connect = timed_connect  # type: ignore[assignment]
    t0, epoch0 = time.perf_counter(), time.time()
    try:
        run_sweep(SweepSettings(base, parse_space(SPACE), trials=trials, out=out, parallel=parallel, ray=ray,
                                pruner="none"))
    finally:
        ray_tune.connect = connect  # type: ignore[assignment]
    wall = time.perf_counter() - t0
    rows = read_sweep(out).rows
    assert len(rows) == trials and all(r["status"] == "completed" for r in rows), rows
    trial_sum = sum(float(r["seconds"]) for r in rows)
    first = min(json.loads((Path(r["run_dir"]) / "owner.json").read_text())["started"] for r in rows) - epoch0
    return {"wall": wall, "first": first, "trial_sum": trial_sum, "ideal": trial_sum / parallel,
            "ray_start": sum(started), "ratio": wall / (trial_sum / parallel), "params": [r["params"] for r in rows]}


def plain(base: Recipe, params: list[dict[str, object]], root: Path) -> float:
    """The same recipes trained one after another in this process, as `studio train` trains them."""
    train_recipe(apply_params(base, params[0]), runs_root=root / "warm")  # imports and first-call costs
    t0 = time.perf_counter()
    for p in params:
        train_recipe(apply_params(base, p), runs_root=root / "plain")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=8)
    ap.add_argument("--parallel", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=150)
    ap.add_argument("--no-ray", action="store_true", help="only the local processes")
    args = ap.parse_args()
    base = recipe(args.epochs)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        results = {"local": sweep(base, args.trials, args.parallel, None, root / "local")}
        if not args.no_ray:
            results["ray"] = sweep(base, args.trials, args.parallel, "local", root / "ray")
        plain_sum = plain(base, results["local"]["params"], root)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"{args.trials} trials of iris-mlp ({args.epochs} epochs), --parallel {args.parallel}, pruner none; "
          f"{os.cpu_count()} cores, load average now {load}")
    print(f"{'path':<6} {'wall s':>8} {'sum of trials s':>16} {'sum/parallel s':>15} {'ray start s':>12} "
          f"{'first run dir s':>16} {'ratio':>7}")
    for name, r in results.items():
        start = f"{r['ray_start']:.1f}" if name == "ray" else "-"
        print(f"{name:<6} {r['wall']:8.1f} {r['trial_sum']:16.1f} {r['ideal']:15.1f} {start:>12} {r['first']:16.1f} "
              f"{r['ratio']:7.2f}")
    print(f"plain train_recipe, one after another: {plain_sum:.1f} s; trial/plain (local): "
          f"{results['local']['trial_sum'] / plain_sum:.2f}")
    if "ray" in results:
        r = results["ray"]
        print(f"ray without starting Ray: {(r['wall'] - r['ray_start']) / r['ideal']:.2f}")
    for name, r in results.items():
        print(f"ratio {name}: {r['ratio']:.2f} (target <= 1.25)")


if __name__ == "__main__":
    main()
