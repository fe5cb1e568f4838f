"""Shareable links: a recipe round-trips through its token and URL (with its lesson and locks); v1 links
of earlier studios still open; bad, outdated or tampered links are one sentence each; `studio link`
prints a link and refuses a bad recipe or lesson with exit 2."""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from studio.cli import main
from studio.errors import LessonError, RecipeError
from studio.lessons import get_lesson
from studio.recipe import Recipe, load_recipe
from studio.share import MAX_JSON_BYTES, PARAM, decode, encode, link

PRESETS = Path(__file__).resolve().parents[1] / "assets" / "recipes"


def _token(payload: bytes, version: str = "v2") -> str:
    return f"{version}." + base64.urlsafe_b64encode(zlib.compress(payload)).decode().rstrip("=")


@pytest.mark.parametrize("preset", sorted(p.stem for p in PRESETS.glob("*.json")))
def test_every_preset_round_trips_through_a_compact_link(preset):
    recipe = load_recipe(PRESETS / f"{preset}.json")
    token = encode(recipe)
    assert token.startswith("v2.") and len(token) < 2000
    assert set(token[3:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    shared = decode(token)
    assert shared.recipe == recipe and shared.recipe.to_json() == recipe.to_json() and shared.lesson is None
    assert shared.locked == ()


def test_a_link_carries_its_lesson_and_keeps_the_base_address():
    recipe = Recipe.from_dict({"name": "ünïcode & spaces", "optimizer": {"kind": "sgd", "lr": 0.5}})
    url = link(recipe, "https://school.example:8501/train?owner=secret&run=r1&theme=dark", lesson="overfitting")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "school.example:8501", "/train")
    assert "owner" not in query and "run" not in query and query["theme"] == ["dark"]  # per-browser keys stay home
    shared = decode(query[PARAM][0])
    assert shared.recipe == recipe and shared.lesson == "overfitting" and shared.locked == ()
    assert link(recipe).startswith(f"?{PARAM}=v2.")


def test_a_link_carries_its_lessons_locks():
    recipe = get_lesson("learning-rate").recipe(1)
    locked = get_lesson("learning-rate").locked
    shared = decode(encode(recipe, "learning-rate", locked))
    assert (shared.recipe, shared.lesson, shared.locked) == (recipe, "learning-rate", locked)


# Made by the studio before locks existed (v1, commit e76fae3): a moons recipe, then the same with a lesson.
V1_PLAIN = (
    "v1.eNpVUu1u2zAMfJWBv40h2dp186sUg8FIjC2UlgSKypAGefdRit11_0Tx4-7Iu4GQC5lgvEFxC604XUhKSBHG4wARV0tBYv-FQ"
    "3yDATwq9uJUxbXcqQbWEMc1pVisQFFmUhhjZR7gTKhVqOyxYnmzJqyarLZkDtqmqWAwxMPXlwEuyO11fLZqKrq_i9VoOF9hVKl0t"
    "w8ib8kBUtbQsMeb_brEdd2DQhJ2bAuzUJbkqJQQZxhffw-wJk8G93qDtxBtHHiKhYxajUGt8-cAp4BlA7UGis5aZANo0Gt4J2kit"
    "gll9tbP0oh_bwgrRa1rC3_ZRk0SSbrAeEYuNMAfCvOikyeH11ZzaLztEr4yfZrqTKFiVLC00FwZJbyj9kPdgI-91WC_7Q88EU_Fr"
    "qJLV9t_Z0E_OQ55vweh8HUqmnLuVTfINtREGvbx0NjbHpJpaWeZOJV24jVE48vNCA--WOcmcqPzmOwYS5ke6mxbEFOkRr6fesOin"
    "NxiyWdDOqG6ZSq2TBh_PJnR6BK6wTav5GbUhzH3r07nn5l2P-gihP7Dcoam01nS-uFJIWooj8jmdkrkJ5bpjK7LPbZt-VA0MP_Xv"
    "P8prZmkmxvGp8_VyHnpm3m53-9_AZrzI5M"
)
V1_LESSON = (
    "v1.eNpVU-1u2zAMfJWBv40h2dp186sUg8BItC2UlgSJypAaefdRit11_0zx4-7I8waZrE8E4wbFLrSiuVIuPgYYzwMEXDUFkd0X9"
    "uENBnAo2ItjzbblLtWz-DCuMYaiBYJ5JoExVOYBJkKpmcoRC5Y3bcIqUWtLYi9tmmT0inj6-jLAFbl9nZ-1mooc30VrxE83GCVXu"
    "usDkdPkADGJb9jjpq82cl2PoFD2B7aGKVPK0VIpPswwvv4eYI2OFO51gzcfdBw4CoWUWg1etPPnABePZQfVBgpWW_IO0KBX_065i"
    "dgnlNlpP-dG_HtDWClIXVv4SzeqkijHK4wTcqEB_pCfFzGOLN5azanx1ku4yvRpqlWFgkFA05nmypj9O0o_1AZ87q0K--34wAuxK"
    "XoVWbra_jpndMayT8c9CDPfTJGYUq_aIOlQFanY51Njr3uIqqWdxXAs7cSrD8qXmxEefLHOTeRO5zHZMpZiHup0WxBioEa-n3rHo"
    "hTtoslnRbqg2MUUXSaMP57UaHT13WC7V1Iz6sOYx1On889Mhx9kyYTuw3KKJmbKcf3wZCZqKI9I53ZK5AxnM6Htcs9tW84X8cz_N"
    "R9vQmui3M0N49PnauS09M283FUuq9s656j_1eRFmvT7XyjhK8Y"
)


def test_v1_links_of_earlier_studios_still_open():
    plain, with_lesson = decode(V1_PLAIN), decode(V1_LESSON)
    assert plain.recipe.name == "old link" and plain.recipe.optimizer["lr"] == 0.3
    assert (plain.lesson, plain.locked) == (None, ())
    assert with_lesson.recipe == plain.recipe and (with_lesson.lesson, with_lesson.locked) == ("overfitting", ())


def test_a_v1_token_cannot_carry_locks():
    token = _token(json.dumps({"recipe": {}, "lesson": "overfitting", "locked": ["optimizer"]}).encode(), "v1")
    assert decode(token).locked == ()


@pytest.mark.parametrize(("lesson", "locked", "said"), [
    ("no-such-lesson", [], "there is no lesson 'no-such-lesson'; lessons: overfitting, learning-rate"),
    ("overfitting", ["optimizer.nope"], "the lock 'optimizer.nope' names no field of this recipe"),
    (None, ["optimizer.lr"], "locks belong to a lesson, and this link names none"),
])
def test_a_link_with_an_unknown_lesson_or_lock_is_one_sentence(lesson, locked, said):
    with pytest.raises(LessonError, match=re.escape(said)):
        encode(Recipe(), lesson, locked)
    payload = {"recipe": {}, "locked": locked, **({"lesson": lesson} if lesson else {})}
    with pytest.raises(LessonError) as info:
        decode(_token(json.dumps(payload).encode()))
    message = str(info.value)
    assert message.startswith("this link's lesson cannot be opened: ") and said in message and "\n" not in message


@pytest.mark.parametrize(("token", "said"), [
    ("", "not a Training Studio recipe link"),
    ("hello", "not a Training Studio recipe link"),
    ("eNpVU9tu2zAM", "not a Training Studio recipe link"),  # the version cut off
    ("v3.eNpVU9tu2zAM", "format v3, and this studio reads v1 and v2 links"),
    ("v1.", "damaged"),
    ("v1.!!!not base64!!!", "damaged"),
    ("v1." + base64.urlsafe_b64encode(b"not zlib").decode(), "damaged"),
    ("v1." + "A" * 40_000, "characters long"),
    (_token(b"\xff\xfe"), "not UTF-8"),
    (_token(b"[1, 2]"), "holds no recipe"),
    (_token(b'{"recipe": {"training": {"epochs": 0}}}'), "not valid for this studio: invalid recipe: training.epochs"),
    (_token(b'{"recipe": {"schema_version": 7}}'), "schema_version 7 is not supported"),
    (_token(b'{"recipe": {}, "lesson": 3}'), "lesson named in this link is not a name"),
    (_token(b'{"recipe": {}, "lesson": "overfitting", "locked": "data"}'), "locks in this link are not a list"),
    (_token(b"[" * 100_000 + b"]" * 100_000), "nested too deeply"),
    (_token(b'{"recipe": {"name": "' + b"x" * (MAX_JSON_BYTES + 10) + b'"}}'), "more than 1 MB"),
])
def test_bad_links_are_one_sentence(token, said):
    with pytest.raises(RecipeError) as info:
        decode(token)
    message = str(info.value)
    assert said in message and "\n" not in message and len(message) <= 300, message


def test_a_tampered_link_is_refused():
    token = encode(Recipe())
    flipped = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    with pytest.raises(RecipeError, match=r"damaged|not valid|not UTF-8|not valid JSON"):
        decode(flipped)
    with pytest.raises(RecipeError, match="damaged"):
        decode(token[:-10])  # cut short


def test_cli_prints_a_link(capsys):
    assert main(["link", "iris-mlp", "--base", "http://class.local:8501"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("http://class.local:8501/?recipe=v2.") and "\n" not in out
    assert decode(parse_qs(urlsplit(out).query)[PARAM][0]).recipe == load_recipe(PRESETS / "iris-mlp.json")


def test_cli_refuses_a_bad_recipe_or_base_with_one_sentence(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"training": {"epochs": -1}}))
    assert main(["link", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "training.epochs" in err and "\n" not in err
    assert main(["link", str(tmp_path / "missing.json")]) == 2
    assert "neither a file nor a preset" in capsys.readouterr().err
    assert main(["link", "iris-mlp", "--base", "localhost:8501"]) == 2
    assert "must be the studio's address" in capsys.readouterr().err


def test_cli_links_a_lesson_with_its_locks(capsys):
    assert main(["link", "--lesson", "learning-rate", "--base", "http://class.local:8501"]) == 0
    shared = decode(parse_qs(urlsplit(capsys.readouterr().out.strip()).query)[PARAM][0])
    lesson = get_lesson("learning-rate")
    assert (shared.recipe, shared.lesson, shared.locked) == (lesson.recipe(), "learning-rate", lesson.locked)
    assert main(["link", "iris-mlp", "--lesson", "overfitting", "--unlocked"]) == 0
    shared = decode(parse_qs(urlsplit(capsys.readouterr().out.strip()).query)[PARAM][0])
    assert (shared.recipe.name, shared.lesson, shared.locked) == ("iris-mlp", "overfitting", ())


@pytest.mark.parametrize(("argv", "said"), [
    (["link", "--lesson", "nope"], "there is no lesson 'nope'; lessons: overfitting"),
    (["link"], "give a recipe (a file or a preset's name), or --lesson ID"),
    (["link", "iris-mlp", "--unlocked"], "--unlocked goes with --lesson"),
])
def test_cli_refuses_a_bad_lesson_with_one_sentence(argv, said, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and said in err and "\n" not in err
