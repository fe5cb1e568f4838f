"""Figure builders for every page: plain data in, a plotly Figure out.

Pure functions (no streamlit) so they are unit-tested without a browser. Every figure has a
title and axis titles that name their unit in brackets. Plotly renders a subset of HTML (links,
bold, line breaks) in titles, tick labels, legend names and hover text, and column names and class
labels come from users' files: every builder ends in :func:`_layout`, which escapes the text of
the titles and of the traces (:func:`components.safe.plotly`), so it shows literally.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figure_style import projector_on, style
from components.safe import plotly as plotly_text

HEIGHT = 360
MAX_HEATMAP_COLUMNS = 40  # beyond this a heatmap is unreadable; the title says how many are shown


TRACE_TEXT = ("x", "y", "text", "name", "labels", "hovertext")  # trace fields that can hold user text


def _escaped(value: object) -> object:
    if isinstance(value, str):
        return plotly_text(value)
    if isinstance(value, list | tuple):
        return [plotly_text(v) if isinstance(v, str) else v for v in value]
    return value


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = HEIGHT, projector: bool | None = None
            ) -> go.Figure:
    """Titles, size and margins; the text of every trace and title escaped for Plotly (see module doc);
    the projector style when the page is in projector mode (or ``projector`` says so)."""
    for trace in fig.data:
        for field in TRACE_TEXT:
            value = getattr(trace, field, None)
            escaped = _escaped(value) if value is not None else None
            if escaped is not value:  # numbers (numpy arrays) stay: setting them again validates them again
                setattr(trace, field, escaped)
    fig.update_layout(
        title={"text": plotly_text(title)},
        xaxis_title={"text": plotly_text(x)},
        yaxis_title={"text": plotly_text(y)},
        height=height,
        margin={"t": 50, "b": 40, "l": 50, "r": 20},
    )
    return style(fig, projector_on() if projector is None else projector)


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

def lr_preview(curve: Sequence[float], schedule_kind: str) -> go.Figure:
    """The learning rate at the start of each epoch, as the schedule will set it."""
    fig = go.Figure(go.Scatter(x=list(range(1, len(curve) + 1)), y=list(curve), mode="lines", name="lr"))
    return _layout(fig, f"Learning-rate preview ({schedule_kind})", "epoch (count)", "learning rate (per step)",
                   height=260)


def confusion_matrix(matrix: Sequence[Sequence[int]], labels: Sequence[str], normalize: bool = False) -> go.Figure:
    """Heatmap of true (rows) vs predicted (columns) classes; ``normalize`` divides each row by its total."""
    counts = np.asarray(matrix, dtype=float)
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        z = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
        text, unit = [[f"{v:.0%}" for v in row] for row in z], "share of the true class (%)"
    else:
        z, unit = counts, "test rows (count)"
        text = [[f"{int(v)}" for v in row] for row in counts]
    names = [str(lab) for lab in labels]
    fig = go.Figure(go.Heatmap(z=z.tolist(), x=names, y=names, text=text, texttemplate="%{text}",
                               colorscale="Blues", colorbar={"title": {"text": unit}}))
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="category", autorange="reversed")
    title = "Confusion matrix, normalized by true class" if normalize else "Confusion matrix (counts)"
    return _layout(fig, title, "predicted class (label)", "true class (label)")


def roc_curves(curves: Mapping[str, Mapping[str, Sequence[float]]], auc: float | None) -> go.Figure:
    """One-vs-rest ROC curves (``{"label": {"fpr": [...], "tpr": [...]}}``) with the chance diagonal."""
    fig = go.Figure()
    for label, c in curves.items():
        fig.add_trace(go.Scatter(x=list(c["fpr"]), y=list(c["tpr"]), mode="lines", name=f"class {label}"))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line={"dash": "dash", "color": "gray"}))
    title = "ROC curves on the test split" + ("" if auc is None else f" (AUC {auc:.3f})")
    return _layout(fig, title, "false positive rate (share)", "true positive rate (share)")


def predicted_vs_actual(actual: Sequence[float], predicted: Sequence[float], target: str) -> go.Figure:
    """Scatter of predictions against true values with the ideal y = x line."""
    a, p = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    low, high = float(min(a.min(), p.min())), float(max(a.max(), p.max()))
    fig = go.Figure([
        go.Scatter(x=a.tolist(), y=p.tolist(), mode="markers", name="test rows", marker={"size": 6, "opacity": 0.7}),
        go.Scatter(x=[low, high], y=[low, high], mode="lines", name="ideal", line={"dash": "dash", "color": "gray"}),
    ])
    return _layout(fig, f"Predicted vs actual {target!r} (test split)", f"actual {target} (target units)",
                   f"predicted {target} (target units)")


def residuals(actual: Sequence[float], predicted: Sequence[float], target: str) -> go.Figure:
    """Residuals (actual - predicted) against the prediction; a good model scatters evenly around 0."""
    a, p = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    fig = go.Figure(go.Scatter(x=p.tolist(), y=(a - p).tolist(), mode="markers", name="test rows",
                               marker={"size": 6, "opacity": 0.7}))
    fig.add_hline(y=0, line_dash="dash", line_color="gray")
    return _layout(fig, f"Residuals of {target!r} (test split)", f"predicted {target} (target units)",
                   "actual - predicted (target units)")


def overlay(histories: Mapping[str, pd.DataFrame], column: str, what: str) -> go.Figure:
    """One line per run of ``column`` (e.g. val_loss) per epoch, to compare runs."""
    fig = go.Figure()
    for name, h in histories.items():
        if column in h and h[column].notna().any():
            fig.add_trace(go.Scatter(x=h["epoch"].tolist(), y=h[column].tolist(), mode="lines", name=name))
    return _layout(fig, f"{what} per epoch, selected runs", "epoch (count)", what)


def latency(bench: pd.DataFrame) -> go.Figure:
    """Median latency per runtime, one bar group per batch size (from ``benchmark_run``)."""
    fig = go.Figure()
    for batch, rows in bench.groupby("batch", sort=True):
        fig.add_trace(go.Bar(x=rows["runtime"].tolist(), y=rows["p50_us"].tolist(), name=f"batch {batch}",
                             text=[f"{v:,.0f}" for v in rows["p50_us"]], textposition="auto"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(type="log")
    return _layout(fig, "Median latency per call (lower is better)", "runtime (name)", "latency p50 (µs, log scale)")


def probabilities(labels: Sequence[str], values: Sequence[float]) -> go.Figure:
    """Bar chart of the predicted probability of each class for one row."""
    fig = go.Figure(go.Bar(x=[str(v) for v in labels], y=[float(v) for v in values],
                           text=[f"{v:.1%}" for v in values], textposition="auto"))
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=[0, 1])
    return _layout(fig, "Predicted probability of each class", "class (label)", "probability (0-1)", height=HEIGHT)


def parity(metrics_torch: Mapping[str, float], metrics_onnx: Mapping[str, float]) -> go.Figure:
    """The test metrics computed through torch and through onnxruntime, side by side."""
    names = [k for k, v in metrics_torch.items() if isinstance(v, int | float) and k in metrics_onnx]
    fig = go.Figure([
        go.Bar(x=names, y=[metrics_torch[k] for k in names], name="torch"),
        go.Bar(x=names, y=[metrics_onnx[k] for k in names], name="onnxruntime"),
    ])
    fig.update_layout(barmode="group")
    return _layout(fig, "Test metrics: torch vs exported ONNX", "metric (name)", "value (metric units)")


LIVE_TRACES = (  # (column, legend name, panel 1-3)
    ("train_loss", "train loss", 1), ("val_loss", "validation loss", 1),
    ("train_metric", "train {metric}", 2), ("val_metric", "validation {metric}", 2),
    ("lr", "learning rate", 3),
)


BATCH_TRACES = ("batch loss", "batch loss (smoothed)")  # panel 4: x = step, y = raw and smoothed losses


def live_curves(history: pd.DataFrame, metric: str, batch_steps: Sequence[int] = (),
                batch_loss: Sequence[float] = (), batch_smoothed: Sequence[float] = ()) -> go.Figure:
    """Loss, the primary metric and the learning rate per epoch, and the loss per batch (raw, faint, and
    smoothed: :func:`studio.train.smoothing.smooth`), as four panels of ONE figure.

    One chart instead of three: the browser re-mounts a Plotly chart whenever its data changes
    (twice a second while training), and on a small machine each mount costs CPU that training needs.
    The layout is built and validated once per metric; each redraw only fills in the numbers,
    skipping Plotly's validation (55-75 ms of Python per redraw, taken from the training thread's
    share of the interpreter, against ~6 ms).
    """
    template = _live_template(metric, projector_on())
    epochs = history["epoch"].tolist() if "epoch" in history else []
    n = len(LIVE_TRACES)
    data = [{**trace, "x": epochs, "y": history[column].tolist() if column in history else []}
            for (column, _, _), trace in zip(LIVE_TRACES, template["data"][:n], strict=True)]
    steps = list(batch_steps)
    data += [{**template["data"][n], "x": steps, "y": list(batch_loss)},
             {**template["data"][n + 1], "x": steps, "y": list(batch_smoothed)}]
    return go.Figure({"data": data, "layout": template["layout"]}, _validate=False)


@functools.lru_cache(maxsize=8)
def _live_template(metric: str, projector: bool) -> dict:
    """The validated live figure with empty traces, as a plain dict (cached: it never changes)."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=4, horizontal_spacing=0.06,
                        subplot_titles=("Loss per epoch", f"{metric} per epoch", "Learning rate per epoch",
                                        "Loss per batch"))
    colors = {"train": "#1f77b4", "validation": "#ff7f0e", "learning": "#2ca02c"}
    for _, name, col in LIVE_TRACES:
        label = name.format(metric=metric)
        fig.add_trace(go.Scatter(x=[], y=[], name=label, mode="lines", line={"color": colors[label.split()[0]]}),
                      row=1, col=col)
    fig.add_trace(go.Scatter(x=[], y=[], name=BATCH_TRACES[0], mode="lines", opacity=0.3,
                             line={"color": colors["train"], "width": 1}), row=1, col=4)
    fig.add_trace(go.Scatter(x=[], y=[], name=BATCH_TRACES[1], mode="lines", line={"color": colors["train"]}),
                  row=1, col=4)
    for col, y in ((1, "loss (lower is better)"), (2, f"{metric} (higher is better)"), (3, "learning rate (per step)"),
                   (4, "training loss (lower is better)")):
        fig.update_xaxes(title_text="batch (count)" if col == 4 else "epoch (count)", row=1, col=col)
        fig.update_yaxes(title_text=y, row=1, col=col)
    fig.update_layout(legend={"orientation": "h", "y": -0.3})
    fig = _layout(fig, "Training curves (live)", "epoch (count)", "loss (lower is better)", height=HEIGHT,
                  projector=projector)
    return fig.to_dict()


