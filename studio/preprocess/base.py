"""The step registry and what a step sees while it is fit.

Fitting runs in two passes (see :mod:`studio.preprocess.fit`):

1. **Row filters** (``role = "rows"``) run first, in recipe order, on the raw training rows. They are
   never applied at transform time, so val, test and prediction frames keep every row.
2. **Column steps** (``role = "columns"``) are then fit, in recipe order, on the rows kept. Each one
   looks at the current numeric matrix (:class:`ColumnState`) and returns the numeric ops that
   transform it; the ops of all steps form the chain that :class:`~studio.preprocess.Preprocessor`
   and its torch module apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from studio.data.table import Table
from studio.preprocess.encoder import EncoderSpec
from studio.preprocess.ops import Op
from studio.registry import Params, Registry


@dataclass
class StepReport:
    """What one step did, in a sentence a person can read ("removed 12 duplicate rows").

    ``index`` is the step's position in the recipe (0-based), or None for a step the studio added
    by itself (``auto`` is then True and the summary says why).
    """

    index: int | None
    kind: str
    summary: str
    rows_before: int
    rows_after: int
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    auto: bool = False


@dataclass
class ColumnState:
    """The training matrix as the steps fit so far have left it.

    Attributes:
        matrix: float32 (n, w), the training rows after the ops fit so far (NaN where missing).
        names: the w column names.
        indicator: per column, True for a one-hot indicator (impute, clip and scale leave those alone).
        where: how messages name the step being fit, e.g. "preprocessing step 3 (pca)".
    """

    matrix: np.ndarray
    names: list[str]
    indicator: list[bool]
    rows: pd.DataFrame
    table: Table
    where: str = ""

    def value_columns(self) -> list[int]:
        """Positions of the columns that hold values (not one-hot indicators)."""
        return [i for i, ind in enumerate(self.indicator) if not ind]


@dataclass
class StepResult:
    """A fitted column step: its ops, the columns it leaves, and its one-sentence summary."""

    ops: list[Op]
    names: list[str]
    indicator: list[bool]
    summary: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


class Step:
    """Base of every preprocessing step; subclasses are registered in :data:`STEPS`.

    Class attributes tell the fitting driver how to treat a step without naming its kind:
    ``role`` (row filter, column step, or a step of another input kind such as ``tokenize``, which
    the table's fitting skips), ``fills_missing`` (no NaN is left in value columns
    after it) and ``needs_complete`` (its fit and its op cannot take NaN).
    """

    role: ClassVar[Literal["rows", "columns", "inputs"]] = "columns"  # inputs: fit by another input kind
    fills_missing: ClassVar[bool] = False
    needs_complete: ClassVar[bool] = False

    def __init__(self, params: Params) -> None:
        self.params = params

    def configure(self, spec: EncoderSpec) -> None:
        """Set what this step decides about encoding categorical columns (default: nothing)."""

    def filter_rows(self, rows: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, str]:
        """Row filters: return the training rows kept and a summary sentence."""
        raise NotImplementedError

    def fit(self, state: ColumnState) -> StepResult:
        """Column steps: fit on ``state`` and return the ops and the resulting columns."""
        raise NotImplementedError


STEPS: Registry[type[Step]] = Registry("preprocessing step")


def keep_all(state: ColumnState, summary: str, ops: list[Op] | None = None) -> StepResult:
    """A result that keeps every column as it is named (fill, clip, scale and one_hot)."""
    return StepResult(ops or [], list(state.names), list(state.indicator), summary)
