"""Putting a trial's values into a recipe by dotted path, and checking a space before any trial runs.

``apply_params(recipe, {"optimizer.lr": 0.01, "model.0.units": 64})`` is the recipe a trial trains.
Setting a ``kind`` (``optimizer.kind``, ``model.2.kind``) keeps only the parameters the new kind
accepts (``lr`` and ``weight_decay`` survive adam -> sgd, ``betas`` does not), so switching kinds is
a value like any other. :func:`check_space` applies the ends and middle of every range, and every
choice, to the recipe and builds each Recipe, so a path that names nothing or a value the recipe
refuses is one sentence before the first trial.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from studio.errors import RecipeError, quote
from studio.recipe import Recipe
from studio.sweeps.space import Param, Space, SpaceError

# the registry that validates a kinded item, by the first segment of its path
KINDED = {"optimizer": "optimizers", "schedule": "schedules", "model": "blocks", "encoders": "blocks",
          "preprocessing": "steps"}
MESSAGE_LIMIT = 300


def apply_params(recipe: Recipe, values: Mapping[str, Any], name: str | None = None) -> Recipe:
    """The recipe with each ``path: value`` set (kinds first); a RecipeError if the recipe refuses it."""
    raw = recipe.to_dict()
    for path in sorted(values, key=lambda p: (not p.endswith(".kind"), p.count("."))):
        _set(raw, path, values[path])
    if name is not None:
        raw["name"] = name[:120]
    return Recipe.from_dict(raw)


def check_space(recipe: Recipe, space: Space) -> None:
    """Raise a SpaceError (one sentence) unless every value of ``space`` makes a valid recipe.

    Each parameter's samples are tried alone, then together with the other parameters' first
    samples (so a field that exists for one optimizer kind but not for another is caught too).
    """
    firsts = {p.path: p.samples()[0] for p in space.params}
    for param in space.params:
        for value in param.samples():
            _try(recipe, param, value, {param.path: value})
    if len(space.params) > 1:
        for param in space.params:
            for value in param.samples():
                _try(recipe, param, value, {**firsts, param.path: value}, together=True)


def _try(recipe: Recipe, param: Param, value: Any, values: dict[str, Any], together: bool = False) -> None:
    together_with = ", ".join(f"{p} {quote(v, 20)}" for p, v in values.items())
    context = f" with {together_with}" if together else ""
    try:
        built = apply_params(recipe, values)
    except SpaceError as err:  # a path that names nothing (for this combination of kinds)
        raise SpaceError(_short(f"{err}{' (' + context.strip() + ')' if context else ''}")) from None
    except RecipeError as err:
        raise SpaceError(_short(f"space {quote(param.path)}: the recipe refuses {quote(value, 30)}{context}: "
                                f"{err}")) from None
    if built.data.split.val <= 0:
        raise SpaceError(f"space {quote(param.path)} {quote(value, 30)}: a sweep compares trials on the validation "
                         "rows, but data.split.val is 0; give the recipe a validation split (e.g. 0.15)")


def _short(sentence: str) -> str:
    return sentence if len(sentence) <= MESSAGE_LIMIT else sentence[: MESSAGE_LIMIT - 1] + "…"


def _set(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at ``path`` in the recipe's plain data; a SpaceError when the path names nothing."""
    parts = path.split(".")
    node: Any = raw
    for depth, part in enumerate(parts[:-1]):
        node = _child(node, part, path, ".".join(parts[:depth]))
        if node is None:
            raise SpaceError(f"space path {quote(path)}: {'.'.join(parts[:depth + 1])} is null in the recipe; "
                             "give it a value in the recipe (e.g. {}) before searching inside it")
    last, parent_path = parts[-1], ".".join(parts[:-1])
    if isinstance(node, list):
        node[_index(node, last, path, parent_path)] = value
        return
    if not isinstance(node, dict):
        raise SpaceError(f"space path {quote(path)}: {parent_path} is {quote(node, 30)}, not an object with fields")
    if last == "kind" and parts[0] in KINDED and "kind" in node:
        _switch_kind(node, parts[0], value)
        return
    if last not in node and last not in _kind_fields(node, parts[0]):
        fields = ", ".join(sorted(set(node) | _kind_fields(node, parts[0])))
        where = parent_path or "the recipe"
        raise SpaceError(_short(f"space path {quote(path)} names no field of the recipe: {where} has {fields}"))
    node[last] = copy.deepcopy(value)


def _child(node: Any, part: str, path: str, parent_path: str) -> Any:
    if isinstance(node, list):
        return node[_index(node, part, path, parent_path)]
    if isinstance(node, dict):
        if part not in node:
            fields = ", ".join(sorted(node))
            where = parent_path or "the recipe"
            raise SpaceError(_short(f"space path {quote(path)} names no field of the recipe: {where} has no "
                                    f"{quote(part)} (it has {fields})"))
        return node[part]
    raise SpaceError(f"space path {quote(path)}: {parent_path} is {quote(node, 30)}, not an object with fields")


def _index(node: list[Any], part: str, path: str, parent_path: str) -> int:
    if not part.isdigit():
        raise SpaceError(f"space path {quote(path)}: {parent_path} is a list; name an item by its position "
                         f"(0 to {len(node) - 1}), not {quote(part)}")
    if int(part) >= len(node):
        have = f"positions 0 to {len(node) - 1}" if node else "no items"
        raise SpaceError(f"space path {quote(path)}: {parent_path} has {len(node)} items ({have})")
    return int(part)


def _kind_fields(node: dict[str, Any], top: str) -> set[str]:
    """The parameters the item's kind accepts (nothing for a section that has no kind)."""
    if top not in KINDED or not isinstance(node.get("kind"), str):
        return set()
    from studio import catalog

    registry = catalog.registry(KINDED[top])
    if node["kind"] not in registry:
        return set()
    return {"kind", *registry[node["kind"]].params.model_fields}


def _switch_kind(node: dict[str, Any], top: str, kind: Any) -> None:
    """Make ``node`` of the new kind, keeping the values that kind also accepts."""
    old = dict(node)
    node.clear()
    node["kind"] = kind
    accepted = _kind_fields(node, top)
    node.update({k: v for k, v in old.items() if k in accepted and k != "kind"})
