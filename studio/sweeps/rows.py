"""A search space as rows of a table (the app's editor): path, kind, low, high, choices as text."""

from __future__ import annotations

import json
from typing import Any

from studio.recipe import Recipe
from studio.sweeps.space import KINDS, Space, SpaceError, parse_space

ROW_FIELDS = ("path", "kind", "low", "high", "choices")


def default_rows(recipe: Recipe) -> list[dict[str, Any]]:
    """A first space for ``recipe``: the learning rate, and the first dense block's width."""
    rows: list[dict[str, Any]] = [{"path": "optimizer.lr", "kind": "log_uniform", "low": 1e-4, "high": 1e-1,
                                   "choices": ""}]
    dense = next((i for i, b in enumerate(recipe.model) if b.get("kind") == "dense"), None)
    if dense is not None:
        rows.append({"path": f"model.{dense}.units", "kind": "choice", "low": None, "high": None,
                     "choices": "16, 32, 64, 128"})
    return rows


def space_from_rows(rows: list[dict[str, Any]]) -> Space:
    """The space the rows describe (empty rows skipped); a SpaceError names the row that is wrong."""
    raw: dict[str, Any] = {}
    for n, row in enumerate(rows, start=1):
        path = str(row.get("path") or "").strip()
        if not path:
            continue
        kind = row.get("kind")
        if kind not in KINDS:
            raise SpaceError(f"row {n} ({path}): choose a kind: {', '.join(KINDS)}")
        if path in raw:
            raise SpaceError(f"row {n}: {path} is already searched in an earlier row; keep one row per path")
        if kind == "choice":
            raw[path] = {"choice": _choices(str(row.get("choices") or ""))}
        else:
            raw[path] = {kind: [_number(row.get("low")), _number(row.get("high"))]}
    if not raw:
        raise SpaceError("the space is empty; add a row with a recipe path such as optimizer.lr")
    return parse_space(raw)


def _choices(text: str) -> list[Any]:
    """``16, 32, adam`` -> [16, 32, "adam"]: each item read as JSON (a number, true, null), else as text."""
    out = []
    for item in (t.strip() for t in text.split(",")):
        if not item:
            continue
        try:
            out.append(json.loads(item))
        except ValueError:
            out.append(item)
    return out


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value
