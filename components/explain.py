"""What a model learned, on the Evaluate and Predict pages: the feature-importance bars of a run, the
attribution bars of one predicted row, and heatmaps of the pictures (Integrated Gradients).

Each is one engine call (:mod:`studio.explain`); the run is loaded once per path and weights' time
(shared, read only: attributions take gradients with respect to the inputs, never the weights).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from components import figures
from components.safe import md
from studio.errors import StudioError
from studio.runs import RunDir, load_run

REPEATS = 5
HEAT_CAPTION = ("Red marks the pixels that moved the model most toward the class it predicted "
                "(Integrated Gradients from a black picture).")


@st.cache_resource(show_spinner=False, max_entries=4)
def _run(path: str, mtime: float) -> Any:
    return load_run(path)


def loaded(run_dir: Path) -> Any:
    """The run, loaded once per version of its weights (RunError when it cannot be)."""
    return _run(str(run_dir), RunDir(run_dir).mtime(RunDir.WEIGHTS))


def importance_section(run_dir: Path, metric: str) -> None:
    """Evaluate's "Feature importance": the saved table's bars, or a button that computes and saves it."""
    from studio.explain import explain_run

    st.subheader("Feature importance")
    st.caption(f"How much the test {metric} drops when one input column's values are shuffled among the test "
               f"rows, the other columns kept: a large drop means the model leans on that column; near zero, it "
               f"barely uses it (mean of {REPEATS} shuffles; the whiskers show their spread).")
    key = f"evaluate.importance.{run_dir.name}"
    try:
        table = RunDir(run_dir).read_importance()
    except StudioError as err:
        st.error(md(err))
        table = None
    pressed = st.button("Compute feature importance" if table is None else "Compute again", key=key,
                        help="Shuffles each column of the test split a few times and scores the model again; "
                             "the result is saved with the run.")
    if pressed:
        try:
            with st.spinner("Shuffling each column of the test split..."):
                table = explain_run(run_dir, repeats=REPEATS)
        except StudioError as err:
            st.error(md(err))
            return
    if table is not None:
        st.plotly_chart(figures.feature_importance(table, str(table.attrs.get("metric", metric))),
                        key=f"{key}.chart")


def row_attributions(run_dir: Path, row: pd.DataFrame) -> None:
    """Predict's bars: what each input column of one row added to the predicted class (or value)."""
    from studio.explain import attribute

    with st.expander("Why this prediction? What each column added", expanded=True):
        try:
            run = loaded(run_dir)
            a = attribute(run, row)
        except StudioError as err:
            st.info(md(err))
            return
        what = f"P({a.targets[0]})" if run.task == "classification" else str(a.targets[0])
        st.plotly_chart(figures.attributions(a.row(0), what, float(a.outputs[0]), float(a.base_outputs[0])),
                        key="predict.attributions")
        for column, rows in a.tokens.items():
            st.plotly_chart(figures.token_attributions(rows[0], column), key=f"predict.tokens.{column}")
        st.caption(md(f"Integrated Gradients from a baseline input: {a.baseline}. The bars add up to the "
                      "difference between this row's output and the baseline's."))


@st.cache_data(show_spinner="Finding what the model looked at...", max_entries=32)
def _gallery_heatmaps(path: str, mtime: float, rows: tuple[int, ...]) -> dict[int, np.ndarray]:
    from studio.explain import attribute

    run = _run(path, mtime)
    pictures = {name: images[list(rows)] for name, images in run.test_images().items()}
    a = attribute(run, run.test_frame().iloc[list(rows)], pictures)
    heat = next(iter(a.heatmaps.values()))  # (n, H, W)
    return {r: heat[i] for i, r in enumerate(rows)}


def gallery_heatmaps(run_dir: Path, rows: Sequence[int]) -> dict[int, np.ndarray]:
    """Test row -> (H, W) heatmap of its first picture column, for the predicted class."""
    if not rows:
        return {}
    return _gallery_heatmaps(str(run_dir), RunDir(run_dir).mtime(RunDir.WEIGHTS), tuple(sorted(set(rows))))


@st.cache_data(show_spinner="Finding what the model looked at...", max_entries=16)
def _upload_heatmaps(path: str, mtime: float, pictures: tuple[bytes, ...]) -> list[np.ndarray]:
    from studio.data.images.decode import decode_image
    from studio.explain import attribute

    run = _run(path, mtime)
    inp = run.image_inputs[0]
    decoded = np.stack([decode_image(data, inp.spec, "picture") for data in pictures])  # (n, C, H, W)
    a = attribute(run, pd.DataFrame(index=range(len(pictures))), {inp.column: decoded})
    return list(a.heatmaps[inp.column])


def upload_heatmaps(run_dir: Path, pictures: Sequence[bytes]) -> list[np.ndarray] | None:
    """(H, W) heatmaps of readable uploaded pictures, as training decoded them; None (and the reason shown)
    when the run cannot be loaded."""
    try:
        return _upload_heatmaps(str(run_dir), RunDir(run_dir).mtime(RunDir.WEIGHTS), tuple(pictures))
    except StudioError as err:
        st.info(md(err))
        return None


def decoded_picture(run_dir: Path, data: bytes) -> np.ndarray:
    """An uploaded picture as the model saw it, uint8 (C, H, W)."""
    from studio.data.images.decode import decode_image

    return decode_image(data, loaded(run_dir).image_inputs[0].spec, "picture")
