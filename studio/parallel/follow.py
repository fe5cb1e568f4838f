"""What the processes other than rank 0 of a data-parallel run do: train their share, write nothing."""

from __future__ import annotations

import torch

from studio.parallel.context import ParallelContext
from studio.parallel.trainer import DistributedTrainer
from studio.pipeline import build_model, model_summary, training_data
from studio.prepared import Prepared
from studio.recipe import Recipe
from studio.train.trainer import Control, FitResult


def follow_recipe(recipe: Recipe, prepared: Prepared, ctx: ParallelContext,
                  control: Control | None = None) -> FitResult:
    """Build the same model as rank 0 (same seed; DDP broadcasts rank 0's weights anyway) and train it.

    Raises what the run failed with, as every process does (the NaN guard and early stopping are
    agreed, see :mod:`studio.parallel.trainer`).
    """
    model_summary(recipe, prepared)
    torch.manual_seed(recipe.training.seed)
    model = build_model(recipe, prepared)
    trainer = DistributedTrainer(model, training_data(prepared), recipe, prepared.table.task,
                                 prepared.table.n_classes, ctx, control=control)
    return trainer.fit()
