"""The "Weights, activations and gradients over epochs" section: live on the Train page (the job's latest
``histograms`` event) and after a run on Evaluate (its histograms.json); both are the same plain data
(:mod:`studio.train.histograms`).

The expander renders its figures only while it is open (``on_change="rerun"``), so a closed section
costs the live page nothing at each poll.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from components import histogram_figures
from components.safe import md
from studio.runs import RunDir
from studio.train.distributions import distribution, gradient_norms, layer_labels

TITLE = "Weights, activations and gradients over epochs"
KINDS = {"weights": "Weights", "activations": "Activations", "gradients": "Gradients"}


def section(data: Mapping[str, Any] | None, where: str, running: bool = False) -> None:
    """The expander (key ``<where>.histograms``) with a layer picker, a choice of values, the layer's
    distribution over epochs and every layer's gradient norm."""
    box = st.expander(TITLE, key=f"{where}.histograms", on_change="rerun")
    if not box.open:
        return
    with box:
        if not data or not data.get("readings"):
            st.info("This run recorded no histograms: it was trained before the studio recorded them.")
            return
        labels = layer_labels(data)
        pick, values = st.columns([3, 2])
        layer = pick.selectbox("Layer", range(len(labels)), format_func=labels.__getitem__,
                               key=f"{where}.histograms.layer",
                               help="Weight layers from the input side; the names the diagnosis uses.")
        kind = values.segmented_control("Values", list(KINDS), format_func=KINDS.__getitem__, default="weights",
                                        required=True, key=f"{where}.histograms.kind") or "weights"
        layer = layer if layer is not None and layer < len(labels) else 0
        config = {"staticPlot": True} if running else {}
        left, right = st.columns(2)
        dist = distribution(data, layer, kind)
        if dist is None:
            left.info(f"No {kind} of {md(labels[layer])} were recorded (no gradient reached it, or it gave no output).")
        else:
            left.plotly_chart(histogram_figures.distribution(dist, kind, data["layers"][layer]),
                              key=f"{where}.histograms.distribution", config=config)
        right.plotly_chart(histogram_figures.gradient_norms(gradient_norms(data)), key=f"{where}.histograms.norms",
                           config=config)
        st.caption(f"Each column is one reading after an epoch: how the layer's values spread (weights: all; "
                   f"gradients: the epoch's last batch; activations: the layer's outputs on {data.get('rows')} "
                   "training rows). A gradient norm in the shaded regions is what the diagnosis calls vanishing "
                   "(the first layer's) or exploding. Readings are taken when they cost under 2% of the "
                   "training time, and always after the last epoch.")


def saved(run_dir: Path) -> dict[str, Any] | None:
    """A run's histograms.json (None: it has none); a RunError when the file is damaged."""
    run = RunDir(run_dir)
    return _saved(str(run_dir), run.mtime(RunDir.HISTOGRAMS))


@st.cache_data(show_spinner=False, max_entries=16)
def _saved(path: str, mtime: float) -> dict[str, Any] | None:
    return RunDir(path).read_histograms()
