"""Training data a person might hand the studio: empty, binary, wrongly encoded, ragged, tiny, odd targets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.corpus.corpus import case, train_argv
from tests.corpus.workspace import TARGET, Workspace, mixed_frame

GOOD = mixed_frame()


def train_on(ws: Workspace, content: bytes | str, target: str = TARGET, name: str = "bad.csv",
             **changes: object) -> list[str]:
    """Write ``content`` as the CSV of a small recipe and train it."""
    csv = ws.write(name, content)
    return train_argv(ws.recipe_for_csv(csv.name, target, **changes))


def _frame(ws: Workspace, frame: pd.DataFrame, target: str = TARGET, **changes: object) -> list[str]:
    return train_on(ws, frame.to_csv(index=False), target, **changes)


@case("csv/empty", "empty")
def _(ws):
    return train_on(ws, b"")


@case("csv/blank-lines", "blank")
def _(ws):
    return train_on(ws, "\n \n\t\n\n")


@case("csv/header-only", "no rows")
def _(ws):
    return train_on(ws, "x,size,color,label\n")


@case("csv/random-bytes", "not a text file")
def _(ws):
    return train_on(ws, np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes())


@case("csv/utf16", "not a text file", "UTF-8")
def _(ws):
    return train_on(ws, GOOD.to_csv(index=False).encode("utf-16"))


@case("csv/spreadsheet-zip", "not a text file")
def _(ws):
    return train_on(ws, b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 8, name="bad.xlsx")


@case("csv/png-image", "not a text file")
def _(ws):
    return train_on(ws, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), name="bad.png")


@case("csv/single-column", "single column")
def _(ws):
    return train_on(ws, "label\nyes\nno\n" * 20)


@case("csv/ragged-rows", "same number of fields")
def _(ws):
    rows = GOOD.to_csv(index=False).splitlines()
    rows[5] += ",1,2,3"
    return train_on(ws, "\n".join(rows) + "\n")


@case("csv/unclosed-quote", "bad.csv")
def _(ws):
    return train_on(ws, 'x,label\n1,yes\n2,"no\n3,yes\n' + "4,no\n" * 30)


@case("csv/target-typo", "lable", "label")
def _(ws):
    return _frame(ws, GOOD, target="lable")


@case("csv/target-case", "Label")
def _(ws):
    return _frame(ws, GOOD, target="Label")


@case("csv/target-all-missing", "label")
def _(ws):
    return _frame(ws, GOOD.assign(label=np.nan))


@case("csv/one-class", "single class")
def _(ws):
    return _frame(ws, GOOD.assign(label="yes"))


@case("csv/all-features-missing", "no usable feature")
def _(ws):
    return _frame(ws, pd.DataFrame({"a": [np.nan] * 60, "b": [np.nan] * 60, TARGET: ["yes", "no"] * 30}))


@case("csv/only-id-column", "no usable feature")
def _(ws):
    return _frame(ws, pd.DataFrame({"id": range(60), TARGET: ["yes", "no"] * 30}))


@case("csv/one-row", "row")
def _(ws):
    return _frame(ws, GOOD.head(1))


@case("csv/three-rows", "row")
def _(ws):
    return _frame(ws, GOOD.head(3))


@case("csv/one-row-per-class", "row")
def _(ws):
    return _frame(ws, pd.DataFrame({"x": range(12), TARGET: [f"c{i}" for i in range(12)]}))


@case("csv/all-rows-one-class-but-one", "row")
def _(ws):
    return _frame(ws, pd.DataFrame({"x": range(40), TARGET: ["a"] * 39 + ["b"]}))


@case("csv/folder-not-file", "folder")
def _(ws):
    (ws.cwd / "folder.csv").mkdir()
    return train_argv(ws.recipe_for_csv("folder.csv"))


@case("csv/missing-file", "missing.csv", "does not exist")
def _(ws):
    return train_argv(ws.recipe_for_csv("missing.csv"))


@case("csv/over-size-limit", "MB", "max_mb")
def _(ws):
    return train_on(ws, GOOD.to_csv(index=False) * 30, data={"source": "csv:bad.csv", "target": TARGET,
                                                             "options": {"max_mb": 0.01}})


@case("csv/forced-wrong-delimiter", "single column", "delimiter")
def _(ws):
    return train_on(ws, GOOD.to_csv(index=False, sep=";"),
                    data={"source": "csv:bad.csv", "target": TARGET, "options": {"delimiter": ","}})


@case("csv/regression-on-text-target", "regression")
def _(ws):
    return train_on(ws, GOOD.to_csv(index=False), data={"source": "csv:bad.csv", "target": TARGET,
                                                        "task": "regression"})


@case("csv/features-list-the-target", "target")
def _(ws):
    return train_on(ws, GOOD.to_csv(index=False), data={"source": "csv:bad.csv", "target": TARGET,
                                                        "features": ["x", TARGET]})


@case("csv/features-unknown-column", "colour")
def _(ws):
    return train_on(ws, GOOD.to_csv(index=False), data={"source": "csv:bad.csv", "target": TARGET,
                                                        "features": ["colour"]})


@case("csv/features-empty", "features")
def _(ws):
    return train_on(ws, GOOD.to_csv(index=False), data={"source": "csv:bad.csv", "target": TARGET, "features": []})


@case("csv/huge-header-name", "lable", "characters")
def _(ws):
    frame = GOOD.rename(columns={"x": "x" * 2_000_000})
    return _frame(ws, frame, target="lable")


# -- cases owned by the data reading (studio/data, branch data): the good behaviour is written here


@case("csv/huge-numbers", "x")
def _(ws):
    return _frame(ws, GOOD.assign(x=[1e308, -1e308] * 60))


@case("csv/beyond-float32", "x")
def _(ws):
    return _frame(ws, GOOD.assign(x=[1e39, 2.5] * 60))


@case("csv/nul-after-64k", "bad.csv")
def _(ws):
    text = GOOD.to_csv(index=False)
    body = text * (70_000 // len(text) + 1)
    return train_on(ws, body.encode() + b"1,2,\x00red\x00,2024-01-01,yes\n")


@case("csv/constant-regression-target", "label")
def _(ws):
    return _frame(ws, GOOD.assign(label=5.0), data={"source": "csv:bad.csv", "target": TARGET,
                                                    "task": "regression"})


@case("csv/id-codes-only-feature", "no usable feature")
def _(ws):
    """Code-like text IDs, 190 distinct in 344 rows (repeats, so not every value is unique)."""
    codes = [f"N{(i * 7) % 190}A{(i * 7) % 190 % 9}" for i in range(344)]
    return _frame(ws, pd.DataFrame({"customer": codes, TARGET: ["yes", "no"] * 172}))
