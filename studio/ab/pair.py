"""Two variants of one draft that differ in one chosen thing: the regularization A/B lesson.

``build_pair(draft, Choice("dropout", 0.0, 0.3))`` returns recipes A and B made from the same draft
(same seeds, so the same data split and the same initial weights) that differ only at the paths the
choice names. The choices are a registry (:data:`PRESETS`): dropout off vs on, two learning rates,
L2 off vs on, and any field by its dotted path. Values are set with the sweeps' ``apply_params``, so a
path that names nothing or a value the recipe refuses is one sentence (a RecipeError).

The two runs train at the same time and share the cores, so each gets half of them
(:func:`split_threads`), written into both recipes' ``training.threads``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from studio.errors import RecipeError, plain, quote
from studio.recipe import Recipe
from studio.sweeps.apply import apply_params
from studio.sweeps.space import SpaceError
from studio.train.remedies import apply_remedy

DROPOUT_KINDS = ("dropout", "dropout2d")
SIDES = ("A", "B")
NAME_ROOM = 70  # characters of the draft's name kept in a variant's name (a recipe name holds 120)


@dataclass(frozen=True)
class Choice:
    """What differs: a preset's ``kind`` and the value of A and of B (``path``: the "field" kind only)."""

    kind: str
    a: Any
    b: Any
    path: str = ""


@dataclass(frozen=True)
class Preset:
    """A choice of the menu: its words, where its value goes, and the values offered first."""

    title: str  # the menu's text
    word: str  # how a variant's name says it ("dropout" -> "A: dropout 0")
    target: Callable[[Recipe, Choice], tuple[Recipe, list[str]]]  # (recipe both start from, paths set)
    a: Any  # default value of A (None: the UI asks for it)
    b: Any
    fixed_a: bool = False  # A's value is the preset's "off" and is not asked for


@dataclass(frozen=True)
class Pair:
    """The two recipes to train, their short labels ("A: dropout 0") and what they differ in."""

    a: Recipe
    b: Recipe
    labels: tuple[str, str]
    paths: tuple[str, ...]
    threads: int | None  # training.threads written into both (None: the choice sets threads itself)


def _dropout(draft: Recipe, choice: Choice) -> tuple[Recipe, list[str]]:
    """Every dropout block of the model; without any, one after each activation (as the diagnosis adds it)."""
    base = draft
    if not any(b["kind"] in DROPOUT_KINDS for b in draft.model):
        base = apply_remedy(draft, "add_dropout")
    return base, [f"model.{i}.p" for i, b in enumerate(base.model) if b["kind"] in DROPOUT_KINDS]


def _at(path: str) -> Callable[[Recipe, Choice], tuple[Recipe, list[str]]]:
    return lambda draft, choice: (draft, [path])


def _field(draft: Recipe, choice: Choice) -> tuple[Recipe, list[str]]:
    path = choice.path.strip()
    if not path:
        raise RecipeError("name the field that differs by its dotted path, e.g. optimizer.lr or model.0.units")
    if path == "name":
        raise RecipeError("the name only names the runs; choose a field that changes training, e.g. optimizer.lr")
    return draft, [path]


PRESETS: dict[str, Preset] = {
    "dropout": Preset("Dropout off vs on", "dropout", _dropout, 0.0, 0.3, fixed_a=True),
    "lr": Preset("Two learning rates", "lr", _at("optimizer.lr"), None, None),
    "l2": Preset("L2 off vs on", "L2", _at("regularization.l2"), 0.0, 1e-3, fixed_a=True),
    "field": Preset("Any field", "", _field, None, None),
}


def split_threads(cores: int, override: int | None = None) -> int:
    """CPU threads for each of two runs training at once: half of ``cores`` (at least 1), and no more
    than the draft's own ``training.threads`` when it sets one."""
    half = max(1, cores // 2)
    return min(override, half) if override else half


def parse_value(text: str) -> Any:
    """A value as typed: JSON when it reads as JSON (``0.01``, ``true``, ``null``, ``"sgd"``), else the text."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


def build_pair(draft: Recipe, choice: Choice, cores: int | None = None) -> Pair:
    """Recipes A and B: the draft with ``choice.a`` and with ``choice.b`` at the choice's paths.

    ``cores``: the usable cores (:func:`studio.train.threads.usable_cores`); when given, each recipe's
    ``training.threads`` is set to :func:`split_threads` of them (unless the choice sets threads).

    Raises:
        RecipeError: an unknown kind, A equal to B, a path that names nothing or a value the recipe
            refuses (one sentence that says which variant and what to change).
    """
    preset = PRESETS.get(choice.kind)
    if preset is None:
        raise RecipeError(f"compare kind {quote(choice.kind)} is not known; choose one of {', '.join(PRESETS)}")
    base, paths = preset.target(draft, choice)
    if _same(choice.a, choice.b):
        raise RecipeError(f"A and B both have {quote(choice.a)}; give B another value, or there is nothing to compare")
    threads = None
    if cores is not None and not any(p.startswith("training.threads") for p in paths):
        threads = split_threads(cores, draft.training.threads)
    word = preset.word or paths[0]
    recipes, labels = [], []
    for side, value in zip(SIDES, (choice.a, choice.b), strict=True):
        label = f"{side}: {word} {_show(value)}"
        values: dict[str, Any] = dict.fromkeys(paths, value)
        if threads is not None:
            values["training.threads"] = threads
        recipes.append(_variant(base, values, f"{draft.name[:NAME_ROOM]} {label}", side))
        labels.append(label)
    return Pair(recipes[0], recipes[1], (labels[0], labels[1]), tuple(paths), threads)


def _variant(base: Recipe, values: dict[str, Any], name: str, side: str) -> Recipe:
    try:
        return apply_params(base, values, name=name)
    except SpaceError as err:  # a path that names nothing: the sweeps' words ("space path ...") as this draft's
        raise RecipeError(str(err).removeprefix("space ")) from None
    except RecipeError as err:  # a value the recipe refuses
        raise RecipeError(f"variant {side}: {err}") from None


def _same(a: Any, b: Any) -> bool:
    if _number(a) and _number(b):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _show(value: Any) -> str:
    text = plain(value) if _number(value) or isinstance(value, bool) else quote(value, 30)
    return text.strip("'") if isinstance(value, str) else text
