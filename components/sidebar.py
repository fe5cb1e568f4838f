"""The sidebar every page shares: the recipe's name, the current run, presets, recipe upload/download,
the lesson and projector mode.

Loading a preset or a recipe file replaces the draft with something the lesson did not give, so it
also leaves the lesson (and its locks)."""

from __future__ import annotations

import streamlit as st

from components import jobs, lesson_panel, lesson_state, projector, queue_view, share_link, state
from components.safe import md
from studio.errors import StudioError, quote
from studio.recipe import load_recipe, recipe_from_json
from studio.status import RunStatus

NAME_KEY = f"{state.WIDGET_PREFIX}recipe.name"
PRESET_KEY = "sidebar.preset"
UPLOAD_KEY = "sidebar.upload"


def _rename() -> None:
    if NAME_KEY not in st.session_state:  # a preset or upload loaded in the same rerun reset the widgets first
        return  # (seen with 30 sessions on one server: the KeyError failed the run and lost the preset)
    state.try_update(NAME_KEY, name=st.session_state[NAME_KEY])


def _load_preset() -> None:
    name = st.session_state.get(PRESET_KEY)
    if not name:
        return
    try:
        state.set_recipe(load_recipe(state.presets()[name]))
        lesson_state.set_lesson(None)
        state.clear_widget_error(PRESET_KEY)
    except StudioError as err:
        state.set_widget_error(PRESET_KEY, str(err))


def _load_upload() -> None:
    uploaded = st.session_state.get(UPLOAD_KEY)
    if uploaded is None:
        return
    try:
        state.set_recipe(recipe_from_json(uploaded.getvalue(), uploaded.name))
        lesson_state.set_lesson(None)
        state.clear_widget_error(UPLOAD_KEY)
    except StudioError as err:  # name the file, unless reading it already did
        named = quote(uploaded.name)
        state.set_widget_error(UPLOAD_KEY, str(err) if named in str(err) else f"recipe file {named}: {err}")


def _errors_of(key: str) -> None:
    message = state.widget_error(key)
    if message:
        st.error(md(message))


def run_status() -> str:
    """One line (Markdown) on the run this tab watches; another browser's run reads as not running here."""
    run_id = state.get_run_id()
    if not run_id:
        return "No run yet: start one on the Train page."
    handle = jobs.registry().get(run_id, owner=state.owner_token())
    if handle is None:
        return f"Run {md(run_id)} is not running in this server (finished runs are listed on Evaluate)."
    job = handle.job
    place = queue_view.place_of(handle) if getattr(job, "status", None) == RunStatus.QUEUED else None
    if place is not None:
        return f"Run **{md(handle.name or run_id)}**: queued, {queue_view.ordinal(place.place)} in line"
    return f"Run **{md(handle.name or run_id)}**: {md(getattr(job, 'status', 'unknown'))}"


def render() -> None:
    recipe = state.get_recipe()
    with st.sidebar:
        state.seed_widget(NAME_KEY, recipe.name)
        st.text_input("Recipe name", key=NAME_KEY, on_change=_rename,
                      help="Names the run directory and the exported model.")
        _errors_of(NAME_KEY)
        st.markdown(run_status())
        st.divider()
        lesson_panel.picker()
        projector.toggle()
        st.divider()
        presets = state.presets()
        st.selectbox("Load a preset", list(presets), index=None, key=PRESET_KEY, on_change=_load_preset,
                     placeholder="Choose a preset recipe", help="Replaces the whole draft recipe.")
        _errors_of(PRESET_KEY)
        st.file_uploader("Upload a recipe (JSON)", type=["json"], key=UPLOAD_KEY, on_change=_load_upload)
        _errors_of(UPLOAD_KEY)
        st.download_button("Download this recipe", data=recipe.to_json(), file_name=f"{recipe.name}.json",
                           mime="application/json", key="sidebar.download", width="stretch")
        share_link.copy_link()
