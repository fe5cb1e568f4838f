"""Lessons: a short text, one or more setups (recipes) to compare, the controls that matter, and locks.

A lesson is a JSON file in ``assets/lessons/`` named after its id, validated when it is read::

    {"id": "learning-rate", "title": "...", "text": "what to try and what to watch (plain text)",
     "setups": [{"label": "too high", "preset": "moons-playground", "changes": {"optimizer": {...}}}, ...],
     "highlight": ["optimizer.lr"], "locked": ["data", "model"]}

A setup is a preset recipe (``assets/recipes``) with ``changes`` merged into it (objects merge key by
key, anything else is replaced), or, without a preset, a whole recipe in ``changes``. ``highlight``
and ``locked`` are dotted recipe paths (:mod:`studio.recipe_paths`) that every setup must have. The
first setup is what picking the lesson loads. Locks guide a class (students see those controls
read-only); they are not a security boundary: anyone can unlock them in their own browser.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from studio.errors import LessonError, RecipeError, quote
from studio.jsontext import load_json
from studio.recipe import Recipe
from studio.recipe_paths import exists
from studio.registry import describe_validation_error

ASSETS = Path(__file__).resolve().parent.parent / "assets"
LESSONS_DIR = ASSETS / "lessons"
PRESETS_DIR = ASSETS / "recipes"
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,47}$"
MAX_PATHS = 64  # more locked or highlighted controls than any lesson needs


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Setup(_Strict):
    """One recipe of a lesson: a preset with changes merged in, or a whole recipe in ``changes``."""

    label: str = Field(min_length=1, max_length=40)
    preset: str | None = Field(None, pattern=r"^[a-z0-9-]+$")
    changes: dict[str, Any] = Field(default_factory=dict)


class Lesson(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    order: int = Field(100, ge=0, description="Where the lesson comes in the list (then by id).")
    title: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=1200, description="Plain text: what to try and what to watch.")
    setups: tuple[Setup, ...] = Field(min_length=1, max_length=4)
    highlight: tuple[str, ...] = Field((), max_length=MAX_PATHS)
    locked: tuple[str, ...] = Field((), max_length=MAX_PATHS)

    @model_validator(mode="after")
    def _paths_exist(self) -> Lesson:
        for i, _ in enumerate(self.setups):
            recipe = self.recipe(i)
            for kind, paths in (("highlight", self.highlight), ("locked", self.locked)):
                missing = [p for p in paths if not exists(recipe, p)]
                if missing:
                    raise ValueError(f"{kind} names {quote(missing[0])}, which setup {self.setups[i].label!r} "
                                     "has not; give a recipe path such as 'optimizer.lr' or 'model.2.p'")
        return self

    def recipe(self, setup: int = 0) -> Recipe:
        """The recipe of setup ``setup`` (0: the one the lesson opens with), named "<lesson id> <label>"."""
        chosen = self.setups[setup]
        base = _preset(chosen.preset) if chosen.preset else {}
        raw = {**merged(base, chosen.changes), "name": chosen.changes.get("name", f"{self.id} {chosen.label}")}
        try:
            return Recipe.from_dict(raw)
        except RecipeError as err:
            raise LessonError(f"lesson {self.id!r}, setup {chosen.label!r}: {err}") from None

    def setup_of(self, recipe: Recipe) -> int | None:
        """Which setup ``recipe`` is, unchanged (None when it is none of them, e.g. after an edit)."""
        return next((i for i in range(len(self.setups)) if self.recipe(i) == recipe), None)


def merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` merged in: objects key by key, anything else (lists, numbers) replaced."""
    out = dict(base)
    for key, value in changes.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _preset(name: str) -> dict[str, Any]:
    path = PRESETS_DIR / f"{name}.json"
    if not path.is_file():
        raise ValueError(f"preset {name!r} does not exist; presets: {', '.join(p.stem for p in _presets())}")
    raw = load_json(path.read_bytes(), f"preset {name!r}", LessonError)
    return raw if isinstance(raw, dict) else {}


def _presets() -> list[Path]:
    return sorted(PRESETS_DIR.glob("*.json"))


def read_lesson(path: Path) -> Lesson:
    """Read and validate one lesson file; its ``id`` must be its file name."""
    raw = load_json(path.read_bytes(), f"lesson file {path.name!r}", LessonError)
    try:
        lesson = Lesson.model_validate(raw)
    except ValidationError as err:
        raise LessonError(f"lesson file {path.name!r}: {describe_validation_error(err)}") from None
    if lesson.id != path.stem:
        raise LessonError(f"lesson file {path.name!r} has id {lesson.id!r}; name the file after its id")
    return lesson


@functools.cache
def lessons() -> dict[str, Lesson]:
    """Every shipped lesson by id, in their ``order`` (read once per process)."""
    found = sorted(map(read_lesson, LESSONS_DIR.glob("*.json")), key=lambda lesson: (lesson.order, lesson.id))
    return {lesson.id: lesson for lesson in found}


def get_lesson(lesson_id: str) -> Lesson:
    """The lesson ``lesson_id``, or a LessonError that lists the lessons there are."""
    found = lessons().get(lesson_id)
    if found is None:
        raise LessonError(f"there is no lesson {quote(lesson_id)}; lessons: {', '.join(lessons()) or 'none'}")
    return found


def check_locks(recipe: Recipe, locked: tuple[str, ...] | list[str]) -> None:
    """A LessonError unless every locked path is a field of ``recipe`` (a link's locks are checked so)."""
    if len(locked) > MAX_PATHS:
        raise LessonError(f"{len(locked)} locked controls is more than a lesson has (at most {MAX_PATHS})")
    for path in locked:
        if not isinstance(path, str) or not exists(recipe, path):
            raise LessonError(f"the lock {quote(path)} names no field of this recipe")
