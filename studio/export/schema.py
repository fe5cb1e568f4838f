"""What an exported model expects and returns, stored as JSON strings in the ONNX model metadata.

This module imports neither torch nor onnx: ``predict.py`` reads the schema back from an
onnxruntime session on a machine that has only onnxruntime, numpy and pandas.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from studio.errors import ExportError

NUMERIC_INPUT = "numeric"
CATEGORICAL_INPUT = "categorical"
MISSING_CATEGORY = ""  # what a missing categorical value is fed as (NaN cannot live in a string tensor)
SCHEMA_KEY = "studio.schema"


@dataclass(frozen=True)
class ColumnSpec:
    """One raw input column: where it goes in the graph and what values it takes.

    Attributes:
        input: the graph input that carries it, "numeric" (float32, NaN = missing) or "categorical" (string).
        index: its position along axis 1 of that input.
        categories: categorical only: the values seen in training, in one-hot order; any other value
            (including "" for missing, unless ``fill`` says otherwise) encodes as all zeros.
        fill: categorical only: the category a missing value is replaced with (fitted imputation).
        grouped: categorical only: rare categories that all set one shared last "other" indicator.
    """

    name: str
    type: str
    input: str
    index: int
    categories: list[str] | None = None
    fill: str | None = None
    grouped: list[str] | None = None


@dataclass(frozen=True)
class ModelSchema:
    """Inputs, outputs and provenance of an exported run; round-trips through ONNX metadata_props."""

    columns: list[ColumnSpec]
    task: str
    target: str
    class_labels: list[str] | None
    output: str
    output_meaning: str
    studio_version: str
    recipe_digest: str
    recipe_name: str
    preprocessing: list[str] = field(default_factory=list)
    derived: dict[str, list[str]] = field(default_factory=dict)  # date column -> features made from it

    @property
    def numeric(self) -> list[ColumnSpec]:
        return [c for c in self.columns if c.input == NUMERIC_INPUT]

    @property
    def categorical(self) -> list[ColumnSpec]:
        return [c for c in self.columns if c.input == CATEGORICAL_INPUT]

    def input_shapes(self) -> dict[str, str]:
        """Human-readable input declarations, e.g. ``{"numeric": "float32[batch, 30]"}``."""
        out = {}
        if self.numeric:
            out[NUMERIC_INPUT] = f"float32[batch, {len(self.numeric)}]"
        if self.categorical:
            out[CATEGORICAL_INPUT] = f"string[batch, {len(self.categorical)}]"
        return out

    def to_metadata(self) -> dict[str, str]:
        """ONNX ``metadata_props`` (str -> str): one JSON schema plus a few flat keys for other tools."""
        body = asdict(self)
        return {
            SCHEMA_KEY: json.dumps(body),
            "input_columns": json.dumps([{"name": c.name, "type": c.type, "input": c.input,
                                          "index": c.index,
                                          "categories": (c.categories or []) + (c.grouped or [])
                                          if c.input == CATEGORICAL_INPUT else None}
                                         for c in self.columns]),
            "inputs": json.dumps(self.input_shapes()),
            "class_labels": json.dumps(self.class_labels),
            "task": self.task,
            "target": self.target,
            "output": json.dumps({"name": self.output, "meaning": self.output_meaning}),
            "studio_version": self.studio_version,
            "recipe_digest": self.recipe_digest,
            "preprocessing": json.dumps(self.preprocessing),
        }

    @classmethod
    def from_metadata(cls, props: dict[str, str], where: str = "the model") -> ModelSchema:
        raw = props.get(SCHEMA_KEY)
        if raw is None:
            raise ExportError(
                f"{where} has no {SCHEMA_KEY!r} metadata; it was not exported by Training Studio, "
                "export the run again with `studio export RUN_DIR`."
            )
        body: dict[str, Any] = json.loads(raw)
        body["columns"] = [ColumnSpec(**c) for c in body["columns"]]
        return cls(**body)
