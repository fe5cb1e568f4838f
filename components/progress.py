"""A progress bar for the engine's long loads (decoding pictures), drawn in place with ``st.progress``."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

Progress = Callable[[int, int], None]


@contextmanager
def decoding_progress(what: str) -> Iterator[Progress]:
    """A ``progress(done, total)`` for the engine's picture decoding, drawn as ``st.progress`` in place.

    The bar is drawn from the context of the caller, outside the cached function that decodes:
    Streamlit records every element a cached function draws and replays it on a cache hit, and a
    finished bar replayed on every rerun is not wanted. The bar is removed when decoding is done.
    """
    slots: list[Any] = []  # made at the first report: no element at all when nothing is decoded (a cache
    # hit), or an empty one at the top of the page would shift every element after it, so that the browser
    # mounts the whole page again (a Train click's callback loads the cached data: 0.8 s in Chromium)
    outside = contextvars.copy_context()

    def report(done: int, total: int) -> None:
        text = f"{what}: {done:,} of {total:,} pictures"
        if not slots:
            slots.append(outside.run(st.empty))
        outside.run(slots[0].progress, done / max(total, 1), text=text)

    try:
        yield report
    finally:
        if slots:
            slots[0].empty()
