"""The "How it works" box drawn beside a control: its formula, plain words, and what to expect.

The text comes from the engine (a registry entry's ``explain``, or :mod:`studio.explanations` for the
controls that are not registry entries), so a new optimizer or block brings its own box and this
file never names one. The texts are the project's own, never a user's, so Markdown is fine here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from studio.registry import Explanation

TITLE = "How it works"


def body(explanation: Explanation) -> None:
    """The formula, the words and what to expect, in the current container."""
    st.latex(explanation.formula)
    st.markdown(explanation.words)
    st.markdown(f"**What to expect:** {explanation.expect}")


def box(explanation: Explanation | None, what: str = "") -> None:
    """An expander titled "How it works" (``: what`` added when given); nothing when there is no explanation."""
    if explanation is None:
        return
    with st.expander(f"{TITLE}: {what}" if what else TITLE):
        body(explanation)


def several(explanations: Mapping[str, Explanation], names: Sequence[str], what: str) -> None:
    """One "How it works" box over several controls or numbers, each under its own (bold) name."""
    if not names:
        return
    with st.expander(f"{TITLE}: {what}"):
        for name in names:
            st.markdown(f"**{name.replace('_', ' ')}**")
            body(explanations[name])
