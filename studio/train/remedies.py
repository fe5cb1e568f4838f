"""Remedies a diagnosis offers: named, pure changes of a draft recipe (``apply_remedy(recipe, name)``).

Each returns a new, validated Recipe (the UI's "Apply: ..." button replaces the draft with it) and
says in :func:`describe` what it will change, with the recipe's own numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from studio.errors import RecipeError, plain
from studio.recipe import Recipe

DROPOUT_P = 0.2
GROWN_UNITS_MAX = 1024
NORMALIZED_AFTER = ("dense", "conv2d", "separable_conv2d")  # blocks a batch norm is added after


@dataclass(frozen=True)
class Remedy:
    """What it does, in words for a button (given the recipe), and the change itself."""

    describe: Callable[[Recipe], str]
    apply: Callable[[Recipe], Recipe]


def _lr(recipe: Recipe) -> float:
    return float(recipe.optimizer.get("lr", 1e-3))


def _scaled_lr(factor: float) -> Callable[[Recipe], Recipe]:
    return lambda r: r.updated(optimizer={**r.optimizer, "lr": float(f"{_lr(r) * factor:.6g}")})


def _insert_after(blocks: list[dict[str, Any]], after: Callable[[dict[str, Any]], bool], kind: str,
                  new: dict[str, Any]) -> list[dict[str, Any]]:
    """``new`` after every block ``after`` accepts, unless a block of ``kind`` already follows it."""
    out: list[dict[str, Any]] = []
    for i, block in enumerate(blocks):
        out.append(block)
        following = blocks[i + 1]["kind"] if i + 1 < len(blocks) else None
        if after(block) and following != kind:
            out.append(dict(new))
    return out


def _add_dropout(recipe: Recipe) -> Recipe:
    blocks = recipe.model
    if any(b["kind"] == "activation" for b in blocks):
        model = _insert_after(blocks, lambda b: b["kind"] == "activation", "dropout",
                              {"kind": "dropout", "p": DROPOUT_P})
    else:
        model = [*blocks, {"kind": "dropout", "p": DROPOUT_P}]
    if model == blocks:  # every activation has its dropout: make them stronger
        model = [{**b, "p": min(0.5, round(b["p"] + 0.1, 2))} if b["kind"] == "dropout" else b for b in blocks]
    return recipe.updated(model=model)


def _add_batchnorm(recipe: Recipe) -> Recipe:
    model = _insert_after(recipe.model, lambda b: b["kind"] in NORMALIZED_AFTER, "batchnorm", {"kind": "batchnorm"})
    return recipe.updated(model=model)


def _more_capacity(recipe: Recipe) -> Recipe:
    if not any(b["kind"] == "dense" for b in recipe.model):
        return recipe.updated(model=[*recipe.model, {"kind": "dense", "units": 64}, {"kind": "activation"}])
    model = [{**b, "units": max(b["units"], min(GROWN_UNITS_MAX, b["units"] * 2))} if b["kind"] == "dense" else b
             for b in recipe.model]
    return recipe.updated(model=model)


def _plateau_schedule(recipe: Recipe) -> Recipe:
    if recipe.schedule["kind"] == "reduce_on_plateau":
        return _scaled_lr(0.1)(recipe)
    return recipe.updated(schedule={"kind": "reduce_on_plateau"})


def _balanced(recipe: Recipe) -> Recipe:
    return recipe.updated(regularization={**recipe.regularization.model_dump(mode="json"),
                                          "class_weights": "balanced"})


def _leaky(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for b in blocks:
        b = {**b, "fn": "leaky_relu"} if b["kind"] == "activation" and b.get("fn") == "relu" else b
        out.append({**b, "blocks": _leaky(b["blocks"])} if isinstance(b.get("blocks"), list) else b)
    return out


def _leaky_relu(recipe: Recipe) -> Recipe:
    return recipe.updated(model=_leaky(recipe.model),
                          encoders={name: _leaky(blocks) for name, blocks in recipe.encoders.items()})


def _clip(recipe: Recipe) -> Recipe:
    reg = recipe.regularization.model_dump(mode="json")
    clip = reg.get("grad_clip")
    return recipe.updated(regularization={**reg, "grad_clip": 1.0 if clip is None else max(0.01, clip / 10)})


def _lr_words(factor: float) -> Callable[[Recipe], str]:
    word = "lower" if factor < 1 else "raise"
    return lambda r: f"{word} the learning rate {plain(_lr(r))} → {plain(float(f'{_lr(r) * factor:.6g}'))}"


REMEDIES: dict[str, Remedy] = {
    "add_dropout": Remedy(lambda r: f"add dropout (p = {DROPOUT_P}) after each activation", _add_dropout),
    "add_batchnorm": Remedy(lambda r: "add batch norm after each dense / convolution block", _add_batchnorm),
    "lower_lr": Remedy(_lr_words(0.1), _scaled_lr(0.1)),
    "raise_lr": Remedy(_lr_words(10.0), _scaled_lr(10.0)),
    "more_capacity": Remedy(lambda r: "double the units of each dense block" if any(
        b["kind"] == "dense" for b in r.model) else "add a hidden dense layer of 64 units", _more_capacity),
    "reduce_on_plateau": Remedy(lambda r: "use the reduce_on_plateau schedule" if r.schedule["kind"] !=
                                "reduce_on_plateau" else _lr_words(0.1)(r), _plateau_schedule),
    "balance_classes": Remedy(lambda r: "balance the class weights", _balanced),
    "leaky_relu": Remedy(lambda r: "replace each ReLU by leaky_relu", _leaky_relu),
    "clip_gradients": Remedy(lambda r: "clip the gradient norm at 1.0" if r.regularization.grad_clip is None else
                             f"clip the gradient norm at {plain(max(0.01, r.regularization.grad_clip / 10))}", _clip),
}


def describe(recipe: Recipe, name: str) -> str:
    """What :func:`apply_remedy` would change, as a button says it (lower case, no full stop)."""
    return REMEDIES[name].describe(recipe)


def apply_remedy(recipe: Recipe, name: str) -> Recipe:
    """The recipe with the remedy applied; a RecipeError when the result is not a valid recipe."""
    if name not in REMEDIES:
        raise RecipeError(f"unknown remedy {name!r}; known: {', '.join(REMEDIES)}")
    return REMEDIES[name].apply(recipe)
