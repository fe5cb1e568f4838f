"""Projector mode: larger text and lines and a high-contrast theme, for a room watching one screen.

The sidebar's toggle keeps the mode for the session and in the URL (``?projector=1``), so a teacher's
bookmark opens in it. The page gets :data:`CSS`, one constant block of our own (the only HTML this app
writes; nothing a user typed is ever in it), and figures take :func:`components.figure_style.style`.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components import figure_style, lesson_state, state

# Streamlit sizes its text in rem, so a larger root font scales the whole page; the rest is contrast.
CSS = """<style>
html { font-size: 125%; }
[data-testid="stApp"], [data-testid="stSidebar"], [data-testid="stHeader"] { background: #ffffff; color: #000000; }
[data-testid="stSidebar"] { border-right: 3px solid #000000; }
[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"],
[data-testid="stExpander"] summary, [data-testid="stMetricValue"], [data-testid="stMetricLabel"],
[data-testid="stTab"], label, p, li { color: #000000 !important; opacity: 1 !important; }
[data-testid="stCaptionContainer"] { font-size: 1rem; }
[data-testid="stExpander"] details, [data-testid="stVerticalBlockBorderWrapper"] { border: 2px solid #000000; }
[data-testid="stNumberInputContainer"], [data-testid="stTextInputRootElement"], .stSelectbox .react-aria-ComboBox > div,
[data-testid="stTextArea"] textarea { border: 2px solid #000000 !important; color: #000000 !important; }
button[kind] { border: 2px solid #000000 !important; font-weight: 600; }
a { color: #0000ee !important; text-decoration: underline; }
*:focus-visible { outline: 4px solid #d55e00 !important; }
</style>"""


def _in_session() -> bool:
    """Projector mode of the session running this script (False outside the app: tests, notebooks)."""
    return get_script_run_ctx(suppress_warning=True) is not None and lesson_state.projector()


def _toggled() -> None:
    if state.widgets_gone(lesson_state.PROJECTOR_KEY):
        return
    lesson_state.set_projector(bool(st.session_state[lesson_state.PROJECTOR_KEY]))


def toggle() -> None:
    """The sidebar's "Projector mode" toggle."""
    st.session_state[lesson_state.PROJECTOR_KEY] = lesson_state.projector()
    st.toggle("Projector mode", key=lesson_state.PROJECTOR_KEY, on_change=_toggled,
              help="Larger text, thicker chart lines and high contrast, for a projector; kept in the address "
                   "(?projector=1) so a bookmark opens in it.")


def apply() -> None:
    """Call at the start of every run: figures ask this session, and the page gets the CSS when on."""
    figure_style.use_flag(_in_session)
    if lesson_state.projector():
        st.markdown(CSS, unsafe_allow_html=True)  # our constant CSS only, never a user's text
