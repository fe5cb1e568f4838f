"""Evaluate's look at the mistakes of a classification run: the test pictures (or rows) of the chosen
confusion-matrix cell, and the hardest examples (the lowest probability of the true class).

The predictions are one engine call (:func:`studio.runs.predictions.test_predictions`), cached by
the run's path and the time its weights were written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from components import confusion_select, explain
from components.heatmap import overlay
from components.safe import md
from studio.runs import RunDir, load_run
from studio.runs.predictions import confusion_cells, hardest, in_cell, test_predictions

SHOWN = 24  # pictures of a cell shown at once
ROWS = 500  # table rows of a cell shown at once
HARDEST = 12
SIDE = 96  # a picture is enlarged (nearest neighbour) to about this many pixels on its longer side


@st.cache_data(show_spinner="Predicting the test split...", max_entries=16)
def _evaluation(path: str, mtime: float) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    run = load_run(path)
    return test_predictions(run), run.test_frame(), run.test_images()


def evaluation(run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """(predictions, raw test rows, test pictures per image column) of a classification run."""
    return _evaluation(str(run_dir), RunDir(run_dir).mtime(RunDir.WEIGHTS))


def display_pixels(chw: np.ndarray, side: int = SIDE) -> np.ndarray:
    """uint8 (C, H, W) -> what st.image shows: (H, W) grey or (H, W, 3), enlarged by a whole factor so
    small pictures (8x8 digits) stay sharp instead of blurred by the browser."""
    factor = max(1, side // max(chw.shape[1], chw.shape[2]))
    hwc = np.repeat(np.repeat(np.asarray(chw, dtype=np.uint8), factor, axis=1), factor, axis=2).transpose(1, 2, 0)
    return hwc[:, :, 0] if hwc.shape[2] == 1 else hwc


def caption(row: Any) -> str:
    """A picture's caption (Markdown, labels escaped): true and predicted class, confidence."""
    text = f"true {md(row.true)} · predicted {md(row.predicted)} ({row.confidence:.0%})"
    return text if row.correct else f"{text} · p(true) {row.p_true:.0%}"


def gallery(rows: pd.DataFrame, pictures: np.ndarray, limit: int, heat: dict[int, np.ndarray] | None = None) -> None:
    """The pictures of ``rows`` (positions into ``pictures``), with their captions; with ``heat`` (row ->
    (H, W)), each painted with what the model looked at."""
    if rows.empty:
        st.info("No test pictures here.")
        return
    shown = rows.head(limit)
    show = (lambda i: overlay(pictures[i], heat[i])) if heat else (lambda i: display_pixels(pictures[i]))
    st.image([show(i) for i in shown.index], caption=[caption(r) for r in shown.itertuples()], width=SIDE)
    if len(rows) > limit:
        st.caption(f"The {limit} least sure of their true class of {len(rows)}.")


def _table(rows: pd.DataFrame, frame: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The raw test rows of ``rows`` beside their true class, prediction and confidence."""
    shown = rows.head(limit)
    extra = frame.loc[shown.index].drop(columns=[c for c in shown.columns if c in frame.columns])
    return pd.concat([shown, extra], axis=1)


def section(run_dir: Path, matrix: list[list[int]], labels: list[str], normalized: bool, chart_in: Any) -> None:
    """The clickable confusion matrix (drawn in the container ``chart_in``), then the chosen cell's
    pictures or rows, then the hardest ones."""
    preds, frame, images = evaluation(run_dir)
    cells = confusion_cells(preds)
    key = f"evaluate.mistakes.{run_dir.name}"
    cell = confusion_select.choose(matrix, labels, normalized, cells, key, chart_in)
    chosen = in_cell(preds, *(cell or (None, None)))
    worst = hardest(preds, HARDEST)
    pictures = next(iter(images.values()), None)
    what = "misclassified" if cell is None else f"true {md(cell[0])}, predicted {md(cell[1])}"
    st.subheader("Test pictures: " + what if pictures is not None else "Test rows: " + what)
    if pictures is not None:
        heat = None
        if st.toggle("Show what the model looked at", key=f"{key}.heat",
                     help="Paints the pixels that moved the model most toward the class it predicted."):
            heat = explain.gallery_heatmaps(run_dir, [*chosen.index[:SHOWN], *worst.index])
            st.caption(explain.HEAT_CAPTION)
        gallery(chosen, pictures, SHOWN, heat)
        st.subheader("Hardest examples")
        st.caption("The test pictures whose true class got the lowest probability, right or wrong.")
        gallery(worst, pictures, HARDEST, heat)
    others = [c for c in frame.columns if c not in images]  # the target and any table features
    if pictures is None or len(others) > 1:  # table features: the rows themselves
        if chosen.empty:
            st.info("No test rows here.")
        else:
            st.dataframe(_table(chosen, frame, ROWS), key=f"{key}.rows", column_config=_formats())
            if len(chosen) > ROWS:
                st.caption(f"The {ROWS} least sure of their true class of {len(chosen)}.")
        if pictures is None:
            st.subheader("Hardest examples")
            st.dataframe(_table(worst, frame, HARDEST), key=f"{key}.hardest", column_config=_formats())


def _formats() -> dict[str, Any]:
    return {c: st.column_config.NumberColumn(c, format="%.3f") for c in ("confidence", "p_true")}
