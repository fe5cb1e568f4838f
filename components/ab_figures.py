"""The A/B figure: two runs' curves overlaid (pure: per-epoch tables in, a plotly Figure out).

Loss and the primary metric per epoch, side by side; each run has its colour, training is drawn
solid and validation dashed. The run labels come from what a person typed (a field's path and
values), so the figure goes through :func:`components.figures._layout`, which escapes its text.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from components.figures import _layout

COLORS = ("#1f77b4", "#d62728")  # A, B
SPLITS = (("train", "solid"), ("val", "dash"))
PANELS = (("loss", 1), ("metric", 2))


def ab_curves(histories: Mapping[str, pd.DataFrame], metric: str) -> go.Figure:
    """``histories``: run label -> its per-epoch table (metrics.csv's columns), at most two, A first."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=("Loss per epoch", f"{metric} per epoch"))
    for color, (label, history) in zip(COLORS, histories.items(), strict=False):
        epochs = history["epoch"].tolist() if "epoch" in history else []
        for column, col in PANELS:
            for split, dash in SPLITS:
                name = f"{label}, {'validation' if split == 'val' else split}"
                values = history[f"{split}_{column}"].tolist() if f"{split}_{column}" in history else []
                fig.add_trace(go.Scatter(x=epochs, y=values, mode="lines", name=name, legendgroup=name,
                                         showlegend=col == 1, line={"color": color, "dash": dash}),
                              row=1, col=col)
    fig.update_yaxes(title_text="loss (lower is better)", row=1, col=1)
    fig.update_yaxes(title_text=f"{metric} (higher is better)", row=1, col=2)
    fig.update_xaxes(title_text="epoch (count)")
    fig.update_layout(legend={"orientation": "h", "y": -0.3})
    return _layout(fig, "A and B, overlaid (solid: training, dashed: validation)", "epoch (count)",
                   "loss (lower is better)")
