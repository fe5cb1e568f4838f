"""Fit a recipe's preprocessing steps on the training rows (and only on them).

Order of work: row filters first, in recipe order, on the raw training rows; then the encoder
(categories and categorical fill) on the rows kept; then the column steps in recipe order, each fit
on the matrix the previous ones produced. Two guarantees are added when the recipe lacks them, and
reported: a one_hot step when there are categorical columns, and a median impute step when there
are numeric columns, so that ``transform`` never returns NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from studio.data.columns import plural
from studio.data.split import MIN_TRAIN_ROWS
from studio.data.table import Table
from studio.errors import DataError, RecipeError, located
from studio.preprocess.base import STEPS, ColumnState, Step, StepReport
from studio.preprocess.encoder import Encoder, EncoderSpec
from studio.preprocess.ops import Op
from studio.preprocess.preprocessor import Preprocessor


@dataclass
class _Planned:
    index: int | None  # position in the recipe, None when added automatically
    kind: str
    step: Step
    why: str = ""  # for an added step: why it was added

    @property
    def location(self) -> tuple[str | int, ...]:
        """Where the step is in the recipe (:mod:`studio.errors`); empty for an added step."""
        return () if self.index is None else ("preprocessing", self.index)

    @property
    def where(self) -> str:
        if self.index is None:
            return f"the automatic {self.kind} step"
        return f"preprocessing step {self.index + 1} ({self.kind})"


def _make(kind: str, raw: dict[str, Any], where: str) -> Step:
    return STEPS[kind].impl(STEPS.parse({"kind": kind, **raw}, where))


def _plan(steps: list[dict[str, Any]], table: Table) -> tuple[list[_Planned], list[_Planned]]:
    """Parse the steps and split them into row filters and column steps (with added ones first)."""
    planned = []
    for i, raw in enumerate(steps):
        params = STEPS.parse(raw, f"preprocessing step {i + 1}")
        if STEPS[raw["kind"]].impl.role == "inputs":
            continue  # a step of another input (tokenize): studio.inputs.fit fits it; indices stay the recipe's
        planned.append(_Planned(i, raw["kind"], STEPS[raw["kind"]].impl(params)))
    rows = [p for p in planned if p.step.role == "rows"]
    columns = [p for p in planned if p.step.role == "columns"]
    if sum(p.kind == "one_hot" for p in columns) > 1:
        raise RecipeError("the preprocessing has more than one one_hot step; keep one")
    cats = [c for c in table.features if table.column_types.get(c) == "categorical"]
    numeric = [c for c in table.features if table.column_types.get(c) != "categorical"]
    added = []
    if cats and not any(p.kind == "one_hot" for p in columns):
        verb = "is" if len(cats) == 1 else "are"
        why = f"{', '.join(map(repr, cats))} {verb} categorical and the recipe has no one_hot step"
        added.append(_Planned(None, "one_hot", _make("one_hot", {}, "automatic one_hot"), why))
    if numeric and not any(p.step.fills_missing for p in columns):
        why = "the recipe has no impute step and a number may be missing at prediction time"
        step = _make("impute", {"strategy": "median", "categorical": False}, "automatic impute")
        added.append(_Planned(None, "impute", step, why))
    return rows, added + columns


def _filter_rows(planned: list[_Planned], train: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, list]:
    rows, reports = train, []
    for p in planned:
        before = len(rows)
        with located(*p.location):
            rows, summary = p.step.filter_rows(rows, table)
            _check_rows_left(p, rows, before, table)
        reports.append(StepReport(p.index, p.kind, summary, before, len(rows)))
    return rows, reports


def _check_rows_left(p: _Planned, rows: pd.DataFrame, before: int, table: Table) -> None:
    """A row filter must leave enough training rows (and, to classify, two classes) to learn from."""
    if len(rows) < MIN_TRAIN_ROWS:
        raise RecipeError(
            f"{p.where} left {plural(len(rows), 'training row')} of {before}; at least {MIN_TRAIN_ROWS} are "
            "needed, so remove the step or loosen its options")
    if table.task == "classification" and rows[table.target].nunique() < 2:
        raise RecipeError(
            f"{p.where} left a single class ({rows[table.target].iloc[0]!r}) in the training rows; remove the "
            "step or loosen its options")


def fit_preprocessor(
    steps: list[dict[str, Any]], train: pd.DataFrame, table: Table
) -> tuple[Preprocessor, pd.DataFrame, list[StepReport]]:
    """Fit ``steps`` on ``train`` (the training split only).

    Returns the fitted :class:`Preprocessor`, the training rows kept by the row filters (index
    kept, target column included) and one :class:`StepReport` per step in the order they ran.
    """
    pre, rows, reports, _ = fit_transform(steps, train, table)
    return pre, rows, reports


def fit_transform(
    steps: list[dict[str, Any]], train: pd.DataFrame, table: Table
) -> tuple[Preprocessor, pd.DataFrame, list[StepReport], np.ndarray]:
    """:func:`fit_preprocessor`, plus ``pre.transform(rows)`` of the rows kept, in the same pass.

    Each step is fit on the matrix the previous ops made of the training rows, so that matrix, once
    the last op ran, is their transform: equal to ``pre.transform(rows)``, without encoding and
    transforming the training rows a second time.
    """
    if len(train) == 0:
        raise DataError("the training split has no rows; use a larger dataset or a larger train share")
    row_steps, column_steps = _plan(steps, table)
    rows, reports = _filter_rows(row_steps, train, table)

    spec = EncoderSpec()
    for p in column_steps:
        p.step.configure(spec)
    encoder, matrix = Encoder.fit_encode(rows, table, spec)
    state = ColumnState(matrix, encoder.names, encoder.indicator, rows, table)

    ops: list[Op] = []
    filled = not encoder.numeric  # one-hot indicators are never missing
    for p in column_steps:
        if p.step.needs_complete and not filled:
            raise RecipeError(f"{p.where} cannot take missing values; put an impute step before it", p.location)
        state.where = p.where
        with located(*p.location):
            result = p.step.fit(state)
        for op in result.ops:
            state.matrix = op.apply_inplace(state.matrix)  # the matrix is this loop's own
        ops += result.ops
        state.names, state.indicator = result.names, result.indicator
        filled = filled or p.step.fills_missing
        summary = f"added automatically because {p.why}; {result.summary}" if p.index is None else result.summary
        reports.append(
            StepReport(p.index, p.kind, summary, len(rows), len(rows), result.added, result.removed, p.index is None)
        )
    return Preprocessor(encoder, ops, list(state.names)), rows, reports, state.matrix
