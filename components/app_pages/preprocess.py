"""Preprocess page: the ordered steps, what each did, and the training data before and after."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import engine, state, tables
from components.item_editor import item_error, render_items
from components.safe import md
from studio.errors import StudioError
from studio.inputs.table import TABLE as TABLE_INPUT
from studio.preprocess import STEPS

HEAD_ROWS = 10


def _before_after(prep: engine.Prepared) -> None:
    before = prep.splits.train
    pictures = [f"{i.name} {tuple(i.shape)}" for i in prep.inputs if i.kind == "image"]
    if pictures:
        st.caption(f"Pictures go to the model as they were decoded ({md(', '.join(pictures))}, as (C, H, W)); "
                   "each channel is normalized inside the model, with statistics of the training pictures. "
                   "The steps here act on the table's columns only.")
    if prep.preprocessor is None:
        st.dataframe(before.head(HEAD_ROWS))
        return
    table = prep.x_train[TABLE_INPUT]
    after = pd.DataFrame(table, columns=prep.preprocessor.feature_names, index=prep.train_frame.index)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Before**: {before.shape[0]} rows x {before.shape[1]} columns (training split, raw)")
        st.dataframe(before.head(HEAD_ROWS))
    with right:
        st.markdown(f"**After**: {after.shape[0]} rows x {after.shape[1]} features (what the model receives)")
        st.dataframe(after.head(HEAD_ROWS))


def page() -> None:
    st.title("Preprocess")
    st.caption(
        "Steps run top to bottom. Each is fit on the training rows only, then applied unchanged to the "
        "validation and test rows and to new rows at prediction time."
    )
    recipe = state.get_recipe()
    prep, error = None, None
    try:
        prep = engine.prepared(recipe)
    except StudioError as err:
        error = item_error(err, "preprocessing")
        if error is None:
            st.error(md(err))
    render_items("preprocessing", STEPS, recipe.preprocessing, error=error, noun="step")
    if prep is None:
        return
    st.subheader("What each step did")
    st.dataframe(tables.step_table(prep.reports), hide_index=True)
    st.subheader("Training data before and after")
    _before_after(prep)


page()
