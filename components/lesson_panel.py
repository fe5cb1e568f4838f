"""The lesson in the app: the sidebar's picker (and the teacher's unlock), and the lesson's box on top
of every page with its text and its setups.

Picking a lesson loads its first setup as the draft and shows its locks (:mod:`components.lesson_state`);
"No lesson" takes the box and the locks away and keeps the draft. The lesson's text is ours, but it goes
through :func:`components.safe.md` like any text, so it is shown literally.
"""

from __future__ import annotations

import streamlit as st

from components import lesson_state, state
from components.safe import md
from studio.lessons import Lesson, lessons

NO_LESSON = ""


def _picked() -> None:
    if state.widgets_gone(lesson_state.PICKER_KEY):
        return
    chosen = lessons().get(st.session_state[lesson_state.PICKER_KEY])
    if chosen is None:
        lesson_state.set_lesson(None)
        return
    state.set_recipe(chosen.recipe())
    lesson_state.set_lesson(chosen, chosen.locked)


def _load_setup(chosen: Lesson, index: int) -> None:
    state.set_recipe(chosen.recipe(index))


def picker() -> None:
    """The sidebar's "Lesson" select box, and "Teacher: unlock" when the lesson locks something."""
    found = lessons()
    shown = lesson_state.lesson()
    if lesson_state.PICKER_KEY not in st.session_state:
        st.session_state[lesson_state.PICKER_KEY] = shown.id if shown else NO_LESSON
    st.selectbox("Lesson", [NO_LESSON, *found], key=lesson_state.PICKER_KEY, on_change=_picked,
                 format_func=lambda i: found[i].title if i in found else "No lesson",
                 help="Loads the lesson's first setup as the draft, says what to try, marks the controls that "
                      "matter and locks the ones the lesson fixes.")
    if shown is not None and lesson_state.lesson_locks():
        st.toggle("Teacher: unlock", key=lesson_state.UNLOCK_KEY,
                  help="Lets this browser change the controls the lesson locks. Locks guide a class; they are no "
                       "password. Links you copy still carry the lesson's locks.")


def banner() -> None:
    """The lesson's box on top of the page: title, text, its setups, and what is marked or locked."""
    shown = lesson_state.lesson()
    if shown is None:
        return
    with st.container(border=True, key="lesson.box"):
        st.markdown(f"{lesson_state.HIGHLIGHT} **Lesson: {md(shown.title)}**")
        st.markdown(md(shown.text))
        current = shown.setup_of(state.get_recipe())
        if len(shown.setups) > 1:
            columns = st.columns(max(3, len(shown.setups)))
            for i, (column, setup) in enumerate(zip(columns, shown.setups, strict=False)):
                column.button(f"Setup: {setup.label}", key=f"lesson.setup.{i}", on_click=_load_setup,
                              args=(shown, i), type="primary" if i == current else "secondary", width="stretch")
        st.caption(_status(shown, current))


def _status(shown: Lesson, current: int | None) -> str:
    """One line: which setup the draft is, and what the lesson marks and locks."""
    draft = ("The draft is your own edit of a setup." if current is None
             else f"The draft is the setup {md(shown.setups[current].label)}.")
    marks = f"{lesson_state.HIGHLIGHT} marks the controls that matter."
    locked = len(lesson_state.lesson_locks())
    if not locked:
        return f"{draft} {marks}"
    if lesson_state.unlocked():
        return f"{draft} {marks} The teacher unlocked the {locked} locked controls in this browser."
    return f"{draft} {marks} {lesson_state.LOCK} {locked} controls are locked by the lesson (shown read-only)."
