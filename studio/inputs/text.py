"""The text input: one text column's token ids, from a tokenizer fit on the training rows.

The tensor is int64 (n, max_length), ``PAD`` (0) after the last token; the network's first block
(an embedding) looks the ids up, so the input has no front of its own. The ONNX file tokenizes raw
strings itself for word and character tokenizers (studio/export/text_front.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from studio.inputs.base import FittedInput, register
from studio.text.fit import fit_tokenizer
from studio.text.params import TokenizeParams
from studio.text.spec import TokenizerSpec


def token_shape(length: int, vocab: int) -> tuple[int, ...]:
    """One sample's shape: ``Tokens(length, vocab=vocab)`` (studio/blocks/base.py), which carries the
    vocabulary to the embedding."""
    from studio.blocks.base import Tokens

    return Tokens(length, vocab=vocab)


@register
@dataclass
class TextInput(FittedInput):
    """Token ids of ``column``: ``spec.encode(frame[column])``, int64 (n, spec.max_length)."""

    kind = "text"
    name: str
    column: str
    spec: TokenizerSpec

    @property
    def shape(self) -> tuple[int, ...]:  # type: ignore[override]
        return token_shape(self.spec.max_length, self.spec.vocab_size)

    @classmethod
    def fit(cls, column: str, train: pd.DataFrame, options: TokenizeParams) -> tuple[TextInput, list[str]]:
        """The tokenizer of ``column`` fit on the training rows ``train``, and its notes."""
        spec, notes = fit_tokenizer(train[column], options, column)
        return cls(column, column, spec), notes

    def arrays(self, table: Any, frame: pd.DataFrame) -> np.ndarray:
        return self.encode(frame[self.column])

    def encode(self, texts: Any) -> np.ndarray:
        """int64 (n, max_length) ids of raw texts (missing is the empty text: all PAD)."""
        return self.spec.encode(texts)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "column": self.column, "spec": self.spec.to_dict()}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TextInput:
        return cls(str(raw["name"]), str(raw["column"]), TokenizerSpec.from_dict(raw["spec"]))
