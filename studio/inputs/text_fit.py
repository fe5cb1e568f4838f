"""Which tokenize options each text column gets, and fitting every text input on the training rows.

A ``tokenize`` step that names columns sets theirs; one that names none sets every other text
column's; a text column no step reaches gets the defaults (word tokens), reported as an automatic
step. Naming a column twice, a column that is not text, or two steps for "every column" is a
RecipeError located at the step.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from studio.data.table import Table
from studio.data.target import listed
from studio.errors import RecipeError, located, quote
from studio.inputs.table import TABLE
from studio.inputs.text import TextInput
from studio.preprocess import STEPS, StepReport
from studio.text.params import TokenizeParams

KIND = "tokenize"


def text_columns(table: Table) -> list[str]:
    return [f for f in table.features if table.column_types.get(f) == "text"]


def table_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps the table's preprocessing fits (every step but tokenize)."""
    return [s for s in steps if s.get("kind") != KIND]


def plan_tokenizers(steps: list[dict[str, Any]], table: Table) -> dict[str, tuple[int | None, TokenizeParams]]:
    """Text column -> (index of its step, or None for the defaults; its options)."""
    columns = text_columns(table)
    named: dict[str, tuple[int | None, TokenizeParams]] = {}
    general: tuple[int, TokenizeParams] | None = None
    for i, raw in enumerate(steps):
        if raw.get("kind") != KIND:
            continue
        where = f"preprocessing step {i + 1} ({KIND})"
        params = STEPS.parse(raw, where)
        assert isinstance(params, TokenizeParams)
        if not params.columns:
            if general is not None:
                raise RecipeError(f"{where} and step {general[0] + 1} both tokenize every text column; keep one, or "
                                  "name the columns of each in its columns", ("preprocessing", i))
            general = (i, params)
            continue
        for col in params.columns:
            _check_column(col, table, columns, where, i)
            if col in named:
                raise RecipeError(f"{where} names {quote(col)}, which step {named[col][0] + 1} (tokenize) names too; "
                                  "keep it in one of them", ("preprocessing", i))
            named[col] = (i, params)
    return {col: named.get(col) or general or (None, TokenizeParams()) for col in columns}


def _check_column(col: str, table: Table, columns: list[str], where: str, i: int) -> None:
    if col in columns:
        return
    kind = table.column_types.get(col) if col in table.features else None
    if kind is not None:
        raise RecipeError(f"{where} names {quote(col)}, which is a {kind} column, not text; remove it from the "
                          f"step's columns, or set data.columns {{{quote(col)}: 'text'}} to read it as text",
                          ("preprocessing", i))
    there = f"its text columns are {listed(columns)}" if columns else "the data has no text column"
    raise RecipeError(f"{where} names {quote(col)}, which is not a text column of the data; {there}",
                      ("preprocessing", i))


def fit_texts(steps: list[dict[str, Any]], table: Table, rows: pd.DataFrame) -> tuple[list[TextInput],
                                                                                       list[StepReport]]:
    """One text input per text column, fit on ``rows`` (the training rows the row filters kept)."""
    plan = plan_tokenizers(steps, table)
    inputs: list[TextInput] = []
    reports: list[StepReport] = []
    n = len(rows)
    for col, (index, params) in plan.items():
        if col == TABLE:
            raise RecipeError(f"a text column may not be called {TABLE!r} (the name of the table's input); rename "
                              "the column")
        with located(*(() if index is None else ("preprocessing", index))):
            fitted, notes = TextInput.fit(col, rows, params)
        summary = "; ".join(notes)
        if index is None:
            summary = f"added automatically because {quote(col)} is text and no tokenize step names it; {summary}"
        reports.append(StepReport(index, KIND, summary, n, n, auto=index is None))
        inputs.append(fitted)
    used = {index for index, _ in plan.values()}
    why = "another tokenize step names every text column" if plan else "found no text column to tokenize"
    for i, raw in enumerate(steps):
        if raw.get("kind") == KIND and i not in used:
            reports.append(StepReport(i, KIND, why, n, n))
    return inputs, reports
