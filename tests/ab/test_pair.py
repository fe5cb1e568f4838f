"""Building A and B from the draft: they differ only at the chosen paths; a bad choice is one sentence."""

from __future__ import annotations

import pytest

from studio.ab import PRESETS, Choice, build_pair, parse_value, split_threads
from studio.errors import RecipeError
from studio.recipe import load_recipe
from tests.conftest import PRESETS as PRESET_DIR


@pytest.fixture(scope="module")
def moons():
    return load_recipe(PRESET_DIR / "moons-playground.json")


def _leaves(node, prefix=""):
    """Every leaf of plain recipe data as {"a.b.0.c": value}."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return {prefix: node}
    out = {}
    for key, value in items:
        out.update(_leaves(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def _differences(a, b):
    la, lb = _leaves(a.to_dict()), _leaves(b.to_dict())
    return {k for k in la.keys() | lb.keys() if la.get(k, "<absent>") != lb.get(k, "<absent>")}


@pytest.mark.parametrize(("choice", "paths"), [
    (Choice("lr", 0.01, 0.001), {"optimizer.lr"}),
    (Choice("l2", 0.0, 1e-3), {"regularization.l2"}),
    (Choice("field", 16, 64, "model.0.units"), {"model.0.units"}),
    (Choice("field", 0.0, 0.2, "regularization.label_smoothing"), {"regularization.label_smoothing"}),
])
def test_the_two_recipes_differ_only_in_the_chosen_path(moons, choice, paths):
    pair = build_pair(moons, choice, cores=2)
    assert _differences(pair.a, pair.b) == paths | {"name"}
    assert set(pair.paths) == paths
    assert pair.a.training.seed == pair.b.training.seed == moons.training.seed
    assert pair.a.data == pair.b.data == moons.data  # the same split
    assert pair.a.name.endswith(f"A: {PRESETS[choice.kind].word or choice.path} {choice.a:g}")


def test_dropout_is_added_after_each_activation_when_the_model_has_none(moons):
    pair = build_pair(moons, Choice("dropout", 0.0, 0.3))
    kinds = [b["kind"] for b in pair.b.model]
    assert kinds == ["dense", "activation", "dropout", "dense", "activation", "dropout"]
    assert [b.get("p") for b in pair.a.model if b["kind"] == "dropout"] == [0.0, 0.0]
    assert [b.get("p") for b in pair.b.model if b["kind"] == "dropout"] == [0.3, 0.3]
    assert _differences(pair.a, pair.b) == {"name", "model.2.p", "model.5.p"}
    assert pair.labels == ("A: dropout 0", "B: dropout 0.3")


def test_existing_dropout_blocks_are_switched_and_nothing_is_added(moons):
    draft = moons.updated(model=[*moons.model[:2], {"kind": "dropout", "p": 0.5}, *moons.model[2:]])
    pair = build_pair(draft, Choice("dropout", 0.0, 0.25))
    assert len(pair.a.model) == len(draft.model) == 5
    assert _differences(pair.a, pair.b) == {"name", "model.2.p"}


def test_each_run_gets_half_of_the_cores(moons):
    assert [split_threads(c) for c in (1, 2, 3, 8)] == [1, 1, 1, 4]
    assert split_threads(8, override=2) == 2 and split_threads(8, override=6) == 4
    pair = build_pair(moons, Choice("lr", 0.01, 0.1), cores=8)
    assert pair.a.training.threads == pair.b.training.threads == pair.threads == 4
    assert build_pair(moons, Choice("lr", 0.01, 0.1)).a.training.threads is None  # no cores given: untouched
    chosen = build_pair(moons, Choice("field", 1, 2, "training.threads"), cores=8)
    assert (chosen.a.training.threads, chosen.b.training.threads, chosen.threads) == (1, 2, None)


@pytest.mark.parametrize(("choice", "words"), [
    (Choice("field", 1, 2, "optimizer.lrx"), "path 'optimizer.lrx' names no field of the recipe: optimizer has"),
    (Choice("field", 1, 2, "model.9.units"), "path 'model.9.units': model has 4 items"),
    (Choice("field", 1, 2, " "), "name the field that differs by its dotted path"),
    (Choice("field", "x", "y", "name"), "the name only names the runs"),
    (Choice("lr", 0.01, -1), "variant B: optimizer (adam): lr input should be greater than 0 (received -1)"),
    (Choice("dropout", 0.0, 1.5), "variant B: model block 3 (dropout): p input should be less than or equal"),
    (Choice("lr", 0.01, 0.01), "A and B both have 0.01; give B another value"),
    (Choice("l2", 0, 0.0), "A and B both have 0; give B another value"),
    (Choice("momentum", 0, 1), "compare kind 'momentum' is not known; choose one of dropout, lr, l2, field"),
])
def test_a_bad_choice_is_one_sentence(moons, choice, words):
    with pytest.raises(RecipeError) as caught:
        build_pair(moons, choice)
    message = str(caught.value)
    assert message.startswith(words) or words in message
    assert "\n" not in message and "Traceback" not in message and "space path" not in message


def test_values_are_read_as_json_else_as_text():
    assert [parse_value(t) for t in ("0.01", " 3 ", "true", "null", '"sgd"', "sgd", "[1, 2]")] == \
        [0.01, 3, True, None, "sgd", "sgd", [1, 2]]
