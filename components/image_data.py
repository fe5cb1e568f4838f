"""The Data page's pictures: the zip upload, the image options, and what loading made of the pictures.

A zip with one subfolder per class is saved like a CSV (this session's private upload folder, the
same lifetime and confinement, see :mod:`components.uploads`) and becomes the source
``images:<its name>.zip``; the engine extracts it safely and decodes the pictures once. For any table
with pictures (an upload, a server folder, the built-in ``digits`` and ``shapes``) the page shows
the classes' counts, a few pictures of each class, the sizes found and what resizing made of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from components import figures, lesson_state, state
from components.forms import render_params
from components.safe import md
from studio.data.images.source import ImageColumn, ImageOptions

ZIP_KEY = "data.zip"
PER_CLASS = 6  # pictures shown of each class
MAX_CLASSES_SHOWN = 12
MAX_SIZES_SHOWN = 10


def save_zip(new_source: Callable[..., None]) -> None:
    """Uploader callback: keep the zip in this session's folder and make it the recipe's source.

    ``new_source(key, source, **data changes)`` is the Data page's switch of source (it renames a
    recipe whose name only said what its data was). The zip is checked when the page loads it, so a
    bad zip is the engine's one sentence under the uploader, not a half-made recipe.
    """
    uploaded = st.session_state.get(ZIP_KEY)
    if uploaded is None:
        return
    path = state.save_upload(uploaded, "pictures.zip")
    state.clear_widget_error(ZIP_KEY)
    if state.get_recipe().data.source == f"images:{path.name}":
        return  # the zip the recipe reads (asked for, or uploaded again): its options stay
    new_source(ZIP_KEY, f"images:{path.name}", target=None, features=None, task="auto", options={})


def uploader(ref: str | None, new_source: Callable[..., None]) -> None:
    """The zip uploader; ``ref``: the pictures the recipe reads now (None when it reads none);
    ``new_source``: see :func:`save_zip`."""
    st.file_uploader("Pictures (a .zip with one folder per class)", type=["zip"], key=ZIP_KEY,
                     on_change=save_zip, args=(new_source,),
                     help="cat/1.jpg, cat/2.png, dog/1.jpg, ...: each folder's name is the class of the "
                          "pictures in it. PNG, JPEG, GIF, BMP and WebP. Saved in a temporary folder "
                          "private to this browser session.", disabled=lesson_state.is_locked("data.source"))
    message = state.widget_error(ZIP_KEY)
    if message:
        st.error(md(message))
    if ref is not None:
        st.caption(f"Using {md(ref)}.")


def _set_option(field: str, value: Any) -> None:
    data = state.get_recipe().data
    state.update_recipe(reset_widgets=False,
                        data={**data.model_dump(mode="json"), "options": {**data.options, field: value}})


def options(data_options: dict[str, Any]) -> None:
    """The image options (size, channels, pad or crop, skipping unreadable pictures) as a form."""
    with st.expander("Image options", expanded=False):
        render_params(ImageOptions, data_options, "data.options.images", _set_option, path="data.options")


def _hwc(image: np.ndarray) -> np.ndarray:
    """(C, H, W) uint8 -> what st.image shows: (H, W) grey or (H, W, 3) colour."""
    return image[0] if image.shape[0] == 1 else np.transpose(image, (1, 2, 0))


def samples(table: Any, column: str, per_class: int = PER_CLASS) -> dict[str, list[tuple[np.ndarray, str]]]:
    """The first ``per_class`` pictures of each class (up to :data:`MAX_CLASSES_SHOWN` classes),
    each as (pixels for st.image, its reference); pure, so a test can call it."""
    images: ImageColumn = table.images[column]
    frame = table.frame
    labels = table.class_labels or sorted(frame[table.target].astype(str).unique())
    out: dict[str, list[tuple[np.ndarray, str]]] = {}
    for label in list(labels)[:MAX_CLASSES_SHOWN]:
        rows = np.flatnonzero(frame[table.target].astype(str).to_numpy() == str(label))[:per_class]
        out[str(label)] = [(_hwc(images.images[i]), str(frame[column].iloc[i])) for i in rows]
    return out


def size_table(images: ImageColumn) -> pd.DataFrame | None:
    """The original sizes found (width x height -> pictures), the most common first; None when unknown."""
    found = images.found
    if found is None or not found.sizes:
        return None
    rows = [{"width": w, "height": h, "pictures": n} for (w, h), n in found.sizes.most_common(MAX_SIZES_SHOWN)]
    return pd.DataFrame(rows)


def resizing(images: ImageColumn) -> str:
    """What every picture became, in one line (the spec the engine chose or the recipe set)."""
    spec = images.spec
    how = "padded to a square" if spec.fit == "pad" else "cut to a square at the centre"
    channels = "grey, 1 channel" if spec.channels == 1 else "colour, 3 channels"
    return f"Training size {spec.height}x{spec.width} ({channels}); each picture is {how}, then resized."


def show(table: Any) -> None:
    """Counts per class, a grid of pictures per class, the sizes found and what resizing did."""
    st.subheader("Pictures")
    st.caption(f"{len(table.frame):,} pictures in {table.n_classes} classes.")
    left, right = st.columns(2)
    with left:
        st.plotly_chart(figures.class_balance(table.frame[table.target], table.class_labels),
                        key="data.images.counts")
    for column, images in table.images.items():
        with right:
            st.markdown(f"**{md(column)}**: {resizing(images)}")
            sizes = size_table(images)
            if sizes is not None:
                st.caption(f"Sizes found: {md(images.found.describe())}.")
                st.dataframe(sizes, hide_index=True, key=f"data.images.sizes.{column}")
            for note in images.notes:
                if note not in table.notes:  # a folder's table already lists them below
                    st.caption(f"• {md(note)}")
        _grid(table, column)
    for note in table.notes:
        st.caption(f"• {md(note)}")


def _grid(table: Any, column: str) -> None:
    st.subheader("Samples per class")
    for label, shown in samples(table, column).items():
        st.markdown(f"**{md(label)}**")
        st.image([img for img, _ in shown], caption=[md(ref) for _, ref in shown], width=96, clamp=True)
    if table.n_classes > MAX_CLASSES_SHOWN:
        st.caption(f"The first {MAX_CLASSES_SHOWN} of {table.n_classes} classes are shown.")
