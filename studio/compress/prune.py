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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from studio.compress.source import check_source
from studio.data.access import DataAccess
from studio.errors import RunError
from studio.recipe import Recipe
from studio.runs import RunDir, load_run
from studio.status import RunStatus
from studio.train.callbacks import Callback

if TYPE_CHECKING:
    from studio.train.trainer import Control

MAX_STEPS = 10
MAX_EPOCHS = 1000


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


def check_prune(run_dir: str | Path, sparsity: float, steps: int, epochs: int) -> RunDir:
    """The run to prune, once the settings are in range and the run can be pruned; else a RunError."""
    if not 0 < sparsity < 1:
        raise RunError(f"the sparsity (the share of weights removed) must be between 0 and 1, both left out, "
                       f"e.g. 0.5; got {sparsity}")
    if not 1 <= steps <= MAX_STEPS:
        raise RunError(f"the pruning steps must be between 1 and {MAX_STEPS}, got {steps}")
    if not 1 <= epochs <= MAX_EPOCHS:
        raise RunError(f"the fine-tuning epochs after each step must be between 1 and {MAX_EPOCHS}, got {epochs}")
    return check_source(run_dir, "prune")


def prune_run(run_dir: str | Path, sparsity: float, structured: bool = False, steps: int = 4, epochs: int = 6,
              runs_root: str | Path = "runs", callbacks: Sequence[Callback] = (), *, access: DataAccess | None = None,
              user: str | None = None, control: Control | None = None,
              on_step: Callable[[int, int, float], None] | None = None) -> PruneReport:
    """Prune ``run_dir`` to ``sparsity`` in ``steps`` steps of ``epochs`` fine-tuning epochs each.

    ``access``: where the recipe's files may be read (the app passes its session's); ``user``: the app
    user the new runs belong to; ``control``: pause/stop (a stopped step ends the pruning, its runs so
    far kept); ``on_step(k, steps, sparsity)`` is told before step k trains.
    """
    from studio.pipeline import prepare, train_recipe

    source = check_prune(run_dir, sparsity, steps, epochs).path
    original = RunDir(source).read_recipe()
    prepared = prepare(original, access)  # the same data for every step
    report = PruneReport(source)
    previous = source
    for k in range(1, steps + 1):
        target = sparsity * k / steps
        if on_step is not None:
            on_step(k, steps, target)
        loaded = load_run(previous)
        recipe, model, hook, notes = _pruned(loaded, original, target, structured, prepared)
        report.notes += [f"step {k} ({target:.0%}): {n}" for n in notes]
        recipe = Recipe.from_dict({**recipe.to_dict(), "name": f"{original.name}-pruned{round(target * 100)}",
                                   "training": {**recipe.training.model_dump(), "epochs": epochs,
                                                "init_from": None, "freeze": None, "pretrained_lr_factor": 1.0,
                                                "distill_from": None}})
        step_prepared = prepared if recipe.model == original.model else prepare(recipe, access)
        result = train_recipe(recipe, runs_root=runs_root, prepared=step_prepared, model=model, after_step=hook,
                              callbacks=callbacks, control=control, access=access, user=user,
                              extra={"pruned_from": RunDir(previous).id, "sparsity": round(target, 4),
                                     "structured": structured})
        report.runs.append(result.run_dir)
        report.sparsity.append(round(target, 4))
        previous = result.run_dir
        if result.status in (RunStatus.STOPPED, RunStatus.FAILED):
            report.notes.append(f"step {k} ({target:.0%}) {result.status}: the pruning ended there")
            break
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
