"""Text a user provided, made safe for the places that render Markdown or Plotly's HTML subset.

Streamlit renders Markdown (GitHub-flavoured, plus its own directives, LaTeX and links) in
``st.markdown``, ``st.caption``, the alert boxes (``st.error`` ...), widget labels and help,
``st.metric`` labels *and values*, ``st.progress(text=)``, ``st.toast`` and ``st.radio`` options.
A column named ``[click](https://evil.example)`` would be a live link there, and an image link
makes every viewer's browser fetch from outside. Anything a user typed or uploaded (column names,
class labels, file names, recipe names, run ids from the URL, error sentences that quote such
values) goes through :func:`md` before it reaches one of those; the rest of the string may stay
Markdown (``f"**Run** {md(name)}"``). Places that show plain text (``st.text``, ``st.code``,
``st.dataframe``, select box and multiselect options) need nothing.

Plotly renders a subset of HTML (``<a href>``, ``<b>``, ``<br>``...) in titles, tick labels,
legend entries and hover text; :func:`plotly` escapes it. Pure module: no streamlit import.
"""

from __future__ import annotations

import html
import re
import string
from typing import Any

# CommonMark lets any ASCII punctuation be backslash-escaped, and an escaped character is always
# shown as itself. Escaping all of them is simpler to trust than choosing, and it also disarms
# Streamlit's ``:color[...]`` directives and ``$`` math.
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
# GFM also links bare ``https://...``, ``www.x.y`` and ``a@b.c``, and remark does that *after*
# parsing, on the text with its escapes already removed, so an escape cannot stop it. An invisible
# WORD JOINER inside the pattern does: it is not a word character, so the pattern no longer matches.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|www)(?=[:.])|(?<=\w)(?=@\w)")
WORD_JOINER = "\u2060"


def md(value: Any) -> str:
    """``value`` as text that Markdown shows literally: every ASCII punctuation mark backslash-escaped,
    bare links broken by an invisible word joiner, line breaks as spaces (so a value cannot start
    a heading, list or block of its own)."""
    text = _LINE_BREAKS.sub(" ", str(value))
    text = _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, text)
    return _PUNCTUATION.sub(r"\\\1", text)


def plotly(value: Any) -> str:
    """``value`` as text that Plotly shows literally (``<``, ``>`` and ``&`` as entities)."""
    return html.escape(str(value), quote=False)
