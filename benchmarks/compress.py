"""Smaller models, measured: structured pruning and distillation of a CNN, printed as ratios.

1. Structured pruning to 50 % (``studio prune --structured``, ``--steps`` steps of ``--epochs``
   fine-tuning epochs each: 12.5, 25, 37.5, 50 % by default) of the preset CNN (``--preset``,
   digits-cnn by default): onnxruntime speed-up at batch 256 against the unpruned model (target
   >= 1.5x) and accuracy lost (target <= 1 point).
2. A distilled student with at most a quarter of the teacher's parameters: the teacher's recipe
   with a quarter of its dense units, three quarters of its filters and no dropout
   (:func:`studio.compress.student.scaled_student`; the dense layer after the flatten holds most
   of a small CNN's parameters), trained ``--student-epochs`` epochs: its accuracy against the
   teacher's (target: within 1 point), and the same student trained without the teacher (alpha 0),
   to show what the teacher adds.

Latencies come from :func:`studio.export.compare.compare_runs` (every model in one process,
interleaved rounds, p50), so host noise hits all of them alike.

    .venv/bin/python benchmarks/compress.py [--preset digits-cnn] [--steps 4] [--epochs 6] [--student-epochs 100]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from studio.compress import prune_run
from studio.compress.student import distill_run, scaled_student
from studio.export.compare import compare_runs
from studio.pipeline import train_recipe
from studio.recipe import Recipe

PRESETS = Path(__file__).resolve().parents[1] / "assets" / "recipes"
BATCH = "latency µs (batch 256)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="digits-cnn")
    parser.add_argument("--steps", type=int, default=4, help="pruning steps (each prunes a further 50%%/steps)")
    parser.add_argument("--epochs", type=int, default=6, help="fine-tuning epochs after each pruning step")
    parser.add_argument("--student-epochs", type=int, default=100, help="the distilled student's epochs")
    parser.add_argument("--no-baseline", action="store_true", help="skip the student trained without the teacher")
    args = parser.parse_args(argv)
    raw = json.loads((PRESETS / f"{args.preset}.json").read_text(encoding="utf-8"))
    raw["training"]["device"] = "cpu"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = train_recipe(Recipe.from_dict(raw), runs_root=root)
        report = prune_run(source.run_dir, 0.5, structured=True, steps=args.steps, epochs=args.epochs,
                           runs_root=root)
        table = report.table().set_index("variant")
        base, pruned = table.loc["source"], table.loc["50% pruned"]
        speedup = base[BATCH] / pruned[BATCH]
        lost = (base["test metric"] - pruned["test metric"]) * 100
        print(f"pruning 50% structured: {int(base['parameters']):,} -> {int(pruned['parameters']):,} parameters, "
              f"{base['size KB']:.0f} -> {pruned['size KB']:.0f} KB, "
              f"batch 256 {base[BATCH]:.0f} -> {pruned[BATCH]:.0f} µs")
        print(f"pruning speed-up at batch 256: {speedup:.2f}x (target >= 1.5: {'met' if speedup >= 1.5 else 'missed'})")
        print(f"pruning accuracy lost: {lost:.2f} points (target <= 1: {'met' if lost <= 1 else 'missed'})")
        student = scaled_student(Recipe.from_dict(raw), dense=0.25, conv=0.75, epochs=args.student_epochs)
        distilled = distill_run(source.run_dir, student, runs_root=root)
        runs = [("teacher", source.run_dir), ("student", distilled.student)]
        if not args.no_baseline:  # the same student, same seed, on the labels alone
            runs.append(("alone", distill_run(source.run_dir, student, alpha=0.0, runs_root=root).student))
        both = compare_runs(runs).set_index("variant")
        share = both.loc["student", "parameters"] / both.loc["teacher", "parameters"]
        gap = (both.loc["teacher", "test metric"] - both.loc["student", "test metric"]) * 100
        print(f"distilled student: {share:.2f} of the teacher's parameters, accuracy "
              f"{both.loc['student', 'test metric']:.4f} vs {both.loc['teacher', 'test metric']:.4f}")
        print(f"distillation gap: {gap:.2f} points (target <= 1 with <= 0.25 of the parameters: "
              f"{'met' if gap <= 1 and share <= 0.25 else 'missed'})")
        if "alone" in both.index:
            print(f"the same student without the teacher (alpha 0): accuracy {both.loc['alone', 'test metric']:.4f}")
        print(f"ratio: {speedup:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
