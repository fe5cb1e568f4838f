"""Prepared: a recipe's data loaded, split, and fitted into the inputs its network takes.

The one way from a Recipe to tensors: load the table, split it, fit every input on the training
rows (the table's preprocessing steps, each image column's normalization), and build the network
for those inputs (:func:`studio.blocks.build_network`). Nothing is fit on validation or test rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from studio.blocks import ModelSummary, build_network, summarize_network
from studio.data import Splits, Table, load_table, split_table
from studio.data.access import DataAccess
from studio.data.images.cache import Progress
from studio.inputs import FittedInput, fit_inputs
from studio.inputs.defaults import default_encoders
from studio.preprocess import Preprocessor, StepReport, TargetScaler
from studio.recipe import Recipe

Inputs = dict[str, np.ndarray]


@dataclass
class Prepared:
    """A recipe's data, split and fitted (on the training rows only), ready for the network.

    ``x_train``/``x_val``/``x_test`` map each input's name to its tensor data, in network order:
    ``"table"`` -> float32 (n, d), an image column -> uint8 (n, C, H, W).
    """

    recipe: Recipe
    table: Table
    splits: Splits
    train_frame: pd.DataFrame
    inputs: list[FittedInput]
    reports: list[StepReport]
    target_scaler: TargetScaler | None
    x_train: Inputs
    x_val: Inputs
    x_test: Inputs
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray

    @property
    def preprocessor(self) -> Preprocessor | None:
        """The table input's fitted preprocessing (None when the data has only image columns)."""
        return next((getattr(i, "preprocessor", None) for i in self.inputs if i.kind == "table"), None)

    @property
    def in_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        """(name, shape of one sample) of every input, in the order the network takes them."""
        # a tuple subclass stays itself: Tokens (token ids) carries the vocabulary to the embedding block
        return [(i.name, i.shape if isinstance(i.shape, tuple) else tuple(i.shape)) for i in self.inputs]

    @property
    def in_shape(self) -> tuple[int, ...]:
        """The first input's sample shape (the only one, for most recipes)."""
        return tuple(self.inputs[0].shape)

    @property
    def n_train(self) -> int:
        return len(self.y_train)

    @property
    def n_outputs(self) -> int:
        return self.table.n_classes if self.table.task == "classification" else 1

    @property
    def primary_metric(self) -> str:
        return "accuracy" if self.table.task == "classification" else "r2"

    def fronts(self) -> dict[str, nn.Module]:
        """The modules each input runs first inside the model (an image's normalization)."""
        return {i.name: f for i in self.inputs if (f := i.front()) is not None}


def prepare(recipe: Recipe, access: DataAccess | None = None, progress: Progress | None = None,
            table: Table | None = None) -> Prepared:
    """Load, split and fit the recipe's data (files found and allowed by ``access``; ``progress(done,
    total)`` while pictures are decoded, see :func:`studio.data.load_table`). ``table``: the recipe's
    data already loaded by ``load_table(recipe.data, ...)`` (the app keeps it), so only the split and
    the fitting are done again."""
    table = load_table(recipe.data, access, progress) if table is None else table
    splits = split_table(table, recipe.data.split, recipe.data.seed)
    fitted = fit_inputs(recipe.preprocessing, table, splits.train)
    y_train = table.y(fitted.train_frame)
    scaler = TargetScaler().fit(y_train) if table.task == "regression" else None
    return Prepared(
        recipe=recipe, table=table, splits=splits, train_frame=fitted.train_frame, inputs=fitted.inputs,
        reports=fitted.reports, target_scaler=scaler, x_train=fitted.x_train,
        x_val={i.name: i.arrays(table, splits.val) for i in fitted.inputs},
        x_test={i.name: i.arrays(table, splits.test) for i in fitted.inputs},
        y_train=y_train, y_val=table.y(splits.val), y_test=table.y(splits.test),
    )


def encoders(recipe: Recipe, prepared: Prepared) -> dict[str, list[dict[str, Any]]]:
    """The recipe's encoder stacks, with each input's default where a network of several inputs has none."""
    return default_encoders(recipe.encoders, prepared.inputs)


def build_model(recipe: Recipe, prepared: Prepared) -> nn.Module:
    """The recipe's network for the prepared inputs (the inputs' fronts included), freshly initialised."""
    return build_network(prepared.in_shapes, recipe.model, encoders(recipe, prepared), prepared.n_outputs,
                         prepared.fronts())


def model_summary(recipe: Recipe, prepared: Prepared) -> ModelSummary:
    """Shapes, parameters and MACs of the recipe's network; a ShapeError before any training."""
    return summarize_network(prepared.in_shapes, recipe.model, encoders(recipe, prepared), prepared.n_outputs)


def steps_per_epoch(recipe: Recipe, prepared: Prepared) -> int:
    """Optimizer steps in one epoch, counted as the Trainer counts them (the schedule preview uses it)."""
    from studio.train.trainer import batches_per_epoch

    with torch.device("meta"):  # only the module types matter: no memory, no initialisation
        model = build_model(recipe, prepared)
    return batches_per_epoch(prepared.n_train, recipe.training.batch_size, model)
