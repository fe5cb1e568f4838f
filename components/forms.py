"""One generic form for any registry entry's pydantic ``Params`` model.

Each field picks its widget from its type (first match in ``WIDGETS``): a checkbox for bool, a
select box for ``Literal``, a number input (bounds from ge/gt/le/lt, a slider when the field says
``json_schema_extra={"ui": "slider"}``) for int and float, a comma list for ``list[int]``, and a
text box for anything else (blank means None, JSON or plain text otherwise). The description is the
help text. Edits go through ``apply(field, value)``; if the Recipe rejects one, its sentence is
shown under the widget and the draft stays as it was.

Given the fields' place in the recipe (``path``, e.g. ``"optimizer"`` or ``"model.2"``), the form also
shows the lesson's marks (:mod:`components.lesson_state`): a field the lesson highlights gets
:data:`HIGHLIGHT` before its label, and a field it locks is drawn disabled with :data:`LOCKED_NOTE` under it.
"""

from __future__ import annotations

import json
import math
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from components import lesson_state, state
from components.safe import md
from studio.errors import StudioError

HIGHLIGHT, LOCKED_NOTE = lesson_state.HIGHLIGHT, lesson_state.LOCKED_NOTE
Apply = Callable[[str, Any], None]  # (field, new value); raises RecipeError to reject the edit
Nested = Callable[[str, list[dict[str, Any]]], None]  # renders a list-of-items field (residual blocks)


def widget_key(scope: str, field: str) -> str:
    """The session key of a field's widget; ``scope`` names the item, e.g. ``"model.2.dense"``."""
    return f"{state.WIDGET_PREFIX}{scope}.{field}"


def label_of(name: str, info: FieldInfo) -> str:
    return info.title or name.replace("_", " ")


def bounds(info: FieldInfo) -> dict[str, float]:
    """The field's ge/gt/le/lt constraints, e.g. ``{"ge": 1, "le": 1024}``."""
    out: dict[str, float] = {}
    for meta in info.metadata:
        for name in ("ge", "gt", "le", "lt"):
            value = getattr(meta, name, None)
            if value is not None:
                out[name] = value
    return out


def _ui_hint(info: FieldInfo) -> str | None:
    extra = info.json_schema_extra
    return extra.get("ui") if isinstance(extra, dict) else None


# -- widgets: (matches type, draw, parse) ---------------------------------------------------------


@dataclass(frozen=True)
class Widget:
    matches: Callable[[Any], bool]
    draw: Callable[[str, str, Any, FieldInfo, dict[str, Any]], None]  # key, label, value, info, kwargs
    parse: Callable[[Any], Any]  # widget value -> field value (ValueError with a sentence if unusable)


def _is(tp: type) -> Callable[[Any], bool]:
    return lambda ann: ann is tp


def _is_literal(ann: Any) -> bool:
    return typing.get_origin(ann) is Literal


def _is_int_list(ann: Any) -> bool:
    return typing.get_origin(ann) is list and typing.get_args(ann) in ((int,), (float,))


def _draw_checkbox(key: str, label: str, value: Any, info: FieldInfo, kw: dict[str, Any]) -> None:
    state.seed_widget(key, bool(value))
    st.checkbox(label, key=key, **kw)


def _draw_select(key: str, label: str, value: Any, info: FieldInfo, kw: dict[str, Any]) -> None:
    options = list(typing.get_args(info.annotation))
    state.seed_widget(key, value if value in options else options[0])
    st.selectbox(label, options, key=key, **kw)


def _number_limits(info: FieldInfo, is_int: bool) -> tuple[float | None, float | None]:
    b = bounds(info)
    step = 1 if is_int else 0.0
    low = b["ge"] if "ge" in b else (b["gt"] + step if "gt" in b else None)
    high = b["le"] if "le" in b else (b["lt"] - step if "lt" in b else None)
    cast = int if is_int else float
    return (None if low is None else cast(low)), (None if high is None else cast(high))


def _float_step(value: float) -> float:
    """A step one tenth of the value's order of magnitude: 0.001 steps by 0.0001, 0.5 by 0.01."""
    return 10.0 ** (math.floor(math.log10(abs(value))) - 1) if value else 0.01


def _decimals(value: float) -> int:
    """Decimal places that show ``value`` exactly, at least 2: 0.999 -> 3 (a 2-place slider said 1.00)."""
    return max(2, len(f"{value:.6f}".rstrip("0").split(".")[1]))


def _draw_number(key: str, label: str, value: Any, info: FieldInfo, kw: dict[str, Any]) -> None:
    is_int = info.annotation is int
    low, high = _number_limits(info, is_int)
    if _ui_hint(info) == "slider" and low is not None and high is not None and is_int:
        state.seed_widget(key, value)
        st.slider(label, min_value=low, max_value=high, key=key, **kw)
    elif _ui_hint(info) == "slider" and low is not None and high is not None:
        default = info.default if isinstance(info.default, int | float) else value
        places = max(_decimals(float(value)), _decimals(float(default)))  # 0.99 chosen: 0.999 stays reachable
        step = 10.0 ** -places
        if "lt" in bounds(info):  # "below 1": the slider's top is one step under it
            high = bounds(info)["lt"] - step
        state.seed_widget(key, float(value))
        st.slider(label, min_value=low, max_value=round(high, places), step=step, format=f"%.{places}f", key=key,
                  **kw)
    elif is_int:
        state.seed_widget(key, int(value))
        st.number_input(label, min_value=low, max_value=high, step=1, key=key, **kw)
    else:
        state.seed_widget(key, float(value))
        st.number_input(label, min_value=low, max_value=high, step=_float_step(float(value)), format="%g", key=key,
                        **kw)


