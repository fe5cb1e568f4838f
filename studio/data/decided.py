"""What loading decided about each column, and the few lines that say it (``studio train``, the Data page).

One source for both: the Data page's column table (:func:`column_decisions`) and the lines the
command line prints before training (:func:`describe_table`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.data.table import Table
from studio.data.target import listed
from studio.errors import plain, quote

SHOWN_DROPPED = 5  # dropped columns named with their reason; the rest are counted
DROPPED_NOTE = "not a feature: "  # the notes that repeat table.dropped (see studio.data.load)
TEXT_NOTE = "text column: "  # the notes that say why a column is text (see studio.data.load)


@dataclass(frozen=True)
class ColumnDecision:
    """One column of the source: what it is used as and, when left out, why."""

    name: str
    type: str  # "numeric" | "categorical" | "text" (| "image") for a feature, the task for the target, "" dropped
    role: str  # "feature" | "target" | "dropped"
    reason: str = ""


def column_decisions(table: Table) -> list[ColumnDecision]:
    """Features in order, then the target, then the dropped columns with their reasons."""
    out = [ColumnDecision(f, table.column_types.get(f, ""), "feature") for f in table.features]
    out.append(ColumnDecision(table.target, table.task, "target"))
    out += [ColumnDecision(c, "", "dropped", r) for c, r in table.dropped.items()]
    return out


def describe_target(table: Table) -> str:
    """``classification of 'species': 3 classes ('a', 'b', 'c')`` or ``regression of 'y': from 1.5 to 9``."""
    if table.task == "classification":
        labels = table.class_labels or []
        return f"classification of {quote(table.target)}: {len(labels)} classes ({listed(labels, 6, 20)})"
    values = table.frame[table.target].to_numpy(dtype=np.float64)
    return f"regression of {quote(table.target)}: values from {plain(values.min())} to {plain(values.max())}"


def describe_series(table: Table) -> str:
    """``series (2): 'temp', 'sales' (the target's past); windows of 24 steps by 'date' -> the next 3 values``."""
    info = table.series
    names = ", ".join(quote(c, 30) + (" (the target's past)" if c == table.target else "") for c in info.columns[:8])
    more = f" and {info.n_series - 8} more" if info.n_series > 8 else ""
    order = f"by {quote(info.time, 30)}" if info.time else "in row order"
    goal = f"the next {info.horizon} value{'s' if info.horizon > 1 else ''} of {quote(table.target, 30)}" \
        if info.forecast else f"the label {quote(table.target, 30)} at each window's last step"
    return f"series ({info.n_series}): {names}{more}; windows of {info.window} steps {order} -> {goal}"


def describe_table(table: Table) -> list[str]:
    """A few lines: the data and task, the features kept, the columns dropped and why, the notes."""
    lines = [f"data: {table.name}, {len(table.frame)} rows; {describe_target(table)}"]
    if table.series is not None:
        lines.append(describe_series(table))
    else:
        kinds = [f"{quote(f, 30)} {table.column_types.get(f, '')}".rstrip() for f in table.features[:8]]
        more = f" and {len(table.features) - 8} more" if len(table.features) > 8 else ""
        lines.append(f"features ({len(table.features)}): {', '.join(kinds)}{more}")
    if table.dropped:
        items = list(table.dropped.items())
        shown = "; ".join(f"{quote(c, 30)} ({r})" for c, r in items[:SHOWN_DROPPED])
        rest = f"; and {len(items) - SHOWN_DROPPED} more" if len(items) > SHOWN_DROPPED else ""
        lines.append(f"dropped ({len(items)}): {shown}{rest}")
    text = [f for f in table.features if table.column_types.get(f) == "text"]
    if text:
        why = {n[len(TEXT_NOTE):].split(" (", 1)[0]: n[len(TEXT_NOTE):] for n in table.notes if n.startswith(TEXT_NOTE)}
        shown = "; ".join(why.get(quote(f), quote(f)) for f in text[:SHOWN_DROPPED])
        rest = f"; and {len(text) - SHOWN_DROPPED} more" if len(text) > SHOWN_DROPPED else ""
        lines.append(f"text ({len(text)}, each a token sequence, see the tokenize step): {shown}{rest}")
    lines += [f"note: {n}" for n in table.notes if not n.startswith((DROPPED_NOTE, TEXT_NOTE))]
    return lines
