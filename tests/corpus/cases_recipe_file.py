"""Recipe files that are not a recipe at all: empty, not JSON, not an object, nested absurdly, not UTF-8."""

from __future__ import annotations

import json
from typing import Any

from tests.corpus.cases_recipe import changed, text_recipe
from tests.corpus.corpus import case, train_argv
from tests.corpus.workspace import recipe_dict


@case("recipe/empty-file", "recipe.json", "JSON")
def _(ws):
    return text_recipe(ws, b"")


@case("recipe/not-json", "recipe.json", "JSON")
def _(ws):
    return text_recipe(ws, "name: my recipe\nepochs: 10\n")


@case("recipe/truncated-json", "recipe.json", "JSON")
def _(ws):
    return text_recipe(ws, json.dumps(recipe_dict())[:-20])


@case("recipe/trailing-comma", "recipe.json", "JSON")
def _(ws):
    return text_recipe(ws, json.dumps(recipe_dict()).replace('"corpus"', '"corpus",,'))


@case("recipe/array", "JSON object", "array")
def _(ws):
    return text_recipe(ws, json.dumps([recipe_dict()]))


@case("recipe/string", "JSON object")
def _(ws):
    return text_recipe(ws, '"iris-mlp"')


@case("recipe/null", "JSON object", "null")
def _(ws):
    return text_recipe(ws, "null")


@case("recipe/deeply-nested-list", "recipe.json", "nested")
def _(ws):
    return text_recipe(ws, "[" * 100_000 + "]" * 100_000)


@case("recipe/deeply-nested-field", "recipe.json", "nested")
def _(ws):
    inner = '{"a": ' * 50_000 + "1" + "}" * 50_000
    return text_recipe(ws, json.dumps(recipe_dict()).replace('"corpus"', inner))


@case("recipe/nested-options-too-deep", "options")
def _(ws):
    deep: Any = 1
    for _ in range(600):  # parses, but no option is that deep: said, not a RecursionError later
        deep = {"a": deep}
    return changed(ws, ("data", "options"), deep)


@case("recipe/binary", "recipe.json")
def _(ws):
    return text_recipe(ws, bytes(range(256)) * 4)


@case("recipe/utf16", "recipe.json", "UTF-8")
def _(ws):
    return text_recipe(ws, json.dumps(recipe_dict()).encode("utf-16"))


@case("recipe/latin1-accent", "recipe.json", "UTF-8")
def _(ws):
    return text_recipe(ws, json.dumps(recipe_dict(name="modèle"), ensure_ascii=False).encode("latin-1"))


@case("recipe/folder", "recipes", "folder")
def _(ws):
    (ws.cwd / "recipes").mkdir()
    return train_argv("recipes")


@case("recipe/no-such-preset", "neither a file nor a preset", "iris-mlp")
def _(ws):
    return train_argv("iris-mpl")
