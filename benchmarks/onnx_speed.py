"""The exported model (preprocessing inside) against PyTorch eager, on the presets (targets for the
MLP presets: >= 6x at batch 1, >= 2x at batch 256; for shapes-cnn, the image preset: >= 2x at batch 1).

Each preset is trained briefly (speed does not depend on how well it learned), exported with int8,
and measured ``--repeats`` times with ``studio.export.benchmark_run``: every runtime in one process,
interleaved rounds, p50 per runtime. One run on a shared machine swings by 20 % or more, so the
table gives the median speed-up over the repeats, with the range. shapes-cnn's file takes uint8
pictures (N, 32, 32, 3) and torch eager runs the same inference module (normalization inside) on
the same pictures; batch 256 is the large batch. ``cnn ratio: X.XX`` is shapes-cnn's median batch-1
speed-up of the optimized session. The last line is ``ratio: X.XX``: the worst MLP preset's median
batch-1 speed-up of the optimized session.

    .venv/bin/python benchmarks/onnx_speed.py [--presets breast-cancer-mlp shapes-cnn] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

import pandas as pd

from studio.export import benchmark_run, export_run
from studio.pipeline import train_recipe
from studio.recipe import Recipe

PRESETS = Path(__file__).resolve().parents[1] / "assets" / "recipes"
MLP_PRESETS = ["breast-cancer-mlp", "iris-mlp", "wine-mlp", "diabetes-regression", "moons-playground"]
IMAGE_PRESETS = ["digits-cnn", "shapes-cnn"]
OPTIMIZED = "onnxruntime (optimized)"


def trained(preset: str, root: Path, epochs: int) -> Path:
    raw = json.loads((PRESETS / f"{preset}.json").read_text(encoding="utf-8"))
    raw["training"]["epochs"] = epochs
    return train_recipe(Recipe.from_dict(raw), runs_root=root).run_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=[*MLP_PRESETS, *IMAGE_PRESETS])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for preset in args.presets:
            run_dir = trained(preset, Path(tmp), args.epochs)
            export_run(run_dir, quantize="int8")
            tables = [benchmark_run(run_dir) for _ in range(args.repeats)]
            both = pd.concat(tables)
            for (runtime, batch), cell in both.groupby(["runtime", "batch"], sort=False):
                if runtime == "torch eager":
                    continue
                speedups = list(cell["speedup_vs_torch"])
                rows.append({"preset": preset, "runtime": runtime, "batch": batch,
                             "median": statistics.median(speedups), "min": min(speedups), "max": max(speedups),
                             "p50_us": statistics.median(cell["p50_us"])})
            print(f"{preset}: done", flush=True)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.max_rows", 200):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    cnn = table[(table["preset"] == "shapes-cnn") & (table["runtime"] == OPTIMIZED)]
    if not cnn.empty:
        speedups = dict(zip(cnn["batch"], cnn["median"], strict=True))
        print("shapes-cnn, optimized session: " + ", ".join(f"batch {b} {v:.2f}x" for b, v in speedups.items()))
        print(f"cnn ratio: {speedups[min(speedups)]:.2f}")
    mlp = table[table["preset"].isin(MLP_PRESETS) & (table["runtime"] == OPTIMIZED)]
    if mlp.empty:
        return
    worst = {b: mlp[mlp["batch"] == b]["median"].min() for b in sorted(mlp["batch"].unique())}
    print("worst MLP preset, optimized session: " + ", ".join(f"batch {b} {v:.2f}x" for b, v in worst.items()))
    print(f"ratio: {worst[min(worst)]:.2f}")


if __name__ == "__main__":
    main()
