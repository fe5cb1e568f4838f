"""Figures of histograms over epochs (plotly): one layer's values as TensorBoard's "distributions", and
every layer's gradient norm on a log scale with the diagnoses' vanishing and exploding regions shaded.

Pure functions: what :mod:`studio.train.distributions` computes in, a Figure out.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from components.figures import _layout
from studio.train.diagnose import VANISHING_RATIO
from studio.train.distributions import Distribution, GradientNorms

VALUE_NAMES = {"weights": "weight", "gradients": "gradient", "activations": "activation"}
VANISHING_FILL = "rgba(99, 110, 250, 0.15)"
EXPLODING_FILL = "rgba(239, 85, 59, 0.15)"
KEPT = "after training: the weights the run keeps"
HEIGHT = 400  # both figures of the section, side by side


def distribution(dist: Distribution, kind: str, layer: str) -> go.Figure:
    """A heatmap: x the epoch of each reading, y the value, colour the share of the layer's values there."""
    centers = (dist.edges[:-1] + dist.edges[1:]) / 2
    notes = [[KEPT if final else "" for final in dist.finals]] * len(centers)
    fig = go.Figure(go.Heatmap(
        x=_column_edges(dist.epochs), y=centers.tolist(), z=(dist.shares * 100).round(3).tolist(), zmin=0,
        colorscale="Oranges", customdata=notes, colorbar={"title": {"text": "% of values"}},
        hovertemplate="epoch %{x} %{customdata}<br>value ≈ %{y:.3g}<br>%{z:.1f}% of the values<extra></extra>"))
    what = VALUE_NAMES.get(kind, kind)
    left_out = f" ({dist.nonfinite:,} non-finite values not shown)" if dist.nonfinite else ""
    fig.update_xaxes(tickformat="d")
    return _layout(fig, f"{kind.capitalize()} of {layer} over epochs{left_out}", "epoch", f"{what} (value)", HEIGHT)


def gradient_norms(norms: GradientNorms) -> go.Figure:
    """Each layer's gradient norm per reading (log scale, the first layer darkest), over two shaded regions:
    below the diagnoses' vanishing limit (``VANISHING_RATIO`` times the last layer's norm, drawn where it
    is judged: 3 or more layers) and above their exploding limit."""
    epochs = norms.epochs
    values = [v for row in norms.norms for v in row if math.isfinite(v) and v > 0]
    limits = [v for v in norms.vanishing if v is not None]
    low = min([*values, *limits, norms.exploding]) / 10
    high = max([*values, norms.exploding]) * 10
    span = [epochs[0] - 0.5, *epochs, epochs[-1] + 0.5]  # bands reach past the readings (one is still a band)
    fig = go.Figure()
    if limits:
        edge = [norms.vanishing[0], *norms.vanishing, norms.vanishing[-1]]
        fig.add_trace(go.Scatter(x=span, y=[low] * len(span), mode="lines", line={"width": 0}, hoverinfo="skip",
                                 showlegend=False))
        fig.add_trace(go.Scatter(x=span, y=edge, mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=VANISHING_FILL, hoverinfo="skip",
                                 name=f"vanishing: below {VANISHING_RATIO:g} × last layer"))
    fig.add_trace(go.Scatter(x=span, y=[norms.exploding] * len(span), mode="lines", line={"width": 0},
                             hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(x=span, y=[high] * len(span), mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor=EXPLODING_FILL, hoverinfo="skip",
                             name=f"exploding: above {norms.exploding:,.0f}"))
    colours = sample_colorscale("Viridis", list(np.linspace(0, 0.9, max(len(norms.layers), 2))))
    for i, (layer, row) in enumerate(zip(norms.layers, norms.norms, strict=True)):
        fig.add_trace(go.Scatter(x=epochs, y=[v if math.isfinite(v) and v > 0 else None for v in row],
                                 mode="lines+markers", name=layer, line={"color": colours[i]},
                                 hovertemplate=f"{layer}: %{{y:.2e}} at epoch %{{x}}<extra></extra>"))
    fig.update_yaxes(type="log", range=[math.log10(low), math.log10(high)], exponentformat="power")
    fig.update_xaxes(tickformat="d")
    fig.update_layout(legend={"font": {"size": 10}})  # 9 layers and 2 regions beside the plot
    return _layout(fig, "Gradient norm per layer (last batch of the epoch)", "epoch", "gradient norm (L2, log)",
                   HEIGHT)


def _column_edges(epochs: list[int]) -> list[float]:
    """Where each reading's column starts and ends: halfway to its neighbours, one epoch wide at the ends
    (plotly would stretch an end column by half the gap to its neighbour, past the epochs that were run)."""
    if len(epochs) == 1:
        return [epochs[0] - 0.5, epochs[0] + 0.5]
    middles = [(a + b) / 2 for a, b in itertools.pairwise(epochs)]
    return [epochs[0] - 0.5, *middles, epochs[-1] + 0.5]
