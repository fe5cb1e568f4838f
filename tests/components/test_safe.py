"""components.safe: user text is shown literally where Streamlit renders Markdown or Plotly renders HTML."""

from __future__ import annotations

import pandas as pd
import pytest

from components import figures
from components.safe import md, plotly
from tests.components.helpers import live_markup, shown

HOSTILE = [
    "[click](https://evil.example/a)",
    "![pixel](https://evil.example/p.png)",
    "<img src=https://evil.example/h.png>",
    "visit www.evil.example now",
    "mail me: someone@evil.example",
    "**bold** _it_ `code` ~~gone~~ $x^2$ :red[alarm] # heading",
    "1. not a list | not | a table",
    "back\\slash and a line\nbreak",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_md_shows_the_text_literally(text):
    escaped = md(text)
    assert live_markup(escaped) is None, escaped
    assert shown(escaped) == text.replace("\n", " ")  # what the browser shows is the text itself
    assert "\n" not in escaped


def test_md_leaves_plain_words_alone():
    assert md("sepal length cm") == "sepal length cm"


def test_the_markup_detector_finds_what_a_browser_would_render():
    """The tests' detector must fail on unescaped input, or the page tests prove nothing."""
    for text in HOSTILE[:5]:
        assert live_markup(text) is not None, text


def test_plotly_escapes_its_html_subset():
    escaped = plotly('<a href="https://evil.example">x</a> & <b>')
    assert escaped == '&lt;a href="https://evil.example"&gt;x&lt;/a&gt; &amp; &lt;b&gt;'


def test_figures_escape_user_text_in_titles_ticks_and_legends():
    label, column = "<a href='https://evil.example'>yes</a>", "<img src=https://evil.example/x.png>"
    bars = figures.class_balance(pd.Series([label, "no", "no"], name=column))
    assert "&lt;a href" in bars.data[0].x[1] + bars.data[0].x[0]
    assert "<img" not in bars.layout.title.text and "&lt;img" in bars.layout.title.text
    matrix = figures.confusion_matrix([[1, 0], [0, 1]], [label, "no"])
    assert all("<" not in str(v) for v in [*matrix.data[0].x, *matrix.data[0].y])
    lines = figures.overlay({label: pd.DataFrame({"epoch": [1, 2], "val_loss": [1.0, 0.5]})}, "val_loss", "loss")
    assert lines.data[0].name.startswith("&lt;a href")
    hist = figures.column_histogram(pd.Series([1.0, 2.0], name=column))
    assert "<img" not in hist.layout.title.text + hist.layout.xaxis.title.text
