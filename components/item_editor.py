"""The ordered-list editor shared by the Preprocess and Architecture pages.

Each item is a bordered box: its position, kind and description, up/down/remove buttons, and the
generic parameter form. A field that is itself a list of items (a residual block's inner blocks)
is edited by the same editor, nested. The add menu is ``list(registry)``: no kind is named here.

Keys: an item's scope is ``<section>[.<outer index>.<field>].<index>.<kind>``, stable while the
item keeps its position and kind, and unique within the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from components import how_it_works, lesson_state, state
from components import items as ops
from components.forms import lock_note, marked, render_params
from components.safe import md
from studio.errors import Location, StudioError
from studio.registry import Registry

ItemError = tuple[Location, str]  # (where, relative to the list shown: (2,) or (2, "blocks", 0); the sentence)


def item_error(err: StudioError, section: str) -> ItemError | None:
    """The part of ``err.location`` below ``section`` ("model"), when it points into that list."""
    loc = err.location
    if len(loc) >= 2 and loc[0] == section and isinstance(loc[1], int):
        return loc[1:], str(err)
    return None


def _path_key(section: str, path: ops.ListPath) -> str:
    return ".".join([section, *(str(p) for p in path)])


def item_scope(section: str, index: int, kind: str, path: ops.ListPath = ()) -> str:
    """The scope of one item's widgets, e.g. ``"model.2.dense"`` or ``"model.3.blocks.0.dense"``."""
    return f"{_path_key(section, path)}.{index}.{kind}"


def _commit(section: str, path: ops.ListPath, change: Callable[[ops.Items], ops.Items], reset: bool) -> None:
    """Apply ``change`` to the list at ``path`` of the recipe ``section``; RecipeError if rejected."""
    top = getattr(state.get_recipe(), section)
    state.update_recipe(reset_widgets=reset, **{section: ops.with_list(top, path, change)})


def _structural(section: str, path: ops.ListPath, change: Callable[[ops.Items], ops.Items]) -> None:
    """Button callback (add/move/remove): a rejected change is shown at the top of its list."""
    key = f"list.{_path_key(section, path)}"
    try:
        _commit(section, path, change, reset=True)
    except StudioError as err:
        state.set_widget_error(key, str(err))
        return
    state.clear_widget_error(key)


def _field_setter(section: str, path: ops.ListPath, index: int) -> Callable[[str, Any], None]:
    def apply(field: str, value: Any) -> None:
        _commit(section, path, lambda lst: ops.set_field(lst, index, field, value), reset=False)

    return apply


def render_items(
    section: str,
    registry: Registry[Any],
    items: ops.Items,
    path: ops.ListPath = (),
    error: ItemError | None = None,
    noun: str = "item",
) -> None:
    """Edit the list ``items`` found at ``path`` in recipe ``section``; ``error`` is shown at the item it
    locates (inside a nested list when the location goes deeper)."""
    message = state.widget_error(f"list.{_path_key(section, path)}")
    if message:
        st.error(md(message))
    if not items:
        st.caption(f"No {noun}s yet: add one below.")
    for index, item in enumerate(items):
        mine = error if error is not None and error[0][:1] == (index,) else None
        _render_one(section, registry, items, path, index, item, mine, noun)
    _add_row(section, registry, path, noun)


def _render_one(
    section: str,
    registry: Registry[Any],
    items: ops.Items,
    path: ops.ListPath,
    index: int,
    item: dict[str, Any],
    error: ItemError | None,
    noun: str,
) -> None:
    kind = item["kind"]
    scope = item_scope(section, index, kind, path)
    entry = registry[kind]
    where = f"{_path_key(section, path)}.{index}"  # the item's recipe path, e.g. "model.2"
    fixed = lesson_state.is_locked(_path_key(section, path))  # the list's order and length
    with st.container(border=True, key=f"box.{scope}"):
        head, up, down, drop = st.columns([8, 1, 1, 1], vertical_alignment="center")
        head.markdown(f"**{index + 1}. {kind}** · {entry.description}")
        up.button("↑", key=f"up.{scope}", help=f"Move this {noun} up", disabled=index == 0 or fixed,
                  on_click=_structural, args=(section, path, lambda lst, i=index: ops.move(lst, i, -1)))
        down.button("↓", key=f"down.{scope}", help=f"Move this {noun} down",
                    disabled=index == len(items) - 1 or fixed,
                    on_click=_structural, args=(section, path, lambda lst, i=index: ops.move(lst, i, 1)))
        drop.button("✕", key=f"remove.{scope}", help=f"Remove this {noun}", disabled=fixed,
                    on_click=_structural, args=(section, path, lambda lst, i=index: ops.remove(lst, i)))
        deeper = error is not None and len(error[0]) > 2
        if error is not None and not deeper:
            st.error(md(error[1]))

        def nested(field: str, inner: ops.Items) -> None:
            st.markdown(f"*{field.replace('_', ' ')} of {kind} {index + 1}:*")
            inner_error = (error[0][2:], error[1]) if error is not None and deeper and error[0][1] == field else None
            render_items(section, registry, inner, (*path, index, field), error=inner_error, noun=noun)

        render_params(entry.params, item, scope, _field_setter(section, path, index), nested=nested, path=where)
        how_it_works.box(entry.explain, kind, paths=[where])


def _add_row(section: str, registry: Registry[Any], path: ops.ListPath, noun: str) -> None:
    key = _path_key(section, path)
    if lock_note(key):  # the lesson fixes this list: nothing to add
        return
    pick, add = st.columns([4, 1], vertical_alignment="bottom")
    kinds = list(registry)
    pick.selectbox(
        marked(f"Add a {noun}", key), kinds, key=f"addkind.{key}",
        format_func=lambda k: f"{k}: {registry[k].description}",
    )
    add.button(f"Add {noun}", key=f"add.{key}", on_click=_add, args=(section, registry, path, f"addkind.{key}"))


def _add(section: str, registry: Registry[Any], path: ops.ListPath, menu_key: str) -> None:
    kind = st.session_state[menu_key]  # read at click time: the menu's current choice
    _structural(section, path, lambda lst: ops.append(lst, ops.default_item(registry, kind)))
