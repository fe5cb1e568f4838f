"""Preparing big and wide tables: the studio's prepare path against pandas.read_csv of the same file.

Two CSVs are generated in a temporary folder (or in --data, kept and reused):

- long: 1,000,000 rows x 20 columns (16 numeric, 3 categorical, a 3-class target), 3% of the
  feature values missing;
- wide: 40 rows x 10,000 columns (9,990 numeric, 10 categorical, a 2-class target).

Each measurement runs in a fresh Python process on one thread (``OMP_NUM_THREADS=1``,
``torch.set_num_threads(1)`` and pandas' ``mode.max_threads = 1``, which read_csv otherwise uses to
parse in parallel), so that its peak memory is its own: ``read_csv`` times ``pandas.read_csv(path)``;
``prepare`` times ``studio.prepared.prepare(recipe)``, the whole path from a recipe to the Prepared
tensors (reading, typing, split, fit and transform of train, val and test), before the first batch.

- Time: wall-clock seconds and CPU seconds (user + system) of the measured call. On one thread they
  agree on an idle machine; on a shared one the wall clock also counts the time other programs held
  the cores, so the targets are checked on CPU seconds (both ratios are printed).
- Memory: the peak resident set size (``ru_maxrss``) of the process minus its peak after its imports
  (torch alone holds a few hundred MB that no table changes): what the data costs.

Figures are medians over --repeats runs of each. After them, one more prepare of the long table in
stages (load, split, fit, val/test transform) shows where its CPU time goes.

Targets: prepare within 4x of read_csv's time and within 2x of its memory on the long table;
the wide table prepared in under 10 s with no pandas PerformanceWarning. The last line is
``ratio: X.XX``, prepare's CPU time over read_csv's; the exit status is 1 when a target is missed.

    .venv/bin/python benchmarks/prepare_speed.py [--rows 1000000] [--columns 10000] [--repeats 3] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # studio (and torch) are imported by the measuring processes only
    from studio.recipe import Recipe

TIME_TARGET, MEMORY_TARGET, WIDE_SECONDS = 4.0, 2.0, 10.0
ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
PREPROCESSING = [{"kind": "impute"}, {"kind": "one_hot"}, {"kind": "scale"}]


def make_long(path: Path, rows: int, seed: int = 0) -> None:
    """16 numeric and 3 categorical features (5, 20 and 60 values), 3% missing, a 3-class target."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 16)).round(4)
    cols: dict[str, np.ndarray] = {f"num{i}": x[:, i] for i in range(16)}
    for name, k in (("colour", 5), ("region", 20), ("product", 60)):
        cols[name] = np.array([f"{name}_{j}" for j in range(k)], dtype=object)[rng.integers(0, k, rows)]
    frame = pd.DataFrame(cols)
    frame = frame.mask(rng.random(frame.shape) < 0.03)
    score = np.nan_to_num(x[:, 0] + x[:, 1] - x[:, 2]) + rng.normal(scale=0.5, size=rows)
    frame["label"] = np.array(["low", "mid", "high"], dtype=object)[np.digitize(score, [-0.7, 0.7])]
    frame.to_csv(path, index=False)


def make_wide(path: Path, columns: int, rows: int = 40, seed: int = 0) -> None:
    """``columns`` features (10 of them categorical) over ``rows`` rows, a 2-class target."""
    rng = np.random.default_rng(seed)
    n_cat = 10
    frame = pd.DataFrame(rng.normal(size=(rows, columns - n_cat)).round(3),
                         columns=[f"f{i}" for i in range(columns - n_cat)])
    cats = pd.DataFrame({f"c{i}": np.array(["a", "b", "c"], dtype=object)[rng.integers(0, 3, rows)]
                         for i in range(n_cat)})
    frame = pd.concat([frame, cats], axis=1)
    frame["label"] = np.where(np.arange(rows) % 2 == 0, "yes", "no")
    frame.to_csv(path, index=False)


def _recipe(path: str, target: str) -> Recipe:
    from studio.recipe import Recipe

    return Recipe.from_dict({"data": {"source": f"csv:{path}", "target": target, "options": {"max_mb": 100_000}},
                             "preprocessing": PREPROCESSING})


def child(kind: str, path: str, target: str) -> None:
    """One measurement in this process; prints a JSON line with seconds, memory and warnings."""
    import torch

    from studio.prepared import prepare

    torch.set_num_threads(1)
    pd.set_option("mode.max_threads", 1)
    recipe = _recipe(path, target)
    if kind == "stages":
        print(json.dumps(stages(recipe)))
        return
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start, cpu = time.perf_counter(), time.process_time()
        if kind == "read_csv":
            shape = pd.read_csv(path).shape
        else:
            p = prepare(recipe)
            shape = (p.n_train + len(p.y_val) + len(p.y_test), p.in_shape[0])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    perf = sum(issubclass(w.category, pd.errors.PerformanceWarning) for w in caught)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "mb": (peak - base) / 1024, "shape": list(shape),
                      "perf_warnings": perf}))


