"""Tables the pages show, built from engine results (pure pandas, no streamlit)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from studio.data import Table
from studio.data.decided import column_decisions


def column_table(table: Table) -> pd.DataFrame:
    """One row per column: detected type, missing share, distinct values, role and why.

    Dropped columns are not in ``table.frame`` (loading set them aside), so their statistics are blank.
    """
    rows: list[dict[str, Any]] = []
    n = max(len(table.frame), 1)
    for d in column_decisions(table):
        col = table.frame[d.name] if d.role != "dropped" else None
        rows.append({
            "column": d.name, "type": d.type,
            "missing": None if col is None else float(col.isna().sum()) / n,
            "distinct": None if col is None else int(col.nunique(dropna=True)),
            "role": d.role, "reason": d.reason,
        })
    return pd.DataFrame(rows, columns=["column", "type", "missing", "distinct", "role", "reason"])


def step_table(reports: list[Any]) -> pd.DataFrame:
    """What each preprocessing step did, from :class:`studio.preprocess.StepReport` objects."""
    return pd.DataFrame(
        [
            {
                "step": "added by the studio" if r.index is None else str(r.index + 1),
                "kind": r.kind,
                "what it did": r.summary,
                "rows before": r.rows_before,
                "rows after": r.rows_after,
                "columns added": ", ".join(r.columns_added),
                "columns removed": ", ".join(r.columns_removed),
            }
            for r in reports
        ],
        columns=["step", "kind", "what it did", "rows before", "rows after", "columns added", "columns removed"],
    )
