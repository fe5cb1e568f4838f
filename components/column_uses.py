"""The Data page's "Use it as" choice per column: writes ``data.columns`` into the draft recipe.

``auto`` leaves a column to the automatic typing (no entry in ``data.columns``); ``numeric``,
``categorical``, ``text`` and ``ignore`` are written as they are. A use the recipe holds that is not
offered here (``feature``, ``image``) is still shown, so loading a recipe never hides it.
"""

from __future__ import annotations

import streamlit as st

from components import lesson_state, state
from components.safe import md
from studio.recipe import DataConfig

W = state.WIDGET_PREFIX
USE_KEY = f"{W}data.use"  # + "." + column name
PICK_KEY = f"{W}data.use.pick"
ERROR_KEY = "data.use.error"
AUTO = "auto"
OFFERED = [AUTO, "numeric", "categorical", "text", "ignore"]
GRID_MAX = 24  # up to this many columns get a choice each; a wider table gets a column picker
HELP = ("auto: as loading decides; numeric: every value a number; categorical: every distinct value a "
        "category (a coded 1-4 column); text: words read in order (reviews, descriptions); ignore: never used.")


def use_key(column: str) -> str:
    return f"{USE_KEY}.{column}"


def _set_use(column: str) -> None:
    if state.widgets_gone(use_key(column)):
        return
    use = st.session_state[use_key(column)]
    data = state.get_recipe().data
    columns = {k: v for k, v in data.columns.items() if k != column}
    if use != AUTO:
        columns[column] = use
    state.try_update(ERROR_KEY, reset_widgets=False, data={**data.model_dump(mode="json"), "columns": columns})


def _choice(data: DataConfig, column: str, label: str) -> None:
    current = data.columns.get(column, AUTO)
    options = OFFERED if current in OFFERED else [*OFFERED, current]
    state.seed_widget(use_key(column), current)
    st.selectbox(label, options, key=use_key(column), on_change=_set_use, args=(column,), help=HELP,
                 disabled=lesson_state.is_locked(f"data.columns.{column}"))


def column_uses(data: DataConfig, columns: list[str]) -> None:
    """A "Use it as" choice for each of ``columns`` (the source's columns, the target left out)."""
    # a name the recipe sets that the data lacks is listed too, so its use can be taken back ("auto")
    columns = [c for c in [*columns, *(n for n in data.columns if n not in columns)] if c != data.target]
    if not columns:
        return
    changed = sum(c in data.columns for c in columns)
    with st.expander(f"Use it as: how each column is used ({changed} set by hand)", expanded=changed > 0):
        if len(columns) <= GRID_MAX:
            cells = st.columns(3)
            for i, column in enumerate(columns):
                with cells[i % 3]:
                    _choice(data, column, md(column))
        else:
            left, right = st.columns(2)
            with left:
                state.seed_widget(PICK_KEY, columns[0])
                column = st.selectbox("Column", columns, key=PICK_KEY)
            with right:
                _choice(data, column, "Use it as")
            if data.columns:
                st.caption("Set by hand: " + ", ".join(f"{md(c)} → {md(u)}" for c, u in data.columns.items()))
        message = state.widget_error(ERROR_KEY)
        if message:
            st.error(md(message))
