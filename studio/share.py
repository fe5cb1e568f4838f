"""Shareable links: a whole recipe (and its lesson, with the lesson's locks) inside a URL, compact and versioned.

A link's token is ``"v2." + urlsafe-base64(zlib(JSON))`` (padding dropped) of ``{"recipe": {...}}``
plus ``"lesson"`` (a lesson's id, :mod:`studio.lessons`) and ``"locked"`` (the recipe paths shown
read-only) when there is a lesson; it travels as the ``recipe`` query parameter, so a teacher can put
it on the projector and the app loads that setup when it is opened. The version comes first, so a
link of a later format is refused with a sentence instead of being misread. v1 tokens (the same
layout without locks) are still read. A token is read with limits (its length, and what it inflates
to), and a recipe in it is validated like an uploaded one; its lesson must be one this studio has and
its locks fields of its recipe.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from studio.errors import LessonError, RecipeError
from studio.jsontext import load_json
from studio.lessons import check_locks, get_lesson
from studio.recipe import Recipe

VERSION = "v2"
READS = ("v1", "v2")  # v1: before locks (a lesson name at most); still opened
PARAM = "recipe"  # the query parameter that carries the token
MAX_TOKEN_CHARS = 32_000  # far above any real recipe (a few hundred to a few thousand characters)
MAX_JSON_BYTES = 1_000_000  # what a token may inflate to
_VERSIONED = re.compile(r"v(\d+)\.(.*)", re.DOTALL)
_NEW_LINK = "ask whoever shared it for a new link"


@dataclass(frozen=True)
class Shared:
    """What a link holds: the recipe, the lesson it belongs to (None when it has none), and the recipe
    paths that the lesson shows read-only to whoever opens the link (empty: nothing locked)."""

    recipe: Recipe
    lesson: str | None = None
    locked: tuple[str, ...] = ()


def _check_lesson(recipe: Recipe, lesson: str | None, locked: tuple[str, ...]) -> None:
    """A LessonError unless ``lesson`` is a lesson here and ``locked`` are fields of ``recipe``."""
    if lesson is None:
        if locked:
            raise LessonError("locks belong to a lesson, and this link names none")
        return
    get_lesson(lesson)
    check_locks(recipe, locked)


def encode(recipe: Recipe, lesson: str | None = None, locked: tuple[str, ...] | list[str] = ()) -> str:
    """The link token of ``recipe`` (and ``lesson`` with its ``locked`` paths): ``"v2." + urlsafe base64 of
    the zlib'd JSON``. Raises LessonError for an unknown lesson, or a lock that names no field."""
    locked = tuple(locked)
    _check_lesson(recipe, lesson, locked)
    payload: dict[str, object] = {"recipe": recipe.to_dict()}
    if lesson is not None:
        payload["lesson"] = lesson
    if locked:
        payload["locked"] = list(locked)
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return f"{VERSION}." + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, MAX_JSON_BYTES + 1)
    if len(out) > MAX_JSON_BYTES or inflater.unconsumed_tail:
        raise RecipeError(f"this link holds more than {MAX_JSON_BYTES // 1_000_000} MB of recipe, which no studio "
                          f"writes; {_NEW_LINK}")
    if not inflater.eof:
        raise zlib.error("incomplete")
    return out


def decode(token: str) -> Shared:
    """The recipe (and lesson) of a link token, or a RecipeError that says what is wrong with the link."""
    token = token.strip()
    if len(token) > MAX_TOKEN_CHARS:
        raise RecipeError(f"this link is {len(token):,} characters long, more than any recipe needs; {_NEW_LINK}")
    found = _VERSIONED.fullmatch(token)
    if found is None:
        raise RecipeError(f"this is not a Training Studio recipe link (its recipe part should start with "
                          f"'{VERSION}.'); {_NEW_LINK}")
    version = f"v{found.group(1)}"
    if version not in READS:
        raise RecipeError(f"this link has format v{int(found.group(1))}, and this studio reads {' and '.join(READS)} "
                          "links; open it in the studio that made it, or ask for a link from this version")
    body = found.group(2)
    try:
        raw = _inflate(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError, zlib.error):
        raise RecipeError(f"this link is damaged (cut short or changed, so its recipe cannot be read); copy the "
                          f"whole link again or {_NEW_LINK}") from None
    payload = load_json(raw, "the recipe in this link", RecipeError)
    if not isinstance(payload, dict) or not isinstance(payload.get("recipe"), dict):
        raise RecipeError(f"this link holds no recipe; {_NEW_LINK}")
    lesson = payload.get("lesson")
    if lesson is not None and not isinstance(lesson, str):
        raise RecipeError(f"the lesson named in this link is not a name; {_NEW_LINK}")
    locked = payload.get("locked", []) if version != "v1" else []
    if not isinstance(locked, list) or not all(isinstance(p, str) for p in locked):
        raise RecipeError(f"the locks in this link are not a list of recipe fields; {_NEW_LINK}")
    try:
        recipe = Recipe.from_dict(payload["recipe"])
    except RecipeError as err:
        raise RecipeError(f"the recipe in this link is not valid for this studio: {err}") from None
    try:
        _check_lesson(recipe, lesson, tuple(locked))
    except LessonError as err:
        raise LessonError(f"this link's lesson cannot be opened: {err}; {_NEW_LINK}") from None
    return Shared(recipe, lesson, tuple(locked))


def link(recipe: Recipe, base: str = "", lesson: str | None = None, locked: tuple[str, ...] | list[str] = ()) -> str:
    """A URL that opens ``base`` (the app's address; "" for just the query) with this recipe as the draft
    (and ``lesson`` shown, with ``locked`` read-only).

    Other query parameters of ``base`` are kept, except the app's own per-browser ones (run, owner),
    which must not travel to other people.
    """
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in (PARAM, "run", "owner")]
    query.append((PARAM, encode(recipe, lesson, locked)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or ("/" if parts.netloc else ""), urlencode(query),
                       ""))
