"""`studio prune`: shrink a trained run in steps, fine-tuning a few epochs after each.

Each step is a normal run linked to the one before (``summary.json`` "pruned_from", "sparsity"),
so every step can be evaluated, exported and compared: step k of n prunes to ``sparsity · k / n``.

* Unstructured (default): global magnitude pruning over every dense and convolution weight
  (:mod:`studio.compress.masks`); the zeros are kept while fine-tuning. The ONNX file stores the
  zeros like any other weight, so it is neither smaller nor faster: the report says so.
* Structured (``--structured``): whole units and channels go (:mod:`studio.compress.structured`); the
  recipe's widths shrink, and so do the file and the latency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from studio.errors import RunError
from studio.recipe import Recipe
from studio.runs import RunDir, load_run
from studio.train.callbacks import Callback

MAX_STEPS = 10


@dataclass
class PruneReport:
    """The runs made (one per step) and what each step changed."""

    source: Path
    runs: list[Path] = field(default_factory=list)
    sparsity: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """Sparsity against test metric, parameters, ONNX size and latency (exports each step's run)."""
        from studio.export.compare import compare_runs

        table = compare_runs([("source", self.source)] + [(f"{s:.0%} pruned", r) for s, r in
                                                           zip(self.sparsity, self.runs, strict=True)])
        table.insert(1, "sparsity", [0.0, *self.sparsity])
        return table


def _check(run_dir: Path, sparsity: float, steps: int, epochs: int) -> None:
    if not 0 < sparsity < 1:
        raise RunError(f"--sparsity must be between 0 and 1 (the share of weights removed), got {sparsity}")
    if not 1 <= steps <= MAX_STEPS:
        raise RunError(f"--steps must be between 1 and {MAX_STEPS}, got {steps}")
    if not 1 <= epochs <= 1000:
        raise RunError(f"--epochs (fine-tuning after each step) must be between 0 and 1000, got {epochs}")
    status = RunDir.open(run_dir).status()
    if not status.has_result:
        raise RunError(f"run {run_dir.name!r} is {status} and has no weights to prune; prune a finished run")


def prune_run(run_dir: str | Path, sparsity: float, structured: bool = False, steps: int = 2, epochs: int = 2,
              runs_root: str | Path = "runs", callbacks: Sequence[Callback] = ()) -> PruneReport:
    """Prune ``run_dir`` to ``sparsity`` in ``steps`` steps of ``epochs`` fine-tuning epochs each."""
    from studio.pipeline import prepare, train_recipe

    source = RunDir.open(run_dir).path
    _check(source, sparsity, steps, epochs)
    original = RunDir(source).read_recipe()
    prepared = prepare(original)  # the same data for every step
    report = PruneReport(source)
    previous = source
    for k in range(1, steps + 1):
        target = sparsity * k / steps
        loaded = load_run(previous)
        recipe, model, hook, notes = _pruned(loaded, original, target, structured, prepared)
        report.notes += [f"step {k} ({target:.0%}): {n}" for n in notes]
        recipe = Recipe.from_dict({**recipe.to_dict(), "name": f"{original.name}-pruned{round(target * 100)}",
                                   "training": {**recipe.training.model_dump(), "epochs": epochs,
                                                "init_from": None, "freeze": None, "pretrained_lr_factor": 1.0,
                                                "distill_from": None}})
        step_prepared = prepared if recipe.model == original.model else prepare(recipe)
        result = train_recipe(recipe, runs_root=runs_root, prepared=step_prepared, model=model, after_step=hook,
                              callbacks=callbacks,
                              extra={"pruned_from": RunDir(previous).id, "sparsity": round(target, 4),
                                     "structured": structured})
        report.runs.append(result.run_dir)
        report.sparsity.append(round(target, 4))
        previous = result.run_dir
    return report


def _pruned(loaded: Any, original: Recipe, target: float, structured: bool, prepared: Any) -> \
        tuple[Recipe, Any, Any, list[str]]:
    """The recipe, model (pruned weights) and after-step hook of one step."""
    from studio.compress.masks import keep_zeros, magnitude_masks, weight_sparsity

    model = loaded.model.train()
    from studio.compress.masks import prunable

    if not prunable(model):
        raise RunError(f"run {loaded.run.id!r} has no dense or convolution weights to prune; prune a run whose "
                       "model has dense, conv1d or conv2d blocks")
    if not structured:
        masks = magnitude_masks(model, target)
        return loaded.recipe, model, keep_zeros(masks), [f"{weight_sparsity(model):.0%} of the weights are zero"]
    from torch import nn

    from studio.blocks.build import needs_flatten
    from studio.blocks.network import build_network
    from studio.compress.structured import shrink
    from studio.inputs.defaults import default_encoders

    if len(loaded.inputs) != 1 or loaded.recipe.encoders or not isinstance(model, nn.Sequential):
        raise RunError("structured pruning works on networks of one input (a table or pictures); prune this run "
                       "without --structured")
    blocks = loaded.recipe.model
    shapes = [tuple(loaded.in_shapes[0][1])]
    from studio.blocks import infer_shapes

    shapes += infer_shapes(blocks, shapes[0])
    head_len = 2 if needs_flatten(shapes[-1]) else 1
    offset = len(model) - len(blocks) - head_len
    head = f"{len(model) - 1}."
    new_blocks, state, notes = shrink(blocks, original.model, model.state_dict(), shapes[0], offset, head, target)
    recipe = loaded.recipe.updated(model=new_blocks)
    fronts = {i.name: f for i in loaded.inputs if (f := i.front()) is not None}
    small = build_network(loaded.in_shapes, new_blocks, default_encoders({}, loaded.inputs), loaded.n_outputs, fronts)
    small.load_state_dict(state)
    return recipe, small, None, notes
