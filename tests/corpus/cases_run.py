"""`studio export` / `studio bench` on run directories with missing, damaged or tampered files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.corpus.corpus import case
from tests.corpus.workspace import Workspace

Edit = Callable[[Path], None]


def damaged(ws: Workspace, edit: Edit, command: str = "export") -> list[str]:
    """A copy of the shared run with ``edit(run_dir)`` applied, then ``studio <command>`` on it."""
    run = ws.copy_run()
    edit(run)
    return [command, str(run)]


def remove(name: str) -> Edit:
    return lambda run: (run / name).unlink()


def replace(name: str, content: bytes | str) -> Edit:
    data = content.encode() if isinstance(content, str) else content
    return lambda run: (run / name).write_bytes(data)


def truncate(name: str, keep: float = 0.5) -> Edit:
    def edit(run: Path) -> None:
        data = (run / name).read_bytes()
        (run / name).write_bytes(data[: int(len(data) * keep)])

    return edit


def json_edit(name: str, change: Callable[[Any], Any]) -> Edit:
    """Change the parsed JSON of ``name`` in place."""

    def edit(run: Path) -> None:
        raw = json.loads((run / name).read_text())
        change(raw)
        (run / name).write_text(json.dumps(raw))

    return edit


def drop_key(*path: str | int) -> Callable[[Any], None]:
    def change(raw: Any) -> None:
        node = raw
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


def set_key(*path: str | int, value: Any) -> Callable[[Any], None]:
    def change(raw: Any) -> None:
        node = raw
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


PREP, SUMMARY, RECIPE, WEIGHTS, TEST = (
    "preprocessing.json", "summary.json", "recipe.json", "model.safetensors", "test.csv")


# -- not a run at all ---------------------------------------------------------------------------

@case("run/missing", "norun", "does not exist")
def _(ws):
    return ["export", str(ws.cwd / "norun")]


@case("run/a-file", "is a file")
def _(ws):
    return ["export", str(ws.write("notes.txt", "hello"))]


@case("run/empty-folder", "not a run directory")
def _(ws):
    (ws.cwd / "empty").mkdir()
    return ["export", str(ws.cwd / "empty")]


@case("run/bench-empty-folder", "not a run directory")
def _(ws):
    (ws.cwd / "empty").mkdir()
    return ["bench", str(ws.cwd / "empty")]


# -- damaged files ------------------------------------------------------------------------------

@case("run/summary-missing", "summary.json")
def _(ws):
    return damaged(ws, remove(SUMMARY))


@case("run/summary-not-json", "summary.json", "damaged")
def _(ws):
    return damaged(ws, replace(SUMMARY, "{status: done"))


@case("run/summary-array", "summary.json")
def _(ws):
    return damaged(ws, replace(SUMMARY, "[1, 2]"))


@case("run/summary-deeply-nested", "summary.json")
def _(ws):
    return damaged(ws, replace(SUMMARY, "[" * 100_000 + "]" * 100_000))


@case("run/recipe-not-json", "recipe.json")
def _(ws):
    return damaged(ws, replace(RECIPE, "\x00\x01garbage"))


@case("run/recipe-invalid", "epochs")
def _(ws):
    return damaged(ws, json_edit(RECIPE, set_key("training", "epochs", value=-1)))


@case("run/recipe-model-changed", "weights", "recipe")
def _(ws):
    return damaged(ws, json_edit(RECIPE, set_key("model", value=[{"kind": "dense", "units": 5}])))


@case("run/prep-missing", "preprocessing.json")
def _(ws):
    return damaged(ws, remove(PREP))


@case("run/prep-not-json", "preprocessing.json")
def _(ws):
    return damaged(ws, truncate(PREP))


@case("run/prep-lacks-preprocessor", "preprocessing.json", "preprocessor")
def _(ws):
    return damaged(ws, json_edit(PREP, drop_key("preprocessor")))


@case("run/prep-lacks-table", "preprocessing.json", "table")
def _(ws):
    return damaged(ws, json_edit(PREP, drop_key("table")))


@case("run/prep-preprocessor-lacks-encoder", "preprocessing.json", "encoder")
def _(ws):
    return damaged(ws, json_edit(PREP, drop_key("preprocessor", "encoder")))


@case("run/prep-preprocessor-lacks-ops", "preprocessing.json", "ops")
def _(ws):
    return damaged(ws, json_edit(PREP, drop_key("preprocessor", "ops")))


@case("run/prep-encoder-lacks-numeric", "preprocessing.json", "numeric")
def _(ws):
    return damaged(ws, json_edit(PREP, drop_key("preprocessor", "encoder", "numeric")))


@case("run/prep-category-lacks-name", "preprocessing.json", "preprocessor", "name")
def _(ws):
    return damaged(ws, json_edit(PREP, drop_key("preprocessor", "encoder", "categorical", 0, "name")))


@case("run/prep-op-unknown", "preprocessing.json", "warp")
def _(ws):
    return damaged(ws, json_edit(PREP, set_key("preprocessor", "ops", 0, "op", value="warp")))


@case("run/prep-preprocessor-is-list", "preprocessing.json")
def _(ws):
    return damaged(ws, json_edit(PREP, set_key("preprocessor", value=[1, 2])))


@case("run/prep-table-lacks-task", "preprocessing.json", "task")
def _(ws):
    return damaged(ws, json_edit(PREP, drop_key("table", "task")))


@case("run/prep-table-lacks-class-labels", "preprocessing.json", "class_labels")
def _(ws):
    return damaged(ws, json_edit(PREP, drop_key("table", "class_labels")))


@case("run/prep-table-is-string", "preprocessing.json", "table")
def _(ws):
    return damaged(ws, json_edit(PREP, set_key("table", value="iris")))


@case("run/prep-inputs-unknown-kind", "preprocessing.json", "inputs")
def _(ws):
    return damaged(ws, json_edit(PREP, set_key("inputs", value=[{"kind": "hologram", "name": "x"}])))


@case("run/prep-inputs-not-a-list", "preprocessing.json", "inputs")
def _(ws):
    return damaged(ws, json_edit(PREP, set_key("inputs", value="table")))


@case("run/prep-n-outputs-text", "preprocessing.json", "n_outputs")
def _(ws):
    return damaged(ws, json_edit(PREP, set_key("n_outputs", value="two")))


@case("run/weights-missing", "model.safetensors")
def _(ws):
    return damaged(ws, remove(WEIGHTS))


@case("run/weights-truncated", "model.safetensors", "damaged")
def _(ws):
    return damaged(ws, truncate(WEIGHTS))


@case("run/weights-empty", "model.safetensors", "damaged")
def _(ws):
    return damaged(ws, replace(WEIGHTS, b""))


@case("run/weights-garbage-header", "model.safetensors", "damaged")
def _(ws):
    return damaged(ws, replace(WEIGHTS, (10**12).to_bytes(8, "little") + b"{}"))


@case("run/test-rows-missing", "test.csv")
def _(ws):
    return damaged(ws, remove(TEST))


@case("run/test-rows-empty-file", "test.csv")
def _(ws):
    return damaged(ws, replace(TEST, b""))


@case("run/test-rows-header-only", "test", "rows")
def _(ws):
    return damaged(ws, lambda run: (run / TEST).write_text((run / TEST).read_text().splitlines()[0] + "\n"))


@case("run/test-rows-lack-column", "test.csv", "size")
def _(ws):
    def edit(run: Path) -> None:
        import pandas as pd

        pd.read_csv(run / TEST).drop(columns=["size"]).to_csv(run / TEST, index=False)

    return damaged(ws, edit)


@case("run/test-rows-text-in-numbers", "test.csv", "x")
def _(ws):
    def edit(run: Path) -> None:
        import pandas as pd

        pd.read_csv(run / TEST).assign(x="oops").to_csv(run / TEST, index=False)

    return damaged(ws, edit)


@case("run/failed-run", "failed", "--allow-failed")
def _(ws):
    return damaged(ws, json_edit(SUMMARY, set_key("status", value="failed")))


@case("run/bench-no-model", "model.onnx", "export")
def _(ws):
    return damaged(ws, remove("model.onnx"), "bench")


@case("run/bench-damaged-model", "model.onnx")
def _(ws):
    return damaged(ws, truncate("model.onnx"), "bench")


@case("run/bench-weights-truncated", "model.safetensors")
def _(ws):
    return damaged(ws, truncate(WEIGHTS), "bench")


# -- studio explain -----------------------------------------------------------------------------

def _no_test_rows(run: Path) -> None:
    header = (run / TEST).read_text(encoding="utf-8").splitlines()[0]
    (run / TEST).write_text(header + "\n", encoding="utf-8")


@case("run/explain-missing", "norun", "does not exist")
def _(ws):
    return ["explain", str(ws.cwd / "norun")]


@case("run/explain-no-test-rows", "no test rows")
def _(ws):
    return damaged(ws, _no_test_rows, "explain")


@case("run/explain-test-rows-missing", "test.csv")
def _(ws):
    return damaged(ws, remove(TEST), "explain")


@case("run/explain-weights-missing", "weights")
def _(ws):
    return damaged(ws, remove(WEIGHTS), "explain")


@case("run/explain-repeats-zero", "--repeats", "1 to 1000")
def _(ws):
    return ["explain", str(ws.copy_run()), "--repeats", "0"]