POINT_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")


def decision_boundary(b: Mapping, labels: Sequence[str] | None = None) -> go.Figure:
    """The output over the plane (a BoundaryEnd as a dict) with the training (filled) and validation
    (hollow) points on it: P(second class) for two classes, else the predicted class. The axes are the
    plane's (``x_label``/``y_label``: input names, or "PC1 (72% of variance)"). Numpy arrays and one
    Figure call: Plotly checks lists and later updates far slower, and the Train page redraws this
    twice a second on a thread that shares the interpreter with training."""
    binary = b["classes"] == 2
    traces = [go.Heatmap(
        x=np.asarray(b["xs"]), y=np.asarray(b["ys"]), z=np.asarray(b["surface"], dtype=float), zmin=0,
        zmax=1 if binary else b["classes"] - 1, colorscale="RdBu" if binary else "Viridis", opacity=0.75,
        showscale=binary,
        hovertemplate="x %{x:.2f}, y %{y:.2f}: " + ("P %{z:.2f}" if binary else "class %{z}") + "<extra></extra>")]
    names = list(labels or [])
    points = b["points"]
    for split, symbol in (("train", "circle"), ("val", "circle-open")):
        for code in range(b["classes"]):
            pts = np.array([p[:2] for p in points if p[3] == split and p[2] == code], dtype=float).reshape(-1, 2)
            if not len(pts):
                continue
            label = names[code] if code < len(names) else str(code)
            color = POINT_COLORS[code % len(POINT_COLORS)]
            traces.append(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers",
                                     name=f"{label} ({'validation' if split == 'val' else split})",
                                     marker={"symbol": symbol, "size": 6, "color": color,
                                             "line": {"width": 1, "color": "white" if split == "train" else color}}))
    fig = go.Figure(traces, layout={"legend": {"orientation": "h", "y": -0.25}})
    what = "P(second class)" if binary else "predicted class"
    when = "during" if b.get("during") else "after"
    axes = [b.get(k) or f"feature {i}" for i, k in ((1, "x_label"), (2, "y_label"))]
    if b.get("plane", "input") != "pca":  # a principal component's label says what it is
        axes = [f"{a} (model input)" for a in axes]
    return _layout(fig, f"Decision boundary {when} epoch {b['epoch']} ({what})", *axes)


