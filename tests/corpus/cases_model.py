"""`studio predict` fed bad models (not ONNX, truncated, foreign, tampered) and bad rows for a good model."""

from __future__ import annotations

import json

import numpy as np
import onnx
from onnx import TensorProto, helper

from tests.corpus.corpus import case
from tests.corpus.workspace import Workspace

SCHEMA_KEY = "studio.schema"


def predict(ws: Workspace, model: object, rows: object | None = None) -> list[str]:
    return ["predict", str(model), str(rows if rows is not None else ws.source_rows)]


def tampered(ws: Workspace, edit) -> list[str]:
    """The shared model with its metadata changed by ``edit(props: dict) -> None``."""
    proto = onnx.load(str(ws.model))
    props = {p.key: p.value for p in proto.metadata_props}
    edit(props)
    del proto.metadata_props[:]
    onnx.helper.set_model_props(proto, props)
    path = ws.cwd / "model.onnx"
    onnx.save_model(proto, str(path))
    return predict(ws, path)


def schema_edit(change):
    """An ``edit`` for :func:`tampered` that changes the parsed studio schema."""

    def edit(props: dict) -> None:
        body = json.loads(props[SCHEMA_KEY])
        change(body)
        props[SCHEMA_KEY] = json.dumps(body)

    return edit