def stages(recipe: Recipe) -> dict[str, float]:
    """CPU seconds of each stage of ``prepare`` (the same calls, one after the other)."""
    from studio.data import load_table, split_table
    from studio.inputs import fit_inputs

    out: dict[str, float] = {}
    cpu = time.process_time()

    def lap(name: str) -> None:
        nonlocal cpu
        out[name], cpu = time.process_time() - cpu, time.process_time()

    table = load_table(recipe.data)
    lap("load and typing")
    splits = split_table(table, recipe.data.split, recipe.data.seed)
    lap("split")
    fitted = fit_inputs(recipe.preprocessing, table, splits.train)
    lap("fit (and transform train)")
    for i in fitted.inputs:
        i.arrays(table, splits.val), i.arrays(table, splits.test)
    lap("transform val and test")
    table.y(fitted.train_frame), table.y(splits.val), table.y(splits.test)
    lap("targets")
    return out


def measure(kind: str, path: Path, target: str) -> dict:
    env = {**os.environ, **ONE_THREAD, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path), target], env=env,
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{kind} on {path.name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def medians(kind: str, path: Path, target: str, repeats: int) -> dict:
    runs = [measure(kind, path, target) for _ in range(repeats)]
    print(f"  {kind:<9} {path.name:<17} " + "  ".join(
        f"{r['seconds']:.2f} s ({r['cpu']:.2f} s CPU) {r['mb']:.0f} MB" for r in runs), flush=True)
    out = {k: statistics.median(r[k] for r in runs) for k in ("seconds", "cpu", "mb")}
    return {**out, "shape": runs[0]["shape"], "perf_warnings": max(r["perf_warnings"] for r in runs)}


def run(folder: Path, args: argparse.Namespace) -> bool:
    long, wide = folder / f"long_{args.rows}.csv", folder / f"wide_{args.columns}.csv"
    if not long.exists():
        make_long(long, args.rows)
    if not wide.exists():
        make_wide(wide, args.columns)
    print(f"long: {long.stat().st_size / 2**20:.0f} MB, wide: {wide.stat().st_size / 2**20:.1f} MB; "
          f"{args.repeats} run(s) of each", flush=True)
    base = medians("read_csv", long, "label", args.repeats)
    prep = medians("prepare", long, "label", args.repeats)
    wide_prep = medians("prepare", wide, "label", args.repeats)
    parts = measure("stages", long, "label")
    t_ratio, m_ratio = prep["cpu"] / base["cpu"], prep["mb"] / base["mb"]
    print(f"\nlong table {base['shape'][0]:,} x {base['shape'][1]} (medians, 1 thread):")
    print(f"{'':<12}{'seconds':>10}{'CPU s':>10}{'MB':>10}")
    for name, r in (("read_csv", base), ("prepare", prep)):
        print(f"{name:<12}{r['seconds']:>10.2f}{r['cpu']:>10.2f}{r['mb']:>10.0f}")
    print("prepare's stages, CPU s: " + ", ".join(f"{k} {v:.2f}" for k, v in parts.items()))
    print(f"time   prepare / read_csv: {t_ratio:.2f} CPU, {prep['seconds'] / base['seconds']:.2f} wall-clock  "
          f"(target <= {TIME_TARGET:g})")
    print(f"memory prepare / read_csv: {m_ratio:.2f}  (target <= {MEMORY_TARGET:g})")
    print(f"wide table {args.columns:,} columns x 40 rows: prepare {wide_prep['cpu']:.2f} s CPU, "
          f"{wide_prep['seconds']:.2f} s wall-clock (target < {WIDE_SECONDS:g}), "
          f"{wide_prep['perf_warnings']} PerformanceWarning(s) (target 0)")
    print(f"ratio: {t_ratio:.2f}")
    return (t_ratio <= TIME_TARGET and m_ratio <= MEMORY_TARGET and wide_prep["cpu"] < WIDE_SECONDS
            and wide_prep["perf_warnings"] == 0)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the long table")
    parser.add_argument("--columns", type=int, default=10_000, help="columns of the wide table")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measurement (medians)")
    parser.add_argument("--data", type=Path, help="folder to keep the generated CSVs in (reused when present)")
    args = parser.parse_args()
    if args.data is not None:
        args.data.mkdir(parents=True, exist_ok=True)
        ok = run(args.data, args)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            ok = run(Path(tmp), args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
