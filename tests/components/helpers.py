"""Helpers for AppTest: find widgets by key, read the draft recipe, assert a clean run."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from components.state import RECIPE_KEY
from studio.recipe import Recipe

APP = Path(__file__).resolve().parents[2] / "components" / "app.py"
TIMEOUT = 30  # the first run imports torch, which is slow on a busy CPU


def recipe(app: AppTest) -> Recipe:
    return app.session_state[RECIPE_KEY]


def load_recipe(app: AppTest, data: dict, name: str = "r.json") -> AppTest:
    """Upload a recipe with this ``data`` section through the sidebar, as a person would."""
    raw = json.dumps({"name": "shared", "data": data}).encode()
    by_key(app.get("file_uploader"), "sidebar.upload").upload(name, raw, "application/json")
    return app.run()


def by_key(elements, key: str):
    """The element with ``key`` from an AppTest element list, e.g. ``by_key(at.button, "add.model")``."""
    found = [e for e in elements if e.key == key]
    assert found, f"no element with key {key!r}; keys: {[e.key for e in elements]}"
    return found[0]


def clean(app: AppTest) -> None:
    """The run raised nothing and showed no error box."""
    assert not app.exception, [e.message for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def shown(markdown: str) -> str:
    """Markdown text as the browser shows it when it holds only escaped characters (components.safe.md)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


MARKDOWN_BODIES = {"markdown", "caption", "divider", "title", "header", "subheader", "error", "warning", "info",
                   "success", "toast", "metric"}  # element types whose ``body`` Streamlit renders as Markdown


def markdown_texts(app: AppTest) -> list[str]:
    """Every string of the page that the browser renders as Markdown: bodies of text elements and
    alerts, metric labels and values, widget labels and help, progress texts and radio options
    (select box options and tables are plain text)."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            fields = {f.name: v for f, v in proto.ListFields()}
            if getattr(node, "type", None) in MARKDOWN_BODIES and "body" in fields:
                out.append(str(fields["body"]))
            out.extend(str(fields[k]) for k in ("label", "help", "text") if k in fields)
            if getattr(node, "type", None) == "radio":
                out.extend(str(o) for o in fields.get("options", []))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app.main)
    walk(app.sidebar)
    return out


def plotly_texts(app: AppTest) -> list[str]:
    """Every string inside the page's Plotly figures (titles, tick labels, legend, hover text)."""
    out: list[str] = []

    def strings(value) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                strings(v)
        elif isinstance(value, list):
            for v in value:
                strings(v)

    for chart in app.get("plotly_chart"):
        strings(json.loads(chart.proto.spec))
    return out


LIVE_MARKUP = re.compile(r"(?<!\\)(\]\(|!\[|<[A-Za-z/!])|https?://|www\.|\w@\w", re.IGNORECASE)


def live_markup(markdown: str) -> str | None:
    """The first piece of ``markdown`` a browser would turn into a link, an image or HTML (None if none)."""
    found = LIVE_MARKUP.search(markdown)
    return found.group(0) if found else None


def texts(elements) -> str:
    """The text of ``elements`` (markdown, alerts, captions) as shown, one per line."""
    return "\n".join(shown(str(e.value)) for e in elements)


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
                out.append(shown(str(child.value)))
            elif not str(getattr(getattr(child, "proto", None), "id", "")).split("-")[-1].startswith("box."):
                out += own_errors(child)  # columns and other plain layout, not a nested item box
        return out

    box = find(app.main)
    assert box is not None, f"no container with key {key!r}"
    return own_errors(box)


def plotly_array(value) -> np.ndarray:
    """An array of a figure's JSON spec as numpy: a list as it is, or Plotly's typed array (a numpy array
    in the figure becomes ``{"dtype": "f8", "bdata": <base64>, "shape": "40, 40"}``)."""
    if not isinstance(value, dict):
        return np.asarray(value)
    flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    shape = [int(n) for n in str(value.get("shape", len(flat))).split(",")]
    return flat.reshape(shape)
