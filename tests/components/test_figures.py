"""Figure builders: the right traces, and every figure titled with labelled axes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components import figures


def _labelled(fig: go.Figure, unit_on_y: bool = True) -> None:
    assert fig.layout.title.text
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    if unit_on_y:
        assert "(" in fig.layout.yaxis.title.text  # the value axis names its unit in brackets


def test_class_balance_counts_in_label_order():
    target = pd.Series(["b", "a", "b", "b"], name="y")
    fig = figures.class_balance(target, labels=["a", "b", "c"])
    assert list(fig.data[0].x) == ["a", "b", "c"]
    assert list(fig.data[0].y) == [1, 3, 0]
    assert "'y'" in fig.layout.title.text
    _labelled(fig)


def test_histogram_numeric_drops_missing_and_says_so():
    values = pd.Series([1.0, 2.0, np.nan, 4.0], name="age")
    fig = figures.column_histogram(values, "numeric")
    assert isinstance(fig.data[0], go.Histogram)
    assert list(fig.data[0].x) == [1.0, 2.0, 4.0]
    assert "1 missing" in fig.layout.title.text
    _labelled(fig)


def test_histogram_categorical_is_bar_of_counts():
    fig = figures.column_histogram(pd.Series(["red", "blue", "red"], name="color"), "categorical")
    assert isinstance(fig.data[0], go.Bar)
    assert dict(zip(fig.data[0].x, fig.data[0].y, strict=True)) == {"red": 2, "blue": 1}
    _labelled(fig)


def test_correlation_heatmap_symmetric_and_capped():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(50, 45)), columns=[f"c{i}" for i in range(45)])
    frame["text"] = "x"  # non-numeric columns are left out
    fig = figures.correlation_heatmap(frame)
    z = np.array(fig.data[0].z)
    assert z.shape == (figures.MAX_HEATMAP_COLUMNS, figures.MAX_HEATMAP_COLUMNS)
    assert np.allclose(np.diag(z), 1.0) and np.allclose(z, z.T)
    assert "first 40 of 45" in fig.layout.title.text
    _labelled(fig, unit_on_y=False)
    assert fig.data[0].colorbar.title.text == "r"