def hidden_units(b: Mapping) -> go.Figure:
    """Every hidden unit's activation over the plane: one column of thumbnails per hidden layer, unit 1 on top.

    The thumbnails are tiles of one heatmap (NaN between them), each scaled to its own range as a heatmap
    of its own would be; the hover shows the activation itself. One trace of numpy arrays costs about a
    millisecond to build, 16 traces on 16 subplots 100-200 ms, at every redraw of the Train page, on
    the thread that shares the interpreter with training."""
    layers = sorted({u[0] for u in b["units"]})
    columns = [[np.asarray(u[2], dtype=float) for u in b["units"] if u[0] == layer] for layer in layers]
    rows = max([len(c) for c in columns] or [1])
    h, w = len(b["unit_ys"]), len(b["unit_xs"])
    shape = (rows * (h + 1) - 1, max(1, len(columns)) * (w + 1) - 1)
    colour, value = np.full(shape, np.nan), np.full(shape, np.nan)
    for col, grids in enumerate(columns):
        for row, grid in enumerate(grids):
            tile = grid[::-1]  # the plane's top row first: the y axis below counts rows downwards
            low, high = float(np.nanmin(tile)), float(np.nanmax(tile))
            at = np.s_[row * (h + 1):row * (h + 1) + h, col * (w + 1):col * (w + 1) + w]
            colour[at] = (tile - low) / (high - low) if high > low else 0.5
            value[at] = tile
    titles = [{"text": f"hidden layer {col + 1}", "x": col * (w + 1) + (w - 1) / 2, "y": 1.0, "xref": "x",
               "yref": "paper", "yanchor": "bottom", "showarrow": False} for col in range(len(columns))]
    bare = {"showticklabels": False, "showgrid": False, "zeroline": False}
    fig = go.Figure(go.Heatmap(z=colour, customdata=value, zmin=0, zmax=1, colorscale="RdBu", showscale=False,
                               hoverongaps=False, hovertemplate="activation %{customdata:.2f}<extra></extra>"),
                    layout={"xaxis": bare, "annotations": titles,
                            "yaxis": {**bare, "autorange": "reversed"}})
    return _layout(fig, "Hidden units (each unit's activation over the plane, in its own range)", "", "",
                   height=max(HEIGHT, 70 * rows))


