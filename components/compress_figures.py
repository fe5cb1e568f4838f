"""Figures of a compression: sparsity against accuracy, size and latency (pruning), and the student
against its teacher (distillation). Plain data in (the engine's comparison table), a plotly Figure out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.figures import _layout

LATENCY = "latency µs (batch 256)"
PANELS = (("test metric", "test {metric}"), ("size KB", "ONNX size [KB]"), (LATENCY, "latency at batch 256 [µs]"))


def _metric(table: pd.DataFrame) -> str:
    names = table["metric"].dropna() if "metric" in table else pd.Series(dtype=str)
    return str(names.iloc[0]) if len(names) else "metric"


def pruning(table: pd.DataFrame) -> go.Figure:
    """Three panels over the sparsity of each step (0 = the source run): test metric, size, latency."""
    metric = _metric(table)
    titles = [t.format(metric=metric) for _, t in PANELS]
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.09)
    x = [round(float(s) * 100, 1) for s in table["sparsity"]]
    for col, (column, _) in enumerate(PANELS, start=1):
        fig.add_trace(go.Scatter(x=x, y=list(table[column]), mode="lines+markers", name=titles[col - 1],
                                 text=list(table["variant"]), showlegend=False), row=1, col=col)
        fig.update_xaxes(title_text="sparsity [%]", row=1, col=col)
    return _layout(fig, "Pruning: what each step kept", "sparsity [%]", titles[0])


def distillation(table: pd.DataFrame) -> go.Figure:
    """Teacher and student side by side: test metric, parameters, ONNX size and latency."""
    metric = _metric(table)
    panels = (("test metric", f"test {metric}"), ("parameters", "parameters [count]"),
              ("size KB", "ONNX size [KB]"), (LATENCY, "latency at batch 256 [µs]"))
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for _, t in panels], horizontal_spacing=0.07)
    for col, (column, title) in enumerate(panels, start=1):
        fig.add_trace(go.Bar(x=list(table["variant"]), y=list(table[column]), name=title, showlegend=False,
                             marker_color=["#636efa", "#ef553b"][: len(table)]), row=1, col=col)
    return _layout(fig, "Distillation: the student against its teacher", "model", f"test {metric}")
