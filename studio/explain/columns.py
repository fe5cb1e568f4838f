"""The raw input columns of a run as a person knows them, and where each sits in the model's inputs.

A person thinks of ``signup`` (a date), ``city`` (a category) and ``photo`` (a picture); the model
takes ``signup_year``, ``signup_month`` and ``signup_weekday`` among its numeric slots, one
indicator slot per category of ``city``, and the picture as its own input. Importance permutes a
raw column as one, and attributions sum its slots, so both speak of the columns a person gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RawColumn:
    """One raw input column.

    Attributes:
        name: the column as in the data ("age", "city", "signup", "image").
        kind: "numeric", "categorical", "date" (its derived parts), "image", or another input's kind.
        columns: the columns of the run's test rows that carry it (a date: its derived parts).
        input: the name of the network input it feeds ("table", or the image column's input).
        slots: positions in the table input's encoded vector (``Preprocessor.encode``); () for other inputs.
    """

    name: str
    kind: str
    columns: tuple[str, ...]
    input: str
    slots: tuple[int, ...] = ()


def raw_columns(run: Any) -> list[RawColumn]:
    """The raw columns of a :class:`~studio.runs.LoadedRun`, in the order of its inputs and slots."""
    out: list[RawColumn] = []
    for inp in run.inputs:
        if inp.kind == "table":
            out.extend(_table_columns(inp.name, inp.preprocessor.encoder, run.meta.get("derived") or {}))
        else:
            column = str(getattr(inp, "column", inp.name))
            out.append(RawColumn(column, inp.kind, (column,), inp.name))
    return out


def _table_columns(input_name: str, encoder: Any, derived: dict[str, list[str]]) -> list[RawColumn]:
    source_of = {part: src for src, parts in derived.items() for part in parts}
    slots: dict[str, list[int]] = {}
    parts: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for i, name in enumerate(encoder.numeric):
        key = source_of.get(name, name)
        slots.setdefault(key, []).append(i)
        parts.setdefault(key, []).append(name)
        kinds[key] = "date" if name in source_of else "numeric"
    start = len(encoder.numeric)
    for col in encoder.categorical:
        width = len(col.indicator_names)
        slots[col.name] = list(range(start, start + width))
        parts[col.name] = [col.name]
        kinds[col.name] = "categorical"
        start += width
    return [RawColumn(key, kinds[key], tuple(parts[key]), input_name, tuple(slots[key])) for key in slots]
