"""Architecture page: the model's blocks, a live shape/parameter table and a diagram."""

from __future__ import annotations

import streamlit as st

from components import engine, state
from components.diagram import model_dot
from components.item_editor import ItemError, item_error, render_items
from components.safe import md
from studio.blocks import BLOCKS, ModelSummary
from studio.errors import ShapeError, StudioError


def _summary_panel(summary: ModelSummary) -> None:
    a, b = st.columns(2)
    a.metric("Parameters", f"{summary.total_params:,}", help="Learned weights, head included.")
    b.metric("MACs per sample", f"{summary.total_macs:,}", help="Multiply-accumulates for one input row.")
    st.dataframe(
        summary.to_records(), hide_index=True,
        column_order=["index", "label", "out_shape", "params", "macs"],
        column_config={"index": "#", "label": "block", "out_shape": "output shape",
                       "params": "parameters", "macs": "MACs"},
    )


def page() -> None:
    st.title("Architecture")
    st.caption(
        "Blocks run top to bottom on the preprocessed features. The studio adds a flatten (when needed) "
        "and the output layer sized for the task."
    )
    recipe = state.get_recipe()
    summary: ModelSummary | None = None
    error: ItemError | None = None
    try:
        summary = engine.model_summary(recipe)
    except ShapeError as err:
        error = item_error(err, "model")
        if error is None:
            st.error(md(err))
    except StudioError as err:  # the data cannot be prepared, so the input shape is unknown
        st.warning(f"The model cannot be checked until the data is usable: {md(err)}")
    position = int(error[0][0]) if error is not None else None
    editor, overview = st.columns([3, 2])
    with editor:
        render_items("model", BLOCKS, recipe.model, error=error, noun="block")
    with overview:
        st.subheader("Summary")
        if summary is not None:
            _summary_panel(summary)
        elif error is not None:
            st.error(f"Training is blocked: {md(error[1])}")
        st.graphviz_chart(model_dot(recipe.model, summary, position))


page()
