"""Fit every input of a table on the training rows, in the order the network takes them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from studio.data.table import Table
from studio.errors import DataError
from studio.inputs.base import FittedInput
from studio.inputs.image import ImageInput
from studio.inputs.series import SeriesInput
from studio.inputs.table import TABLE, TableInput
from studio.inputs.text_fit import fit_texts, table_steps
from studio.preprocess import Preprocessor, StepReport, fit_transform

TABLE_TYPES = ("numeric", "categorical")


@dataclass
class FitResult:
    """The fitted inputs (table first, then image columns, then text columns), the training rows they kept and
    their tensors."""

    inputs: list[FittedInput]
    train_frame: pd.DataFrame
    reports: list[StepReport]
    x_train: dict[str, np.ndarray]

    @property
    def preprocessor(self) -> Preprocessor | None:
        return next((i.preprocessor for i in self.inputs if isinstance(i, TableInput)), None)


def table_view(table: Table) -> Table:
    """``table`` with only its numeric and categorical features: what the preprocessing steps act on."""
    keep = [f for f in table.features if table.column_types.get(f) in TABLE_TYPES]
    return dataclasses.replace(table, features=keep, column_types={f: table.column_types[f] for f in keep})


def image_columns(table: Table) -> list[str]:
    return [f for f in table.features if table.column_types.get(f) == "image"]


def fit_inputs(steps: list[dict[str, Any]], table: Table, train: pd.DataFrame) -> FitResult:
    """Fit the preprocessing ``steps`` on the table columns, each image input and each text column's
    tokenizer (the ``tokenize`` steps) on the training rows."""
    view = table_view(table)
    inputs: list[FittedInput] = []
    x: dict[str, np.ndarray] = {}
    if view.features:
        # tokenize steps are skipped by the table's fitting (their role), so error locations keep recipe indices
        pre, rows, reports, x[TABLE] = fit_transform(steps, train, view)  # == pre.transform(rows), one pass
        inputs.append(TableInput(pre))
    else:
        rows = train
        reports = [StepReport(None, "preprocessing", "this data has no table columns, so the preprocessing steps "
                              "had nothing to act on", len(train), len(train))] if table_steps(steps) else []
    for column in image_columns(table):
        if column == TABLE:
            raise DataError(f"an image column may not be called {TABLE!r} (the name of the table's input); "
                            "rename the column")
        fitted = ImageInput.fit(column, table, rows)
        inputs.append(fitted)
        x[fitted.name] = fitted.arrays(table, rows)
    texts, text_reports = fit_texts(steps, table, rows)
    for text in texts:
        if text.name in x:
            raise DataError(f"a text column and an image column are both called {text.name!r}; rename one")
        inputs.append(text)
        x[text.name] = text.arrays(table, rows)
    reports += text_reports
    if table.series is not None:
        fitted_series = SeriesInput.fit(table, rows)
        inputs.append(fitted_series)
        x[fitted_series.name] = fitted_series.arrays(table, rows)
    if not inputs:
        raise DataError("the data has no usable feature column; add numeric, categorical, text or image columns")
    return FitResult(inputs, rows, reports, x)
