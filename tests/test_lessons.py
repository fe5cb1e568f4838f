"""Lessons: every shipped lesson loads, names controls its setups have, and each setup trains; a bad
lesson file is one sentence; recipe paths find, cover and compare fields."""

from __future__ import annotations

import json

import pytest

from studio.errors import LessonError
from studio.lessons import Lesson, get_lesson, lessons, merged, read_lesson
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.recipe_paths import changed, covers, exists, related, value_at

SIX = ["overfitting", "learning-rate", "vanishing-gradients", "normalization", "underfitting", "cnn-vs-mlp"]
SETUPS = [(lesson.id, i) for lesson in lessons().values() for i in range(len(lesson.setups))]


def test_the_six_lessons_load_in_order_with_their_text():
    assert list(lessons()) == SIX
    for lesson in lessons().values():
        assert 150 <= len(lesson.text) <= 700 and lesson.highlight, lesson.id  # a few sentences, something to watch


@pytest.mark.parametrize(("lesson_id", "setup"), SETUPS)
def test_each_setup_has_the_lessons_controls_and_trains(lesson_id, setup, runs_root):
    lesson = get_lesson(lesson_id)
    recipe = lesson.recipe(setup)
    assert all(exists(recipe, p) for p in (*lesson.highlight, *lesson.locked))
    assert lesson.setup_of(recipe) == setup
    raw = recipe.to_dict()  # fast: one epoch on at most 200 points (the full setups are measured in the README)
    raw["training"].update(epochs=1, device="cpu", threads=1)
    if "n_samples" in raw["data"]["options"]:
        raw["data"]["options"]["n_samples"] = min(200, raw["data"]["options"]["n_samples"])
    result = train_recipe(Recipe.from_dict(raw), runs_root=runs_root)
    assert result.status == "completed" and result.summary.metrics["test"]["accuracy"] >= 0.0


def _lesson(tmp_path, **changes) -> LessonError:
    raw = {"id": "mine", "title": "T", "text": "Try this.", "setups": [{"label": "a", "preset": "iris-mlp"}],
           "highlight": ["optimizer.lr"], "locked": ["data"], **changes}
    path = tmp_path / f"{changes.pop('file', 'mine')}.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(LessonError) as info:
        read_lesson(path)
    assert "\n" not in str(info.value)
    return info.value


def test_a_bad_lesson_file_is_one_sentence(tmp_path):
    assert "names 'optimizer.nope', which setup 'a' has not" in str(_lesson(tmp_path, highlight=["optimizer.nope"]))
    assert "preset 'nope' does not exist" in str(_lesson(tmp_path, setups=[{"label": "a", "preset": "nope"}]))
    assert "has id 'other'; name the file after its id" in str(_lesson(tmp_path, id="other"))
    assert "setups" in str(_lesson(tmp_path, setups=[]))
    assert "training.epochs" in str(_lesson(tmp_path, setups=[{"label": "a", "changes": {"training": {"epochs": 0}}}]))


def test_a_setup_is_its_preset_with_changes_merged():
    assert merged({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"b": 3}, "l": [2]}) == {"a": {"b": 3, "c": 2}, "l": [2]}
    lesson = Lesson(id="x", title="T", text="t", setups=({"label": "fast", "preset": "iris-mlp",
                                                          "changes": {"optimizer": {"lr": 0.5}}},))
    recipe = lesson.recipe()
    assert recipe.name == "x fast" and recipe.optimizer["lr"] == 0.5 and recipe.data.source == "builtin:iris"


def test_recipe_paths():
    recipe = get_lesson("overfitting").recipe(1)
    assert value_at(recipe.to_dict(), "model.2.p") == 0.5 and exists(recipe, "regularization.early_stopping")
    assert not exists(recipe, "model.99.p") and not exists(recipe, "optimizer.lr.x") and not exists(recipe, "")
    assert covers("model", "model.2.p") and not covers("model.2", "model.20.p") and not covers("model.2.p", "model")
    assert related("model.2.p", "model") and not related("optimizer", "optimizer_x")
    other = get_lesson("overfitting").recipe(0)
    assert changed(recipe, other, ["data", "model", "model.2.p", "model.1.fn"]) == ["model", "model.2.p"]
