"""Edits of ordered ``[{"kind": ..., **params}]`` lists (preprocessing steps, model blocks).

Pure functions that return new lists, never mutate their input, so an edit that the Recipe then
rejects leaves the draft untouched. Nested lists (a residual block's inner ``blocks``) are reached
with a *list path*: ``()`` is the top list, ``(3, "blocks")`` the inner list of item 3.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from studio.registry import Registry

Items = list[dict[str, Any]]
ListPath = tuple[int | str, ...]


def default_item(registry: Registry[Any], kind: str) -> dict[str, Any]:
    """A new item of ``kind`` with every default filled in (just the kind if a value is mandatory)."""
    try:
        return registry.normalize({"kind": kind}, f"new {registry.what}")
    except Exception:  # a mandatory field: the Recipe's own validation will say which one
        return {"kind": kind}


def get_list(items: Items, path: ListPath) -> Items:
    """The list at ``path`` (see module docstring)."""
    node: Any = items
    for step in path:
        node = node[step]
    return node


def with_list(items: Items, path: ListPath, change: Callable[[Items], Items]) -> Items:
    """A deep copy of ``items`` whose list at ``path`` is replaced by ``change(that list)``."""
    out = copy.deepcopy(items)
    if not path:
        return change(out)
    parent: Any = get_list(out, path[:-1])
    parent[path[-1]] = change(parent[path[-1]])
    return out


def move(items: Items, index: int, delta: int) -> Items:
    """Move item ``index`` by ``delta`` places; moves past either end are clamped."""
    out = list(items)
    target = min(max(index + delta, 0), len(out) - 1)
    out.insert(target, out.pop(index))
    return out


def remove(items: Items, index: int) -> Items:
    return [it for i, it in enumerate(items) if i != index]


def append(items: Items, item: dict[str, Any]) -> Items:
    return [*items, item]


def set_field(items: Items, index: int, field: str, value: Any) -> Items:
    out = list(items)
    out[index] = {**out[index], field: value}
    return out

