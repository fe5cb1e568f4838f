"""The confusion matrix as a filter: a click on a cell, or the plain "true -> predicted" select box,
chooses which test rows the misclassified gallery shows.

Plotly heatmaps cannot be selected, so every cell also carries an almost invisible marker of a
scatter trace laid over it; a click selects that marker, and Streamlit reports the selection
(``on_select``). The select box is the one source of truth: the click's callback writes the cell
into it, so both ways of choosing agree and the choice can be driven where there is no browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import figures
from components.safe import plotly as plotly_text

Cell = tuple[str, str] | None  # (true label, predicted label); None: every misclassified row
OVERLAY = "cells"  # the name of the clickable trace


def clickable(fig: go.Figure, cells: pd.DataFrame) -> go.Figure:
    """``fig`` (a confusion heatmap) with a clickable marker on each non-empty cell."""
    text = [f"true {plotly_text(t)} → predicted {plotly_text(p)}: {n} test rows (click to show them)"
            for t, p, n in zip(cells["true"], cells["predicted"], cells["count"], strict=True)]
    # the heatmap's categories are the escaped labels (figures._layout), so the markers use them too
    fig.add_trace(go.Scatter(x=[plotly_text(p) for p in cells["predicted"]], y=[plotly_text(t) for t in cells["true"]],
                             mode="markers", name=OVERLAY, text=text, hovertemplate="%{text}<extra></extra>",
                             marker={"size": 28, "symbol": "square", "opacity": 0.01, "color": "black"},
                             selected={"marker": {"opacity": 0.25}}, unselected={"marker": {"opacity": 0.01}},
                             showlegend=False))
    fig.update_layout(clickmode="event+select", dragmode=False)
    return fig


def cell_of(event: Any, labels: Sequence[str]) -> Cell:
    """The cell a chart selection event points at (its last clicked marker), or None; the event holds
    the escaped labels the chart shows, mapped back here."""
    known = {plotly_text(label): str(label) for label in labels}
    selection = event.get("selection") if isinstance(event, Mapping) else None
    points = selection.get("points") if isinstance(selection, Mapping) else None
    for point in reversed(points or []):
        if not isinstance(point, Mapping) or "x" not in point or "y" not in point:
            continue
        true, predicted = known.get(str(point["y"])), known.get(str(point["x"]))
        if true is not None and predicted is not None:
            return true, predicted
    return None


def options(cells: pd.DataFrame) -> list[Cell]:
    """None (every mistake) first, then every non-empty cell, mistakes first."""
    return [None, *((str(t), str(p)) for t, p in zip(cells["true"], cells["predicted"], strict=True))]


def describe(cells: pd.DataFrame) -> dict[Cell, str]:
    """Plain text for each option of the select box (options are not rendered as Markdown)."""
    mistakes = int(cells.loc[cells["true"] != cells["predicted"], "count"].sum())
    out: dict[Cell, str] = {None: f"every misclassified test row ({mistakes})"}
    for t, p, n in zip(cells["true"], cells["predicted"], cells["count"], strict=True):
        kind = "right" if t == p else "wrong"
        out[(str(t), str(p))] = f"true {t} -> predicted {p} ({n}, {kind})"
    return out


def choose(matrix: list[list[int]], labels: Sequence[str], normalized: bool, cells: pd.DataFrame,
           key: str, chart_in: Any) -> Cell:
    """Draw the clickable confusion matrix in the container ``chart_in`` and the select box where the
    page is; the chosen cell (None: every mistake)."""
    chart_key, box_key = f"{key}.chart", f"{key}.cell"
    names = describe(cells)
    choices = options(cells)
    names_list = [str(label) for label in labels]

    def clicked() -> None:
        cell = cell_of(st.session_state.get(chart_key), names_list)
        st.session_state[box_key] = cell if cell in names else None

    fig = clickable(figures.confusion_matrix(matrix, labels, normalized), cells)
    chart_in.plotly_chart(fig, key=chart_key, on_select=clicked, selection_mode="points")
    return st.selectbox("Show the test rows of", choices, format_func=names.__getitem__, key=box_key,
                        help="Click a cell of the confusion matrix, or choose it here: true class -> predicted "
                             "class. Rows are shown least sure of their true class first.")
