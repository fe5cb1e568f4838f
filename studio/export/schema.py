"""What an exported model expects and returns, stored as JSON strings in the ONNX model metadata.

This module imports neither torch nor onnx: ``predict.py`` reads the schema back from an
onnxruntime session on a machine that has only onnxruntime, numpy and pandas.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError

from studio.errors import ExportError, quote
from studio.jsontext import load_json
from studio.registry import describe_validation_error

NUMERIC_INPUT = "numeric"
CATEGORICAL_INPUT = "categorical"
MISSING_CATEGORY = ""  # what a missing categorical value is fed as (NaN cannot live in a string tensor)
SCHEMA_KEY = "studio.schema"
TASKS = ("classification", "regression")
_FIELDS = ConfigDict(extra="forbid")  # a field this studio does not know comes from a newer one: not guessed at


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

    __pydantic_config__ = _FIELDS  # read by pydantic when it validates the metadata (not a field)


@dataclass(frozen=True)
class ImageInputSpec:
    """One image input of the graph: uint8 ``[batch, height, width, channels]``, the pictures of ``column``.

    Attributes:
        name: the graph input.
        column: the column whose values are the pictures' paths (``image`` for a folder of pictures).
        fit: how a picture of another shape was made this size ("pad": letterboxed onto
            ``background``; "crop": its centre cut out), as training did.
    """

    name: str
    column: str
    height: int
    width: int
    channels: int
    fit: str = "pad"
    background: list[int] = field(default_factory=lambda: [255, 255, 255])

    __pydantic_config__ = _FIELDS

    def declaration(self) -> str:
        return f"uint8[batch, {self.height}, {self.width}, {self.channels}]"


@dataclass(frozen=True)
class SeriesInputSpec:
    """The series input of the graph: float32 ``[batch, window, len(columns)]``, raw values of ``columns``
    (the graph standardizes them), one window of consecutive steps per row.

    Attributes:
        task: "forecast" (the output is the next ``horizon`` values of ``target``) or "classify" (the
            label at the window's last step).
        time: the column that orders a CSV's steps (None: the rows' order); ``time_kind`` "date" or
            "number"; ``step`` the regular gap between steps when fixed (seconds for dates).
    """

    name: str
    columns: list[str]
    window: int
    horizon: int
    task: str
    target: str
    time: str | None = None
    time_kind: str | None = None
    step: float | None = None

    __pydantic_config__ = _FIELDS

    def declaration(self) -> str:
        return f"float32[batch, {self.window}, {len(self.columns)}]"


@dataclass(frozen=True)
class TextInputSpec:
    """One text input of the graph: the raw strings of ``column``, string ``[batch]``, tokenized inside
    the graph; or, for a subword tokenizer (``in_graph`` False), its token ids int64 ``[batch, max_length]``
    in an input named ``<column>_ids``, with the tokenizer beside the file as ``tokenizer_file``.

    Attributes:
        tokenizer: the tokenizer kind ("word", "char", "bpe", "wordpiece").
        spec: the fitted tokenizer (``TokenizerSpec.to_dict``) when the graph takes ids, so that
            ``studio predict`` can tokenize a CSV's text column the way training did.
    """

    name: str
    column: str
    tokenizer: str
    max_length: int
    in_graph: bool
    vocab_size: int
    tokenizer_file: str | None = None
    spec: dict[str, Any] | None = None

    __pydantic_config__ = _FIELDS

    def declaration(self) -> str:
        return "string[batch]" if self.in_graph else f"int64[batch, {self.max_length}]"


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
    images: list[ImageInputSpec] = field(default_factory=list)
    series: SeriesInputSpec | None = None
    texts: list[TextInputSpec] = field(default_factory=list)

    __pydantic_config__ = _FIELDS

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
        for image in self.images:
            out[image.name] = image.declaration()
        if self.series is not None:
            out[self.series.name] = self.series.declaration()
        for text in self.texts:
            out[text.name] = text.declaration()
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
        """The schema stored by :meth:`to_metadata`; an ExportError when it is missing, damaged or foreign."""
        raw = props.get(SCHEMA_KEY)
        if raw is None:
            raise ExportError(
                f"{where} has no {SCHEMA_KEY!r} metadata; it was not exported by Training Studio, "
                "export the run again with `studio export RUN_DIR`."
            )
        body = load_json(raw, f"the {SCHEMA_KEY!r} metadata of {where}", ExportError)
        if not isinstance(body, dict):
            raise ExportError(f"the {SCHEMA_KEY!r} metadata of {where} is a JSON {type(body).__name__}, not the "
                              "object Training Studio writes; export the run again")
        try:
            schema = _adapter(cls).validate_python(body)
        except ValidationError as err:
            raise ExportError(f"the {SCHEMA_KEY!r} metadata of {where} is damaged or from another studio version "
                              f"({describe_validation_error(err)}); export the run again") from None
        problem = schema.problem()
        if problem:
            raise ExportError(f"the {SCHEMA_KEY!r} metadata of {where} is damaged ({problem}); export the run again")
        return schema

    def problem(self) -> str | None:
        """What makes this schema unusable (a field that parses but makes no sense), or None."""
        if self.task not in TASKS:
            return f"task {quote(self.task)} is neither {' nor '.join(TASKS)}"
        if self.task == "classification" and not self.class_labels:
            return "a classification without class_labels"
        if not self.columns and not self.images and self.series is None and not self.texts:
            return "no inputs"
        s = self.series
        if s is not None and (s.window < 1 or s.horizon < 1 or not s.columns or s.task not in ("forecast", "classify")):
            return f"series input {quote(s.name)} has an impossible window, horizon, task or no columns"
        odd_text = [t.name for t in self.texts if t.max_length < 1 or (not t.in_graph and not t.spec)]
        if odd_text:
            return f"text input {quote(odd_text[0])} has no length or no tokenizer"
        odd_image = [i.name for i in self.images if i.channels not in (1, 3) or min(i.height, i.width) < 1]
        if odd_image:
            return f"image input {quote(odd_image[0])} has an impossible shape"
        odd = [c.name for c in self.columns if c.input not in (NUMERIC_INPUT, CATEGORICAL_INPUT)]
        if odd:
            return f"column {quote(odd[0])} feeds an unknown input"
        return None


@functools.cache
def _adapter(cls: type) -> TypeAdapter:
    """The validator of a schema class, built once (a few milliseconds each time otherwise)."""
    return TypeAdapter(cls)
