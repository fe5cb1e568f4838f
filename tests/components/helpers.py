"""Helpers for AppTest: find widgets by key, read the draft recipe, assert a clean run."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from components.state import RECIPE_KEY
from studio.recipe import Recipe

APP = Path(__file__).resolve().parents[2] / "components" / "app.py"
TIMEOUT = 30  # the first run imports torch, which is slow on a busy CPU


def recipe(app: AppTest) -> Recipe:
    return app.session_state[RECIPE_KEY]


def by_key(elements, key: str):
    """The element with ``key`` from an AppTest element list, e.g. ``by_key(at.button, "add.model")``."""
    found = [e for e in elements if e.key == key]
    assert found, f"no element with key {key!r}; keys: {[e.key for e in elements]}"
    return found[0]


def clean(app: AppTest) -> None:
    """The run raised nothing and showed no error box."""
    assert not app.exception, [e.message for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def errors_in_box(app: AppTest, key: str) -> list[str]:
    """The error boxes directly inside the container made with ``key`` (not inside boxes nested in it)."""

    def find(node):
        if str(getattr(getattr(node, "proto", None), "id", "")).endswith(f"-{key}"):
            return node
        for child in getattr(node, "children", {}).values():
            found = find(child)
            if found is not None:
                return found
        return None

    def own_errors(node) -> list[str]:
        out = []
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", None) == "error":
                out.append(str(child.value))
            elif not str(getattr(getattr(child, "proto", None), "id", "")).split("-")[-1].startswith("box."):
                out += own_errors(child)  # columns and other plain layout, not a nested item box
        return out

    box = find(app.main)
    assert box is not None, f"no container with key {key!r}"
    return own_errors(box)
