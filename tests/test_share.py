"""Shareable links: a recipe round-trips through its token and URL; bad, outdated or tampered links are
one sentence each; `studio link` prints a link and refuses a bad recipe with exit 2."""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from studio.cli import main
from studio.errors import RecipeError
from studio.recipe import Recipe, load_recipe
from studio.share import MAX_JSON_BYTES, PARAM, decode, encode, link

PRESETS = Path(__file__).resolve().parents[1] / "assets" / "recipes"


def _token(payload: bytes, version: str = "v1") -> str:
    return f"{version}." + base64.urlsafe_b64encode(zlib.compress(payload)).decode().rstrip("=")


@pytest.mark.parametrize("preset", sorted(p.stem for p in PRESETS.glob("*.json")))
def test_every_preset_round_trips_through_a_compact_link(preset):
    recipe = load_recipe(PRESETS / f"{preset}.json")
    token = encode(recipe)
    assert token.startswith("v1.") and len(token) < 2000
    assert set(token[3:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    shared = decode(token)
    assert shared.recipe == recipe and shared.recipe.to_json() == recipe.to_json() and shared.lesson is None


def test_a_link_carries_its_lesson_and_keeps_the_base_address():
    recipe = Recipe.from_dict({"name": "ünïcode & spaces", "optimizer": {"kind": "sgd", "lr": 0.5}})
    url = link(recipe, "https://school.example:8501/train?owner=secret&run=r1&theme=dark", lesson="overfitting")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "school.example:8501", "/train")
    assert "owner" not in query and "run" not in query and query["theme"] == ["dark"]  # per-browser keys stay home
    shared = decode(query[PARAM][0])
    assert shared.recipe == recipe and shared.lesson == "overfitting"
    assert link(recipe).startswith(f"?{PARAM}=v1.")


@pytest.mark.parametrize(("token", "said"), [
    ("", "not a Training Studio recipe link"),
    ("hello", "not a Training Studio recipe link"),
    ("eNpVU9tu2zAM", "not a Training Studio recipe link"),  # the version cut off
    ("v2.eNpVU9tu2zAM", "format v2, and this studio reads v1 links"),
    ("v1.", "damaged"),
    ("v1.!!!not base64!!!", "damaged"),
    ("v1." + base64.urlsafe_b64encode(b"not zlib").decode(), "damaged"),
    ("v1." + "A" * 40_000, "characters long"),
    (_token(b"\xff\xfe"), "not UTF-8"),
    (_token(b"[1, 2]"), "holds no recipe"),
    (_token(b'{"recipe": {"training": {"epochs": 0}}}'), "not valid for this studio: invalid recipe: training.epochs"),
    (_token(b'{"recipe": {"schema_version": 7}}'), "schema_version 7 is not supported"),
    (_token(b'{"recipe": {}, "lesson": 3}'), "lesson named in this link is not a name"),
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
    assert out.startswith("http://class.local:8501/?recipe=v1.") and "\n" not in out
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
