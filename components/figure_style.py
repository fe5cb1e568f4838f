"""Projector style for figures: larger text, thicker lines and markers, high contrast.

Pure (no streamlit): :func:`style` restyles a figure for a room watching one screen. Every figure
builder in :mod:`components.figures` ends in it, asking :func:`projector_on` whether the current page
is in projector mode; the app installs that question once (:func:`use_flag`), so the builders keep
taking only data, and a figure built outside the app (a test, a notebook) is drawn as usual.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go

LINE_WIDTH = 4  # a line trace without its own width (plotly draws 2)
FONT, TITLE_FONT, TICK_FONT = 20, 24, 18  # plotly's default is 12
MARKER_SCALE = 1.5
HEIGHT_SCALE = 1.25
INK, PAPER, GRID = "#000000", "#ffffff", "#b0b0b0"
# Okabe and Ito's colours, told apart by people with any colour vision, black first
COLORWAY = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")

_flag: Callable[[], bool] = lambda: False  # noqa: E731 (replaced by the app: use_flag)


def use_flag(flag: Callable[[], bool]) -> None:
    """Where figures learn whether to use the projector style (the app: its session's toggle)."""
    global _flag
    _flag = flag


def projector_on() -> bool:
    return bool(_flag())


def style(fig: go.Figure, projector: bool) -> go.Figure:
    """``fig`` in the projector style when ``projector`` (else unchanged); returns the same figure."""
    if not projector:
        return fig
    fig.update_layout(font={"size": FONT, "color": INK}, title_font_size=TITLE_FONT, legend_font_size=TICK_FONT,
                      paper_bgcolor=PAPER, plot_bgcolor=PAPER, colorway=COLORWAY,
                      height=round((fig.layout.height or 360) * HEIGHT_SCALE),
                      margin={"t": 70, "b": 60, "l": 80, "r": 30})
    axes = {"showline": True, "linewidth": 2, "linecolor": INK, "gridcolor": GRID,  # the axis's own fonts: a theme's
            "tickfont": {"size": TICK_FONT, "color": INK}, "title_font": {"size": FONT, "color": INK}}  # would win
    fig.update_xaxes(**axes)
    fig.update_yaxes(**axes)
    fig.update_annotations(font_size=FONT)  # subplot titles
    for trace in fig.data:
        if trace.type not in ("scatter", "scattergl"):
            continue
        mode = trace.mode or "lines"
        if "lines" in mode:
            trace.line.width = trace.line.width * 2 if trace.line.width else LINE_WIDTH
        if "markers" in mode and isinstance(trace.marker.size, int | float):
            trace.marker.size = trace.marker.size * MARKER_SCALE
    return fig
