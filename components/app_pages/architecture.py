"""Architecture page: the model's blocks, a live shape/parameter table and a diagram.

One input (a table, or one picture input without an encoder of its own): one list of blocks, as
always. Several inputs (or an input given its own encoder in the recipe): one stack of blocks per
input (``recipe.encoders``), then the trunk (``recipe.model``) on their joined features.
"""

from __future__ import annotations

import streamlit as st

from components import engine, state
from components.diagram import model_dot, network_dot
from components.item_editor import ItemError, item_error, render_items
from components.safe import md
from studio.blocks import BLOCKS, ModelSummary
from studio.errors import ShapeError, StudioError

Shapes = list[tuple[str, tuple[int, ...]]]


def _summary_panel(summary: ModelSummary) -> None:
    a, b = st.columns(2)
    a.metric("Parameters", f"{summary.total_params:,}", help="Learned weights, head included.")
    b.metric("MACs per sample", f"{summary.total_macs:,}", help="Multiply-accumulates for one input row.")
    records = summary.to_records()
    several = bool(records) and "stack" in records[0]
    st.dataframe(
        records, hide_index=True,
        column_order=[*(["stack"] if several else []), "index", "label", "out_shape", "params", "macs"],
        column_config={"stack": "stack", "index": "#", "label": "block",
                       "out_shape": "output shape (C, H, W)" if _has_pictures(summary) else "output shape",
                       "params": "parameters", "macs": "MACs"},
    )


def _has_pictures(summary: ModelSummary) -> bool:
    return len(summary.in_shape) == 3 or any(len(r.out_shape) == 3 for r in summary.rows)


def _inputs(recipe) -> Shapes | None:
    """The network's inputs (name, shape of one sample), or None when the data is not usable yet."""
    try:
        return engine.input_shapes(recipe)
    except StudioError:
        return None


def _several_stacks(recipe, shapes: Shapes | None) -> bool:
    """Whether the network has a stack per input: several inputs, or an input given its own encoder."""
    return shapes is not None and (len(shapes) > 1 or any(name in recipe.encoders for name, _ in shapes))


def _stack_error(err: ShapeError) -> tuple[str, ItemError] | None:
    """(stack, error relative to that stack's list) for an error inside an encoder or the trunk."""
    loc = err.location
    if len(loc) >= 3 and loc[0] == "encoders" and isinstance(loc[2], int):
        return str(loc[1]), (loc[2:], str(err))
    found = item_error(err, "model")
    return ("trunk", found) if found is not None else None


def _fmt(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _several(recipe, shapes: Shapes) -> None:
    # Each input's stack starts from the default the network would use, written into the draft so
    # that it can be edited (and is saved with the recipe as what was trained).
    effective = engine.encoders(recipe)
    missing = {name: effective.get(name, []) for name, _ in shapes if name not in recipe.encoders}
    if missing:
        recipe = state.update_recipe(reset_widgets=False, encoders={**recipe.encoders, **missing})
    summary: ModelSummary | None = None
    failed: tuple[str, ItemError] | None = None
    try:
        summary = engine.model_summary(recipe)
    except ShapeError as err:
        failed = _stack_error(err)
        if failed is None:
            st.error(md(err))
    except StudioError as err:
        st.warning(f"The model cannot be checked until the data is usable: {md(err)}")
    editor, overview = st.columns([3, 2])
    with editor:
        for name, shape in shapes:
            st.subheader(f"Input {md(name)} {_fmt(shape)}")
            joined = " and joined with the other inputs'." if len(shapes) > 1 else ", then the trunk follows."
            st.caption(f"Its own blocks; their output is flattened{joined}")
            error = failed[1] if failed is not None and failed[0] == name else None
            render_items("encoders", BLOCKS, recipe.encoders.get(name, []), path=(name,), error=error, noun="block")
        st.subheader("Trunk")
        st.caption("Runs on the joined features of every input; the output layer follows.")
        error = failed[1] if failed is not None and failed[0] == "trunk" else None
        render_items("model", BLOCKS, recipe.model, error=error, noun="block")
    with overview:
        st.subheader("Summary")
        if summary is not None:
            _summary_panel(summary)
        elif failed is not None:
            st.error(f"Training is blocked: {md(failed[1][1])}")
        bad = (failed[0], int(failed[1][0][0])) if failed is not None else None
        st.graphviz_chart(network_dot(shapes, recipe.encoders, recipe.model, summary, bad))


def _single(recipe, shapes: Shapes | None) -> None:
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
        st.graphviz_chart(model_dot(recipe.model, summary, position, shapes[0][1] if shapes else None))


def page() -> None:
    st.title("Architecture")
    recipe = state.get_recipe()
    shapes = _inputs(recipe)
    if not _several_stacks(recipe, shapes):
        st.caption("Blocks run top to bottom on the preprocessed features (pictures as (C, H, W)). The studio "
                   "adds a flatten (when needed) and the output layer sized for the task.")
        _single(recipe, shapes)
    else:
        st.caption("Each input goes through its own stack of blocks; the stacks' outputs are flattened and "
                   "joined, and the trunk follows. The studio adds the output layer sized for the task.")
        _several(recipe, shapes or [])


page()
