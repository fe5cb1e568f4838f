"""The Predict page for a model of pictures: upload pictures, see each with its top-k class bars.

The pictures are labelled by the exported file through onnxruntime (one engine call,
:func:`studio.export.pictures.predict_pictures`), decoded and resized exactly as training did.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from components import engine, explain
from components.heatmap import overlay
from components.safe import md
from components.safe import plotly as plotly_text
from studio.errors import StudioError

KEY = "predict.pictures"
TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp"]
TOP_K = 3


def top_k_figure(top: Sequence[tuple[str, float]]) -> go.Figure:
    """Horizontal bars of the most probable classes of one picture, the most probable on top."""
    labels = [plotly_text(label) for label, _ in top]
    values = [p for _, p in top]
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h", text=[f"{p:.1%}" for p in values],
                           textposition="auto"))
    fig.update_yaxes(type="category", autorange="reversed", title={"text": "class (label)"})
    fig.update_xaxes(range=[0, 1], title={"text": "probability (0-1)"})
    fig.update_layout(title={"text": f"Top {len(top)} classes"}, height=80 + 40 * len(top),
                      margin={"t": 40, "b": 40, "l": 10, "r": 10})
    return fig


def section(model: Path, schema: Any) -> None:
    """The uploader and, per picture, the picture beside its top-k bars; one sentence per bad file."""
    from studio.export.pictures import predict_pictures

    uploads = st.file_uploader("Pictures to label", type=TYPES, accept_multiple_files=True, key=KEY,
                               help="PNG, JPEG, GIF, BMP or WebP; each is resized as the training pictures were. "
                                    "Kept only in memory for this rerun.")
    if not uploads:
        st.info("Upload one or more pictures to see what the model makes of them.")
        return
    pictures = [(Path(u.name).name, u.getvalue()) for u in uploads]
    try:
        with st.spinner("Labelling the pictures..."):
            result = predict_pictures(engine.onnx_session(model), pictures, model.name)
    except StudioError as err:
        st.error(md(err))
        return
    for _name, reason in result.failed:
        st.error(md(reason))
    k = min(TOP_K, len(result.class_labels))
    heat = None
    if result.names and st.toggle("Show what the model looked at", key=f"{KEY}.heat",
                                  help="Paints the pixels that moved the model toward its answer (Integrated "
                                       "Gradients through the run's network)."):
        heat = explain.upload_heatmaps(model.parent, [pictures[p][1] for p in result.kept])
        if heat is not None:
            st.caption(explain.HEAT_CAPTION)
    for i, (name, position) in enumerate(zip(result.names, result.kept, strict=True)):
        top = result.top(i, k)
        left, right = st.columns([1, 2])
        if heat is None:
            left.image(pictures[position][1], caption=md(name), width=160)
        else:
            seen = explain.decoded_picture(model.parent, pictures[position][1])
            left.image(overlay(seen, heat[i], side=160), caption=md(name), width=160)
        right.markdown(f"**{md(top[0][0])}** ({top[0][1]:.0%})")
        right.plotly_chart(top_k_figure(top), key=f"{KEY}.bars.{i}")
