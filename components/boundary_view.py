"""The decision boundary on the Train and Evaluate pages: which plane it shows for data with more than
two inputs (a setting of the next run, applied to a running one too), the figures, and a caption
saying what the plane is. The computing is the engine's (:mod:`studio.train.boundary`, :mod:`studio.train.plane`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from components import engine, figures, state
from components.safe import md
from studio.errors import StudioError
from studio.recipe import Recipe
from studio.train.boundary import BoundaryProbe
from studio.train.plane import PlaneChoice, plane_inputs, shows_boundary

PCA, FEATURES = "first two principal components", "two features"


def _inputs(prepared: Any) -> tuple[bool, list[str], list[str]]:
    """(whether a run of this data shows the boundary, the model's input names, the numeric features)."""
    if prepared is None or not shows_boundary(prepared):
        return False, [], []
    return (True, *plane_inputs(prepared))


def choice(names: Sequence[str], numeric: Sequence[str]) -> PlaneChoice | None:
    """The plane the Train page's widgets ask for, for data with these inputs (None: the default plane)."""
    kind, x, y = state.saved_plane()
    if len(names) <= 2:
        return None  # 2-D data is its own plane
    if kind == FEATURES and x in numeric and y in numeric and x != y:
        return PlaneChoice("features", (str(x), str(y)))
    return PlaneChoice("pca")


def probe(prepared: Any) -> BoundaryProbe:
    """The next run's probe, on the plane the widgets ask for (it stays quiet unless the data fits)."""
    shows, names, numeric = _inputs(prepared)
    if not shows:
        return BoundaryProbe()
    return BoundaryProbe.for_data(prepared, choice(names, numeric))


def setting(recipe: Recipe, running_probe: BoundaryProbe | None) -> None:
    """The plane widgets, for a draft whose data shows the boundary over more than two inputs; the plane
    chosen also goes to ``running_probe`` (the run in progress), when it can show it."""
    try:
        shows, names, numeric = _inputs(engine.prepared(recipe))
    except StudioError:
        return
    if not shows or len(names) <= 2:
        return
    kind_col, x_col, y_col = st.columns([2, 1, 1])
    saved_kind, saved_x, saved_y = state.saved_plane()
    options = [PCA, FEATURES] if len(numeric) >= 2 else [PCA]
    state.seed_choice(state.PLANE_KIND, options, saved_kind)
    kind = kind_col.radio("Plane", options, horizontal=True, key=state.PLANE_KIND,
                          help="The decision boundary of data with more than two inputs is drawn over a plane: "
                               "the first two principal components of the inputs (after preprocessing), or "
                               "two numeric features with every other input held at its median. It applies "
                               "to the next run, and to the run in progress.")
    x = y = None
    if kind == FEATURES:
        state.seed_choice(state.PLANE_X, numeric, saved_x)
        x = x_col.selectbox("x feature", numeric, key=state.PLANE_X)
        others = [n for n in numeric if n != x]
        state.seed_choice(state.PLANE_Y, others, saved_y)
        y = y_col.selectbox("y feature", others, key=state.PLANE_Y)
    state.save_plane(kind, x or saved_x, y or saved_y)
    wanted = choice(names, numeric)
    # the run in progress, if it trains on inputs of these names (a run of other data keeps its plane)
    if running_probe is not None and running_probe.names == names and running_probe.wanted != wanted:
        running_probe.set_plane(wanted)  # a valid plane of these inputs: choice() offers no other


def caption(b: Mapping[str, Any]) -> str | None:
    """What the plane of a BoundaryEnd (as a dict) is, in a sentence (None for 2-D data)."""
    if b.get("plane") == "pca":
        return ("Over the plane of the first two principal components of the model's inputs (after "
                "preprocessing), through their mean; each point is a row projected onto it.")
    if b.get("plane") == "features":
        return (f"Over {md(b.get('x_label'))} and {md(b.get('y_label'))} as the model takes them (after "
                "preprocessing); every other input is held at its median over the training rows.")
    return None


def show(b: Mapping[str, Any], labels: Sequence[str], running: bool, key: str) -> None:
    """The output's surface with the points, and every hidden unit over the plane."""
    config = {"staticPlot": True} if running else {}  # redrawn at every poll anyway: cheaper static
    text = caption(b)
    if text:
        st.caption(text)
    left, right = st.columns(2)
    left.plotly_chart(figures.decision_boundary(b, list(labels)), key=f"{key}.boundary", config=config)
    if b.get("units"):
        right.plotly_chart(figures.hidden_units(b), key=f"{key}.units", config=config)