def foreign_model(with_meta: dict[str, str] | None = None) -> bytes:
    """A valid ONNX graph (Identity on float32[N, 4]) made by someone else."""
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 4])
    y = helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 4])
    graph = helper.make_graph([helper.make_node("Identity", ["input"], ["output"])], "foreign", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    if with_meta:
        helper.set_model_props(model, with_meta)
    return model.SerializeToString()


# -- the model file ---------------------------------------------------------------------------------

@case("onnx/missing", "nomodel.onnx", "does not exist")
def _(ws):
    return predict(ws, ws.cwd / "nomodel.onnx")


@case("onnx/folder", "folder")
def _(ws):
    (ws.cwd / "model.onnx").mkdir()
    return predict(ws, ws.cwd / "model.onnx")


@case("onnx/empty", "model.onnx")
def _(ws):
    return predict(ws, ws.write("model.onnx", b""))


@case("onnx/text-file", "model.onnx", "ONNX")
def _(ws):
    return predict(ws, ws.write("model.onnx", "this is not a model\n"))


@case("onnx/csv-given-as-model", "rows.csv")
def _(ws):
    rows = ws.write("rows.csv", ws.source_rows.read_bytes())
    return predict(ws, rows, rows)


@case("onnx/random-bytes", "model.onnx")
def _(ws):
    return predict(ws, ws.write("model.onnx", np.random.default_rng(1).bytes(5000)))


@case("onnx/truncated-half", "model.onnx")
def _(ws):
    data = ws.model.read_bytes()
    return predict(ws, ws.write("model.onnx", data[: len(data) // 2]))


@case("onnx/truncated-tail", "model.onnx")
def _(ws):
    data = ws.model.read_bytes()
    return predict(ws, ws.write("model.onnx", data[:-7]))


@case("onnx/foreign-no-metadata", "Training Studio")
def _(ws):
    return predict(ws, ws.write("model.onnx", foreign_model()))


@case("onnx/foreign-other-metadata", "Training Studio")
def _(ws):
    return predict(ws, ws.write("model.onnx", foreign_model({"author": "someone", "task": "classification"})))


@case("onnx/foreign-with-studio-key", "model.onnx")
def _(ws):
    return predict(ws, ws.write("model.onnx", foreign_model({SCHEMA_KEY: "{}"})))


@case("onnx/metadata-not-json", "metadata")
def _(ws):
    return tampered(ws, lambda props: props.update({SCHEMA_KEY: "{columns: oops"}))


@case("onnx/metadata-empty-object", "metadata")
def _(ws):
    return tampered(ws, lambda props: props.update({SCHEMA_KEY: "{}"}))


@case("onnx/metadata-array", "metadata")
def _(ws):
    return tampered(ws, lambda props: props.update({SCHEMA_KEY: "[1, 2, 3]"}))


@case("onnx/metadata-deeply-nested", "metadata")
def _(ws):
    return tampered(ws, lambda props: props.update({SCHEMA_KEY: "[" * 100_000 + "]" * 100_000}))


@case("onnx/metadata-lacks-columns", "metadata", "columns")
def _(ws):
    return tampered(ws, schema_edit(lambda body: body.pop("columns")))


@case("onnx/metadata-lacks-task", "metadata", "task")
def _(ws):
    return tampered(ws, schema_edit(lambda body: body.pop("task")))


@case("onnx/metadata-unknown-field", "metadata", "colour")
def _(ws):
    return tampered(ws, schema_edit(lambda body: body.update({"colour": "blue"})))


@case("onnx/metadata-columns-not-list", "metadata", "columns")
def _(ws):
    return tampered(ws, schema_edit(lambda body: body.update({"columns": "x,size"})))


@case("onnx/metadata-column-lacks-name", "metadata")
def _(ws):
    return tampered(ws, schema_edit(lambda body: body["columns"][0].pop("name")))


@case("onnx/metadata-no-class-labels", "metadata", "class_labels")
def _(ws):
    return tampered(ws, schema_edit(lambda body: body.update({"class_labels": None})))


@case("onnx/metadata-output-renamed", "model.onnx")
def _(ws):
    return tampered(ws, schema_edit(lambda body: body.update({"output": "scores"})))


@case("onnx/metadata-extra-column", "model.onnx")
def _(ws):
    def add(body: dict) -> None:
        body["columns"].append({"name": "extra", "type": "numeric", "input": "numeric", "index": 2})

    return tampered(ws, schema_edit(add))


# -- the rows to predict ----------------------------------------------------------------------------

def rows_argv(ws: Workspace, content: bytes | str, name: str = "rows.csv") -> list[str]:
    return predict(ws, ws.model, ws.write(name, content))


@case("rows/missing-file", "norows.csv", "does not exist")
def _(ws):
    return predict(ws, ws.model, ws.cwd / "norows.csv")


@case("rows/folder", "folder")
def _(ws):
    (ws.cwd / "rows").mkdir()
    return predict(ws, ws.model, ws.cwd / "rows")


@case("rows/empty", "empty")
def _(ws):
    return rows_argv(ws, b"")


@case("rows/header-only", "no rows")
def _(ws):
    return rows_argv(ws, "x,size,color,when\n")


@case("rows/binary", "not a text file")
def _(ws):
    return rows_argv(ws, bytes(range(256)) * 20)


@case("rows/utf16", "not a text file")
def _(ws):
    return rows_argv(ws, ws.source_rows.read_text().encode("utf-16"))


@case("rows/missing-column", "size")
def _(ws):
    return rows_argv(ws, ws.rows().drop(columns=["size"]).to_csv(index=False))


@case("rows/missing-date-column", "when")
def _(ws):
    return rows_argv(ws, ws.rows().drop(columns=["when"]).to_csv(index=False))


@case("rows/other-columns-entirely", "x", "size")
def _(ws):
    return rows_argv(ws, "a,b,c\n1,2,3\n4,5,6\n")


@case("rows/text-in-numeric-column", "x", "abc")
def _(ws):
    return rows_argv(ws, ws.rows().assign(x="abc").to_csv(index=False))


@case("rows/huge-text-in-numeric-column", "x", "characters")
def _(ws):
    rows = ws.rows().head(3).astype({"x": object})
    rows.loc[rows.index[0], "x"] = "z" * 10_000_000
    return rows_argv(ws, rows.to_csv(index=False))


@case("rows/ragged", "same number of fields")
def _(ws):
    lines = ws.source_rows.read_text().splitlines()
    lines[2] += ",9,9,9"
    return rows_argv(ws, "\n".join(lines) + "\n")


@case("rows/single-column", "x", "size")
def _(ws):
    return rows_argv(ws, "x\n1\n2\n")


@case("rows/blank", "blank")
def _(ws):
    return rows_argv(ws, "\n\n   \n")


@case("rows/date-not-a-date", "when", "date")
def _(ws):
    return rows_argv(ws, ws.rows().assign(when="soon").to_csv(index=False))
