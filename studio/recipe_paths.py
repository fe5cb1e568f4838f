"""Dotted paths into a recipe's JSON (``"optimizer.lr"``, ``"model.2.p"``, ``"data.options.noise"``).

Lessons name the controls they highlight and lock this way. A path is a field of the recipe as
:meth:`Recipe.to_dict` writes it (defaults filled in), list positions counted from 0. A path also
stands for everything below it: locking ``"model"`` locks every block's every field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from studio.recipe import Recipe

_MISSING = object()


def value_at(data: Any, path: str) -> Any:
    """The value at ``path`` in plain JSON data, or ``_MISSING`` when the path leads nowhere."""
    node = data
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def exists(recipe: Recipe, path: str) -> bool:
    """Whether ``path`` names a field (or a section) of ``recipe``."""
    return bool(path) and value_at(recipe.to_dict(), path) is not _MISSING


def covers(outer: str, inner: str) -> bool:
    """Whether ``outer`` is ``inner`` or a section above it (``"model"`` covers ``"model.2.p"``)."""
    return inner == outer or inner.startswith(outer + ".")


def related(a: str, b: str) -> bool:
    """Whether one path is the other or lies under it (a box about ``"optimizer"`` and ``"optimizer.lr"``)."""
    return covers(a, b) or covers(b, a)


def changed(old: Recipe, new: Recipe, paths: Iterable[str]) -> list[str]:
    """The paths among ``paths`` whose value differs between ``old`` and ``new`` (a vanished one differs)."""
    before, after = old.to_dict(), new.to_dict()
    return [p for p in paths if value_at(before, p) != value_at(after, p)]
