"""Every on_change callback of the app does nothing when its widget's key is gone: several changes can reach
the server in one rerun, and an earlier callback (a preset, a lesson, a link, Apply) resets the draft's
widgets first. Each callback is called here with its key missing, as Streamlit would call it then."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

CALLBACKS = [
    ("components.train_settings", "_pick_kind", ("optimizer", None, "gone.key")),
    ("components.train_settings", "_toggle", ("early_stopping", "gone.key")),
    ("components.start_from", "_pick", ()),
    ("components.start_from", "_freeze", ()),
    ("components.start_from", "_factor", ()),
    ("components.column_uses", "_set_use", ("review",)),
    ("components.app_pages.data", "_pick_builtin", ()),
    ("components.app_pages.data", "_set_split", ()),
    ("components.app_pages.data", "_set_task", ()),
    ("components.app_pages.data", "_set_target", ()),
    ("components.lesson_panel", "_picked", ()),
    ("components.projector", "_toggled", ()),
]


def _script(module: str, name: str, args: tuple) -> None:
    import importlib

    import streamlit as st

    from components import state

    callback = getattr(importlib.import_module(module), name)  # a page module draws its page when imported
    before = state.get_recipe()
    for key in list(st.session_state):
        del st.session_state[key]  # every widget's key is gone
    state.set_recipe(before)
    callback(*args)
    st.write("draft unchanged" if state.get_recipe() == before else "draft changed")


@pytest.mark.parametrize(("module", "name", "args"), CALLBACKS,
                         ids=[f"{m.split('.')[-1]}.{n}" for m, n, _ in CALLBACKS])
def test_a_callback_whose_widget_is_gone_does_nothing(module, name, args) -> None:
    at = AppTest.from_function(_script, args=(module, name, args), default_timeout=30).run()
    assert not at.exception, [e.message for e in at.exception]
    assert [m.value for m in at.markdown] == ["draft unchanged"]
