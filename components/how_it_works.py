"""The "How it works" box drawn beside a control: its formula, plain words, and what to expect.

The text comes from the engine (a registry entry's ``explain``, or :mod:`studio.explanations` for the
controls that are not registry entries), so a new optimizer or block brings its own box and this
file never names one. The texts are the project's own, never a user's, so Markdown is fine here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from components import lesson_state
from studio.registry import Explanation

TITLE = "How it works"


def body(explanation: Explanation) -> None:
    """The formula, the words and what to expect, in the current container."""
    st.latex(explanation.formula)
    st.markdown(explanation.words)
    st.markdown(f"**What to expect:** {explanation.expect}")


def _expander(title: str, paths: Sequence[str]) -> Any:
    """The box; open and marked when the lesson highlights one of the controls at ``paths`` (recipe paths)."""
    if lesson_state.touches(paths):
        return st.expander(f"{lesson_state.HIGHLIGHT} {title}", expanded=True)
    return st.expander(title)


def box(explanation: Explanation | None, what: str = "", paths: Sequence[str] = ()) -> None:
    """An expander titled "How it works" (``: what`` added when given); nothing when there is no explanation.
    ``paths``: the recipe paths of the controls it explains (a lesson that highlights one marks the box)."""
    if explanation is None:
        return
    with _expander(f"{TITLE}: {what}" if what else TITLE, paths):
        body(explanation)


def several(explanations: Mapping[str, Explanation], names: Sequence[str], what: str,
            paths: Sequence[str] = ()) -> None:
    """One "How it works" box over several controls or numbers, each under its own (bold) name."""
    if not names:
        return
    with _expander(f"{TITLE}: {what}", paths):
        for name in names:
            st.markdown(f"**{name.replace('_', ' ')}**")
            body(explanations[name])
