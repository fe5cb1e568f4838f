"""Command-line flags out of range or pointing at the wrong kind of path."""

from __future__ import annotations

from tests.corpus.corpus import case, train_argv
from tests.corpus.workspace import recipe_dict


@case("flags/opset-99", "opset", "99", "18", "23")
def _(ws):
    return ["export", str(ws.copy_run()), "--opset", "99"]


@case("flags/opset-5", "opset", "5", "18")
def _(ws):
    return ["export", str(ws.copy_run()), "--opset", "5"]


@case("flags/opset-text", "--opset", "twenty")
def _(ws):
    return ["export", str(ws.copy_run()), "--opset", "twenty"]


@case("flags/quantize-unknown", "--quantize", "int4")
def _(ws):
    return ["export", str(ws.copy_run()), "--quantize", "int4"]


@case("flags/train-out-is-a-file", "notes.txt", "file")
def _(ws):
    ws.write("notes.txt", "keep me")
    return ["train", str(ws.write_json("recipe.json", recipe_dict())), "--out", "notes.txt", "--quiet"]


@case("flags/train-out-under-a-file", "notes.txt")
def _(ws):
    ws.write("notes.txt", "keep me")
    return ["train", str(ws.write_json("recipe.json", recipe_dict())), "--out", "notes.txt/runs", "--quiet"]


@case("flags/train-out-empty", "--out")
def _(ws):
    return ["train", str(ws.write_json("recipe.json", recipe_dict())), "--out", "", "--quiet"]


@case("flags/predict-out-is-a-folder", "folder")
def _(ws):
    (ws.cwd / "predictions").mkdir()
    return ["predict", str(ws.model), str(ws.source_rows), "--out", str(ws.cwd / "predictions")]


@case("flags/predict-out-under-a-file", "notes.txt")
def _(ws):
    ws.write("notes.txt", "keep me")
    return ["predict", str(ws.model), str(ws.source_rows), "--out", str(ws.cwd / "notes.txt" / "p.csv")]


@case("flags/unknown-command", "trian")
def _(ws):
    return ["trian", "iris-mlp"]


@case("flags/no-command", "command")
def _(ws):
    return []


@case("flags/train-without-recipe", "recipe")
def _(ws):
    return ["train"]


@case("flags/unknown-flag", "--epochs")
def _(ws):
    return [*train_argv("iris-mlp"), "--epochs", "3"]


@case("flags/runs-out-is-a-file", "notes.txt")
def _(ws):
    ws.write("notes.txt", "keep me")
    return ["runs", "--out", "notes.txt"]


@case("flags/app-port-out-of-range", "--port", "99999")
def _(ws):
    return ["app", "--port", "99999"]


@case("flags/app-data-dir-missing", "--data-dir", "nodata")
def _(ws):
    return ["app", "--data-dir", "nodata"]


# -- paths the system refuses (a whole CSV pasted where a path goes...) ----------------------------

LONG = "x" * 5000


@case("flags/recipe-path-too-long", "too long")
def _(ws):
    return ["train", LONG, "--out", "runs", "--quiet"]


@case("flags/model-path-too-long", "too long")
def _(ws):
    return ["predict", LONG, str(ws.source_rows)]


@case("flags/rows-path-too-long", "too long")
def _(ws):
    return ["predict", str(ws.model), LONG]


@case("flags/run-path-too-long", "too long")
def _(ws):
    return ["export", LONG]


@case("flags/csv-source-too-long", "too long")
def _(ws):
    raw = recipe_dict(f"csv:{LONG}.csv", "label")
    return train_argv(ws.write_json("recipe.json", raw))


@case("flags/train-nproc-0", "--nproc", "0")
def _(ws):
    return ["train", str(ws.write_json("recipe.json", recipe_dict())), "--nproc", "0", "--quiet"]


@case("flags/train-nproc-more-than-the-devices", "--nproc", "999", "fewer")
def _(ws):
    return ["train", str(ws.write_json("recipe.json", recipe_dict())), "--nproc", "999", "--quiet"]


@case("flags/train-nproc-text", "--nproc", "two")
def _(ws):
    return ["train", str(ws.write_json("recipe.json", recipe_dict())), "--nproc", "two", "--quiet"]


@case("flags/train-master-port-without-nproc", "--master-port", "--nproc")
def _(ws):
    return ["train", str(ws.write_json("recipe.json", recipe_dict())), "--master-port", "29511", "--quiet"]


@case("flags/train-timeout-0", "--timeout", "0")
def _(ws):
    return ["train", str(ws.write_json("recipe.json", recipe_dict())), "--nproc", "2", "--timeout", "0", "--quiet"]
