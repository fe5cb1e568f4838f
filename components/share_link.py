"""Shareable links in the app: opening one loads its recipe as the draft (and shows its lesson, with the
link's locks); the sidebar shows this draft's link, with the lesson and the lesson's locks, and its QR code.

The token format and its checks are the engine's (:mod:`studio.share`). A link that cannot be read
(not a studio link, a later format, damaged, an invalid recipe, a lesson this studio does not have)
shows its sentence and leaves the draft as it was; the bad parameter is taken out of the URL so a
refresh does not repeat the error.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from components import lesson_state, state
from components.safe import md
from studio.errors import QRCodeError, StudioError
from studio.lessons import get_lesson
from studio.recipe_paths import exists
from studio.share import PARAM, decode, link
from studio.share_qr import qr_png

OPEN_KEY = "share.copy"  # the "Copy link" expander's open state


def load_from_url() -> None:
    """Read a recipe link in the URL, once per session and token; call before anything is drawn."""
    token = state.new_link_token(PARAM)
    if token is None:
        return
    try:
        shared = decode(token)
    except StudioError as err:
        state.drop_query_param(PARAM)
        st.error(f"This link could not be opened: {md(err)}. Your draft is unchanged.")
        return
    state.set_recipe(shared.recipe)
    lesson = get_lesson(shared.lesson) if shared.lesson else None  # decode checked that it exists
    lesson_state.set_lesson(lesson, shared.locked)
    opened = f" and the lesson {md(lesson.title)}" if lesson else ""
    st.success(f"Loaded the recipe {md(shared.recipe.name)}{opened} from the link.")


def app_address() -> str:
    """The address this browser opened the app at, without its query (empty when unknown, e.g. in tests)."""
    url = getattr(st.context, "url", None) or ""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")) if parts.netloc else ""


def copy_link() -> None:
    """The sidebar's "Copy link": this draft's link in a code box (which has a copy button), and its QR code.

    Made only while the expander is open (``on_change="rerun"``): the sidebar is drawn on every rerun of
    every page, and a new draft is a new link, whose QR code costs ~50 ms of the server's CPU."""
    box = st.expander("Copy link", icon=":material/link:", key=OPEN_KEY, on_change="rerun")
    if not box.open:
        return
    recipe, lesson = state.get_recipe(), lesson_state.lesson()
    locked = [p for p in lesson_state.lesson_locks() if exists(recipe, p)]  # an unlocked edit may remove one
    address = app_address()
    url = link(recipe, address, lesson.id if lesson else None, locked)
    with box:
        st.code(url, language=None, wrap_lines=True)
        st.caption("Opening this link loads this recipe as the draft (a data file you uploaded is not in it: "
                   "the person opening it uploads their own).")
        if lesson is not None:
            st.caption(f"It opens the lesson {md(lesson.title)}" + (f" with its {len(locked)} controls locked, even "
                       "if you unlocked them here." if locked else "."))
        _qr_code(url, bool(address), recipe.name)


@st.cache_data(show_spinner=False, max_entries=64)
def _png(url: str) -> bytes:
    """The link's QR code as PNG (cached: the sidebar is drawn on every rerun, and a code takes ~50 ms)."""
    return qr_png(url)


def _qr_code(url: str, absolute: bool, name: str) -> None:
    """The link's QR code, to scan from a projector, and a button to download it; a link too long for a QR
    code says so instead."""
    try:
        png = _png(url)
    except QRCodeError as err:
        st.info(f"No QR code: {md(err)}.")
        return
    if absolute:
        caption = "Scan to open this draft on a phone or put the picture on the projector."
    else:  # the address this browser opened is unknown here: the code holds the link as shown, from "?"
        caption = ("This QR code holds the link as shown above, without the studio's address (unknown here): "
                   "add the address this browser opened before it.")
    st.image(png, caption=caption, width="stretch", output_format="PNG")  # "auto" would make it a blurred JPEG
    st.download_button("Download the QR code (PNG)", data=png, file_name=f"{name}-qr.png", mime="image/png",
                        key="share.qr.download", on_click="ignore", width="stretch")