def feature_importance(table: pd.DataFrame, metric: str) -> go.Figure:
    """Permutation importance per raw column (``column``, ``mean_drop``, ``std_drop``): horizontal bars, the
    most important on top, the spread of the shuffles as whiskers."""
    fig = go.Figure(go.Bar(x=table["mean_drop"].tolist(), y=[str(c) for c in table["column"]], orientation="h",
                           error_x={"type": "data", "array": table["std_drop"].tolist(), "visible": True},
                           hovertemplate="%{y}: drop %{x:.4f}<extra></extra>"))
    fig.update_yaxes(type="category", autorange="reversed")
    return _layout(fig, f"Feature importance: drop in test {metric} when a column is shuffled",
                   f"drop in {metric} ({metric} units)", "input column (name)",
                   height=max(HEIGHT, 90 + 28 * len(table)))


def attributions(row: pd.DataFrame, what: str, output: float, base_output: float) -> go.Figure:
    """One prediction's attribution per raw column (``column``, ``value``, ``attribution``): bars that push
    the output up in green, down in red, the largest on top. ``what`` names the output ("P(yes)")."""
    values = row["attribution"].astype(float).tolist()
    labels = [f"{c} = {v}" if str(v) else str(c) for c, v in zip(row["column"], row["value"], strict=True)]
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h",
                           marker={"color": ["#2ca02c" if v >= 0 else "#d62728" for v in values]},
                           hovertemplate="%{y}: %{x:+.4g}<extra></extra>"))
    fig.update_yaxes(type="category", autorange="reversed")
    return _layout(fig, f"Why {what} is {output:.4g} (it is {base_output:.4g} for the baseline)",
                   f"change in {what} (output units)", "input column = value", height=max(HEIGHT, 90 + 28 * len(row)))


TOKENS_PER_LINE = 12


def token_attributions(tokens: Sequence[tuple[str, float]], column: str) -> go.Figure:
    """A text's tokens in reading order, TOKENS_PER_LINE a line, each coloured by its attribution (green: toward
    the explained output, red: away from it)."""
    lines = max(1, -(-len(tokens) // TOKENS_PER_LINE))
    z: list[list[float | None]] = [[None] * TOKENS_PER_LINE for _ in range(lines)]
    text: list[list[str]] = [[""] * TOKENS_PER_LINE for _ in range(lines)]
    for i, (token, score) in enumerate(tokens):
        z[i // TOKENS_PER_LINE][i % TOKENS_PER_LINE] = float(score)
        text[i // TOKENS_PER_LINE][i % TOKENS_PER_LINE] = plotly_text(token)  # nested lists: escaped here
    top = max((abs(s) for _, s in tokens), default=0.0) or 1.0
    fig = go.Figure(go.Heatmap(z=z, text=text, texttemplate="%{text}",
                               hovertemplate="%{text}: %{z:+.4g}<extra></extra>",
                               colorscale=[[0, "#d62728"], [0.5, "#ffffff"], [1, "#2ca02c"]], zmin=-top, zmax=top,
                               xgap=2, ygap=2, colorbar={"title": {"text": "attribution"}}))
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(autorange="reversed", showticklabels=False)
    return _layout(fig, f"What each word of {column!r} added", "token (reading order)", "line",
                   height=110 + 40 * lines)
