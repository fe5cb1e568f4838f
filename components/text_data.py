"""The Data page's view of text columns and of time series (engine: studio.text.summary, studio.data.series_view)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.safe import md, plotly
from studio.errors import StudioError


def text_columns(table: Any) -> list[str]:
    return [f for f in table.features if table.column_types.get(f) == "text"]


def show_text(table: Any, options: Any = None) -> None:
    """Per text column: tokens per text (histogram), the most frequent tokens, example rows."""
    from studio.text.summary import summarize_text

    columns = text_columns(table)
    if not columns:
        return
    st.subheader("Text")
    column = st.selectbox("Text column", columns, key="data.text_column") if len(columns) > 1 else columns[0]
    try:
        summary = summarize_text(table.frame[column], column, options)
    except StudioError as err:
        st.error(md(err))
        return
    left, right = st.columns(2)
    with left:
        fig = go.Figure(go.Histogram(x=summary.lengths, nbinsx=40, marker_color="#4C78A8"))
        fig.update_layout(title=plotly(f"Tokens per text in {column}"), height=320, bargap=0.05,
                          xaxis_title="tokens", yaxis_title="texts", margin={"t": 50, "b": 40})
        st.plotly_chart(fig, key="data.text.lengths")
        p95 = int(pd.Series(summary.lengths).quantile(0.95)) if len(summary.lengths) else 0
        st.caption(f"{summary.rows} texts read, {summary.empty} empty; 95% have at most {p95} tokens (the default "
                   "length texts are cut or padded to).")
    with right:
        top = pd.DataFrame(summary.top_tokens, columns=["token", "count"])
        st.dataframe(top, hide_index=True, key="data.text.top", height=320)
    st.caption("Example rows")
    st.dataframe(pd.DataFrame({column: summary.examples}), hide_index=True, key="data.text.examples")
    for note in summary.notes:
        st.caption(f"• {md(note)}")


def show_series(table: Any, split: Any) -> None:
    """The series over time with the split's boundaries: training, then validation, then test, in order."""
    from studio.data.series_view import series_view

    view = series_view(table, split)
    fig = go.Figure()
    for name in view.series:
        if pd.api.types.is_numeric_dtype(view.frame[name]):
            fig.add_trace(go.Scatter(x=view.frame[view.x], y=view.frame[name], mode="lines", name=plotly(name)))
    for b in view.boundaries:
        fig.add_vline(x=b["x"], line_dash="dash", line_color="#888")
        fig.add_annotation(x=b["x"], y=1, yref="paper", text=f"{b['part']} begins", showarrow=False,
                           xanchor="left", yanchor="bottom")
    fig.update_layout(title=plotly(f"{table.target} over {view.x}"), height=380,
                      margin={"t": 60, "b": 40}, legend={"orientation": "h"})
    st.plotly_chart(fig, key="data.series.plot")
    parts = ", ".join(f"{name} {p['steps']} steps ({p['first']} to {p['last']})" for name, p in view.parts.items())
    info = table.series
    what = f"forecast the next {info.horizon}" if info.task == "forecast" else "are classified"
    st.caption(md(f"Windows of {info.window} steps {what}; the split is by time: {parts}."))
