"""Projector style: thicker lines and markers, larger text, high contrast; off outside a projector session."""

from __future__ import annotations

import plotly.graph_objects as go

from components import figure_style, figures
from components.figure_style import COLORWAY, FONT, LINE_WIDTH, style


def _fig() -> go.Figure:
    return go.Figure([go.Scatter(y=[1, 2], mode="lines"), go.Scatter(y=[1, 2], mode="lines", line={"width": 1}),
                      go.Scatter(y=[2, 1], mode="markers", marker={"size": 6}), go.Bar(y=[1])],
                     layout={"height": 360})


def test_projector_style_thickens_lines_and_enlarges_text():
    fig = style(_fig(), True)
    assert [t.line.width for t in fig.data[:2]] == [LINE_WIDTH, 2] and fig.data[2].marker.size == 9
    assert fig.layout.font.size == FONT and tuple(fig.layout.colorway) == COLORWAY and fig.layout.height == 450
    assert fig.layout.xaxis.linewidth == 2
    assert style(_fig(), False).to_dict() == _fig().to_dict()


def test_figures_ask_the_flag_and_are_plain_outside_the_app():
    curve = [0.1, 0.05]
    assert figures.lr_preview(curve, "step").data[0].line.width is None  # no app: the flag says no
    try:
        figure_style.use_flag(lambda: True)
        assert figures.lr_preview(curve, "step").data[0].line.width == LINE_WIDTH
        live = figures.live_curves(figures.pd.DataFrame({"epoch": [1], "train_loss": [0.5]}), "accuracy")
        assert live.data[0].line.width == LINE_WIDTH and live.layout.font.size == FONT
    finally:
        figure_style.use_flag(lambda: False)
