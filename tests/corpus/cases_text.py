"""Text columns a person might hand the studio: an empty one read as text, tokenize steps that name
the wrong column (issue #10's bad inputs that reach the command line)."""

from __future__ import annotations

from tests.corpus.cases_csv import train_on
from tests.corpus.corpus import case
from tests.corpus.workspace import TARGET, mixed_frame

GOOD = mixed_frame()
STEPS = [{"kind": "impute"}, {"kind": "one_hot"}, {"kind": "scale"}]


def _data(**extra: object) -> dict[str, object]:
    return {"source": "csv:bad.csv", "target": TARGET, **extra}


def _with_text(ws, **changes: object) -> list[str]:
    frame = GOOD.assign(note=[f"the note of row {i} says it {'works' if i % 2 else 'fails'}" for i in range(len(GOOD))])
    return train_on(ws, frame.to_csv(index=False), **changes)


@case("csv/text-column-all-empty", "note", "empty")
def _(ws):
    return train_on(ws, GOOD.assign(note="").to_csv(index=False), data=_data(columns={"note": "text"}))


@case("recipe/tokenize-a-number-column", "size", "not text")
def _(ws):
    return _with_text(ws, preprocessing=[*STEPS, {"kind": "tokenize", "columns": ["size"]}])


@case("recipe/tokenize-an-unknown-column", "review", "not a text column")
def _(ws):
    return _with_text(ws, preprocessing=[*STEPS, {"kind": "tokenize", "columns": ["review"]}])


@case("recipe/tokenize-a-column-twice", "note", "names too")
def _(ws):
    steps = [{"kind": "tokenize", "columns": ["note"]}, {"kind": "tokenize", "columns": ["note"], "tokenizer": "char"}]
    return _with_text(ws, preprocessing=[*STEPS, *steps])


@case("recipe/tokenize-vocab-size-zero", "vocab_size")
def _(ws):
    return _with_text(ws, preprocessing=[*STEPS, {"kind": "tokenize", "vocab_size": 0}])
