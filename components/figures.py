"""Figure builders: plain data in, a plotly Figure out.

Pure functions (no streamlit) so they are unit-tested without a browser. Every figure has a
title and labelled axes with units. The Train/Evaluate/Export pages add their figures here too
(loss and metric curves are below; confusion matrix, ROC, predicted-vs-actual, residuals and
latency belong next to them).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

HEIGHT = 360
MAX_HEATMAP_COLUMNS = 40  # beyond this a heatmap is unreadable; the title says how many are shown


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = HEIGHT) -> go.Figure:
    fig.update_layout(
        title={"text": title},
        xaxis_title={"text": x},
        yaxis_title={"text": y},
        height=height,
        margin={"t": 50, "b": 40, "l": 50, "r": 20},
    )
    return fig


def class_balance(target: pd.Series, labels: Sequence[str] | None = None) -> go.Figure:
    """Bar chart of how many rows each class has (count on the bar, share in the hover)."""
    counts = target.astype(str).value_counts()
    if labels is not None:
        counts = counts.reindex([str(lab) for lab in labels], fill_value=0)
    share = counts / max(int(counts.sum()), 1)
    fig = go.Figure(
        go.Bar(
            x=list(counts.index),
            y=counts.to_numpy().tolist(),
            text=[f"{c} ({s:.0%})" for c, s in zip(counts, share, strict=True)],
            hovertemplate="class %{x}: %{y} rows<extra></extra>",
        )
    )
    fig.update_xaxes(type="category")
    return _layout(fig, f"Class balance of {target.name!r}", "class", "rows (count)")


def column_histogram(values: pd.Series, kind: str = "numeric", bins: int = 30) -> go.Figure:
    """Distribution of one column: a histogram for numbers, counts per category for the rest."""
    name = str(values.name)
    missing = int(values.isna().sum())
    suffix = f" ({missing} missing not shown)" if missing else ""
    if kind == "numeric":
        fig = go.Figure(go.Histogram(x=values.dropna().to_numpy().tolist(), nbinsx=bins))
        return _layout(fig, f"Distribution of {name!r}{suffix}", f"{name} (value)", "rows (count)")
    counts = values.dropna().astype(str).value_counts().head(30)
    fig = go.Figure(go.Bar(x=list(counts.index), y=counts.to_numpy().tolist()))
    fig.update_xaxes(type="category")
    return _layout(fig, f"Most frequent values of {name!r}{suffix}", f"{name} (category)", "rows (count)")


def correlation_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Pearson correlation between the numeric columns of ``frame`` (at most 40 shown)."""
    numeric = frame.select_dtypes("number")
    shown = numeric.iloc[:, :MAX_HEATMAP_COLUMNS]
    corr = shown.corr()
    cols = [str(c) for c in corr.columns]
    fig = go.Figure(
        go.Heatmap(
            z=corr.to_numpy().round(3).tolist(),
            x=cols,
            y=cols,
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            reversescale=True,
            colorbar={"title": {"text": "r"}},
        )
    )
    more = numeric.shape[1] - shown.shape[1]
    title = "Correlation between numeric columns (Pearson r)"
    if more > 0:
        title += f": first {shown.shape[1]} of {numeric.shape[1]}"
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, "column", "column", height=max(HEIGHT, 14 * len(cols) + 120))


def training_curves(history: pd.DataFrame) -> go.Figure:
    """Loss per epoch (train and val), from rows with epoch, train_loss, val_loss columns."""
    fig = go.Figure()
    for col, label in (("train_loss", "train"), ("val_loss", "validation")):
        if col in history:
            fig.add_trace(go.Scatter(x=history["epoch"].tolist(), y=history[col].tolist(), name=label))
    return _layout(fig, "Loss per epoch", "epoch (count)", "loss (lower is better)")


def metric_curves(history: pd.DataFrame, metric_name: str = "metric") -> go.Figure:
    """The primary metric per epoch (train and val), from train_metric / val_metric columns."""
    fig = go.Figure()
    for col, label in (("train_metric", "train"), ("val_metric", "validation")):
        if col in history:
            fig.add_trace(go.Scatter(x=history["epoch"].tolist(), y=history[col].tolist(), name=label))
    return _layout(fig, f"{metric_name} per epoch", "epoch (count)", f"{metric_name} (higher is better)")


def lr_curve(history: pd.DataFrame) -> go.Figure:
    """The learning rate per epoch, from the ``lr`` column."""
    fig = go.Figure(go.Scatter(x=history["epoch"].tolist(), y=history["lr"].tolist(), name="lr"))
    return _layout(fig, "Learning rate per epoch", "epoch (count)", "learning rate (per step)")
