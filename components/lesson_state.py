"""The classroom part of the session: the lesson shown, its locks, the teacher's unlock, projector mode.

A sibling of :mod:`components.state` (which holds the draft and checks its edits against
:func:`refuse_locked`); only these two modules read or write these keys. What a session holds:
  * the id of the lesson shown (None: no lesson), and the recipe paths it locks: the lesson's own
    when it was picked in the sidebar, a link's when it came from a link;
  * whether the teacher unlocked them in this browser (locks guide a class; they are no security);
  * projector mode, which the first run of a session takes from the URL's ``?projector=1``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import streamlit as st

from studio.errors import LessonError
from studio.lessons import Lesson, lessons
from studio.recipe import Recipe
from studio.recipe_paths import changed, covers, related

HIGHLIGHT = ":material/school:"  # before the label of a control the lesson says matters
LOCK = ":material/lock:"
LOCKED_NOTE = f"{LOCK} Locked by the lesson."
PICKER_KEY = "sidebar.lesson"  # the sidebar's lesson select box ("" is "No lesson")
UNLOCK_KEY = "sidebar.teacher_unlock"
PROJECTOR_KEY = "sidebar.projector"
PROJECTOR_PARAM = "projector"
_LESSON = "studio.lesson"
_LOCKS = "studio.lesson_locks"
_PROJECTOR = "studio.projector"


def lesson() -> Lesson | None:
    """The lesson this session shows, if any."""
    lesson_id = st.session_state.get(_LESSON)
    return lessons().get(lesson_id) if lesson_id else None


def set_lesson(chosen: Lesson | None, locked: Sequence[str] = ()) -> None:
    """Show ``chosen`` (None: no lesson) with ``locked`` read-only; the teacher's unlock is reset.

    Call it from a callback or before the sidebar is drawn: it sets the sidebar's widgets too.
    """
    st.session_state[_LESSON] = chosen.id if chosen else None
    st.session_state[_LOCKS] = tuple(locked) if chosen else ()
    st.session_state[PICKER_KEY] = chosen.id if chosen else ""
    st.session_state[UNLOCK_KEY] = False


def lesson_locks() -> tuple[str, ...]:
    """The locks of the lesson shown, whether or not the teacher unlocked them (links carry these)."""
    return tuple(st.session_state.get(_LOCKS, ())) if lesson() else ()


def unlocked() -> bool:
    return bool(st.session_state.get(UNLOCK_KEY))


def locks() -> tuple[str, ...]:
    """The recipe paths shown read-only now (none when the teacher unlocked them)."""
    return () if unlocked() else lesson_locks()


def is_locked(path: str | None) -> bool:
    return path is not None and any(covers(lock, path) for lock in locks())


def is_highlighted(path: str | None) -> bool:
    """Whether the lesson names this control (or a section above it) as one that matters."""
    shown = lesson()
    return path is not None and shown is not None and any(covers(h, path) for h in shown.highlight)


def touches(paths: Iterable[str]) -> bool:
    """Whether a box about ``paths`` (a section, or fields) is about a control the lesson highlights."""
    shown = lesson()
    return shown is not None and any(related(h, p) for h in shown.highlight for p in paths)


def refuse_locked(old: Recipe, new: Recipe) -> None:
    """A LessonError when ``new`` changes a control the lesson locks (the draft then stays ``old``)."""
    hit = changed(old, new, locks())
    if hit:
        shown = lesson()
        title = shown.title if shown else "this lesson"
        raise LessonError(f"{hit[0]} is locked by the lesson {title!r}; a teacher can unlock it in the sidebar")


# -- projector mode -------------------------------------------------------------------------------


def projector() -> bool:
    """Projector mode: the URL's ``?projector=1`` on a session's first run, then the sidebar's toggle."""
    if _PROJECTOR not in st.session_state:
        st.session_state[_PROJECTOR] = st.query_params.get(PROJECTOR_PARAM) == "1"
    return bool(st.session_state[_PROJECTOR])


def set_projector(on: bool) -> None:
    """Switch projector mode; the URL keeps it (``?projector=1``) so a bookmark opens in it."""
    st.session_state[_PROJECTOR] = on
    sync_projector_param()


def sync_projector_param() -> None:
    """Write projector mode into the URL (page navigation may have dropped it)."""
    if projector():
        if st.query_params.get(PROJECTOR_PARAM) != "1":
            st.query_params[PROJECTOR_PARAM] = "1"
    elif PROJECTOR_PARAM in st.query_params:
        del st.query_params[PROJECTOR_PARAM]