def _draw_list(key: str, label: str, value: Any, info: FieldInfo, kw: dict[str, Any]) -> None:
    state.seed_widget(key, ", ".join(str(v) for v in value or []))
    st.text_input(label, key=key, **kw)


def _parse_list(raw: str) -> list[float | int]:
    out: list[float | int] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            out.append(int(part) if part.lstrip("-").isdigit() else float(part))
        except ValueError:
            raise ValueError(f"expected numbers separated by commas like '1, 8, 8', got {raw!r}") from None
    return out


def _draw_text(key: str, label: str, value: Any, info: FieldInfo, kw: dict[str, Any]) -> None:
    state.seed_widget(key, "" if value is None else value if isinstance(value, str) else json.dumps(value))
    st.text_input(label, key=key, **kw)


def _parse_text(raw: str) -> Any:
    """Blank -> None; JSON when it parses (numbers, lists, objects); else the text itself."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


WIDGETS: list[Widget] = [
    Widget(_is(bool), _draw_checkbox, bool),
    Widget(_is_literal, _draw_select, lambda v: v),
    Widget(lambda ann: ann in (int, float), _draw_number, lambda v: v),
    Widget(_is_int_list, _draw_list, _parse_list),
    Widget(_is(str), _draw_text, lambda v: v),
    Widget(lambda ann: True, _draw_text, _parse_text),  # unions, optionals, anything else
]


def _is_item_list(ann: Any) -> bool:
    """``list[dict[...]]``: a nested list of kinded items, rendered by the caller's ``nested``."""
    args = typing.get_args(ann)
    return typing.get_origin(ann) is list and bool(args) and typing.get_origin(args[0]) is dict


def _changed(key: str, field: str, parse: Callable[[Any], Any], apply: Apply) -> None:
    """Widget callback: runs before the rerun, so everything drawn afterwards sees the new draft.

    A widget can be gone by the time its callback runs (another change in the same rerun removed
    it, e.g. early stopping switched off while its patience was being edited): then nothing applies.
    """
    if key not in st.session_state:
        return
    try:
        apply(field, parse(st.session_state[key]))
    except (StudioError, ValueError) as err:
        state.set_widget_error(key, str(err))
        return
    state.clear_widget_error(key)


def render_params(
    params: type[BaseModel],
    values: Mapping[str, Any],
    scope: str,
    apply: Apply,
    nested: Nested | None = None,
    columns: int = 3,
    path: str | None = None,
) -> None:
    """Draw one widget per field of ``params`` showing ``values`` (defaults for missing ones).

    ``path``: where these fields are in the recipe (``"regularization"``, ``"model.2"``), so a lesson's
    highlights and locks reach them; None for a form that is not about recipe fields.
    """
    shown = {n: f for n, f in params.model_fields.items() if _ui(f) != "hidden"}  # drawn by their own component
    simple = [(n, f) for n, f in shown.items() if not _is_item_list(f.annotation)]
    lists = [n for n, f in shown.items() if _is_item_list(f.annotation)]
    if simple:
        cols = st.columns(min(columns, len(simple)))
        for i, (name, info) in enumerate(simple):
            with cols[i % len(cols)]:
                _field(name, info, values.get(name, info.get_default(call_default_factory=True)), scope, apply,
                       None if path is None else f"{path}.{name}")
    for name in lists:
        if nested is not None:
            nested(name, list(values.get(name) or []))


def _ui(info: FieldInfo) -> Any:
    extra = info.json_schema_extra
    return extra.get("ui") if isinstance(extra, dict) else None


def marked(label: str, path: str | None) -> str:
    """``label`` with the lesson's marker when the lesson highlights the control at ``path``."""
    return f"{HIGHLIGHT} {label}" if lesson_state.is_highlighted(path) else label


def lock_note(path: str | None) -> bool:
    """Under a control: say that the lesson locks it (True), or nothing (False)."""
    if not lesson_state.is_locked(path):
        return False
    st.caption(LOCKED_NOTE)
    return True


def _field(name: str, info: FieldInfo, value: Any, scope: str, apply: Apply, path: str | None) -> None:
    widget = next(w for w in WIDGETS if w.matches(info.annotation))
    key = widget_key(scope, name)
    kw = {"help": info.description, "on_change": _changed, "args": (key, name, widget.parse, apply),
          "disabled": lesson_state.is_locked(path)}
    widget.draw(key, marked(label_of(name, info), path), value, info, kw)
    lock_note(path)
    message = state.widget_error(key)
    if message:
        st.error(md(message))
