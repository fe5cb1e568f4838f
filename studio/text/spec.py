"""A fitted tokenizer as data: the rules that turn a raw string into token ids, the same in Python
and inside the ONNX graph (studio/export/text_front.py builds the graph from this spec alone).

The word and character tokenizers are defined by splitting, because that is what standard ONNX
operators can do (``StringNormalizer``, ``StringSplit``, ``LabelEncoder``; there is no regex
replace or substring operator):

1. missing (None/NaN) is the empty string; ``lowercase`` applies ``str.lower`` (the graph's
   ``StringNormalizer(LOWER, locale="C.UTF-8")``; the two differ only on a few letters such as "İ");
2. the text is split on every ``drop`` character (whitespace), which is removed;
3. each piece is split on every ``keep`` character, which stays as a token of its own
   (punctuation for words; every character of the vocabulary for characters);
4. empty pieces are dropped; each token maps to its id (``vocab[i]`` is id ``i + FIRST_ID``), an
   unknown one to ``UNK``; the ids are cut to ``max_length`` and padded with ``PAD``.

So "Not good!" with drop=[" "] and keep=["!"] is ["not", "good", "!"]. A run of characters that is
in neither list and not in the vocabulary (a character tokenizer meeting an unseen character) is
one unknown token, in Python and in the graph alike.

Subword tokenizers (``bpe``, ``wordpiece``) are the ``tokenizers`` library's, saved as its JSON in
``subword``, with its special tokens "[PAD]" and "[UNK]" at ids ``PAD`` and ``UNK``: its ids are the
spec's ids (``vocab`` lists the tokens of ids ``FIRST_ID`` on). They cannot be written in standard
operators, so their ONNX file takes token ids.

A very long cell (a 1 MB paste) is not split whole when its start already holds ``max_length``
tokens: :meth:`TokenizerSpec.ids` tokenizes the text up to a whitespace boundary near
``HEAD_CHARS_PER_TOKEN x max_length`` characters, and the whole text only when that start is short
of tokens, so the ids are exactly those of the whole text at a bounded cost.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PAD = 0
UNK = 1
FIRST_ID = 2
KINDS = ("word", "char", "bpe", "wordpiece")
IN_GRAPH = ("word", "char")  # the kinds the ONNX file tokenizes itself, from raw strings
HEAD_CHARS_PER_TOKEN = 64  # characters of a long cell tokenized first, per token kept
HEAD_MIN_CHARS = 4096


def as_text(value: Any) -> str:
    """A cell as text: None, NaN and pandas' NA are the empty string; a whole float is written as an
    integer (a CSV's "12" in a column with a gap is read as 12.0: its text is still "12"); anything
    else ``str()``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    try:
        import pandas as pd

        if value is pd.NA:
            return ""
    except ImportError:  # pragma: no cover
        pass
    return value if isinstance(value, str) else str(value)


@dataclass
class TokenizerSpec:
    kind: str                      # "word" | "char" | "bpe" | "wordpiece"
    lowercase: bool
    drop: list[str]                # single characters split on and removed
    keep: list[str]                # single characters split on and kept as tokens
    vocab: list[str]               # id i + FIRST_ID; PAD and UNK are not in it
    max_length: int
    subword: str | None = None     # the tokenizers library's JSON (bpe, wordpiece)
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @property
    def vocab_size(self) -> int:
        """Ids run 0..vocab_size-1 (PAD and UNK included): an embedding's number of rows."""
        return len(self.vocab) + FIRST_ID

    @property
    def in_graph(self) -> bool:
        return self.kind in IN_GRAPH

    def tokens(self, text: Any) -> list[str]:
        """The tokens of one cell (before the vocabulary and ``max_length``)."""
        s = as_text(text)
        if self.subword is not None:
            return self._subword().encode(s).tokens
        if self.lowercase:
            s = s.lower()
        if self._pattern is None:
            drop = "".join(re.escape(c) for c in self.drop)
            keep = "".join(re.escape(c) for c in self.keep)
            parts = ([f"[{drop}]+"] if drop else []) + ([f"([{keep}])"] if keep else [])
            self._pattern = re.compile("|".join(parts)) if parts else re.compile(r"(?!)")
        return [t for t in self._pattern.split(s) if t]

    def ids(self, text: Any) -> list[int]:
        """The ids of one cell, cut to ``max_length`` (no padding)."""
        s = as_text(text)
        head = self._head(s)
        if head is not None:
            ids = self._all_ids(head)
            if len(ids) >= self.max_length:  # the head's tokens are the first tokens of the whole text
                return ids[: self.max_length]
        return self._all_ids(s)[: self.max_length]

    def _all_ids(self, s: str) -> list[int]:
        if self.subword is not None:
            return list(self._subword().encode(s).ids)  # "[PAD]", "[UNK]" are ids 0 and 1
        if not self._index:
            self._index = {t: i + FIRST_ID for i, t in enumerate(self.vocab)}
        index = self._index
        return [index.get(t, UNK) for t in self.tokens(s)]

    def _head(self, s: str) -> str | None:
        """The start of a long ``s`` up to a whitespace character where tokens surely end, or None.

        Whitespace is a boundary when the split removes it or keeps it as a token (for subwords: the
        pre-tokenizer splits on it); lowercasing, and Greek's final sigma, read the same up to it.
        """
        limit = max(HEAD_MIN_CHARS, HEAD_CHARS_PER_TOKEN * self.max_length)
        if len(s) <= limit:
            return None
        bounds = None if self.subword is not None else {c for c in (*self.drop, *self.keep) if c.isspace()}
        for i in range(limit, limit // 2, -1):
            c = s[i]
            if c.isspace() and (bounds is None or c in bounds):
                return s[:i]
        return None

    def encode(self, texts: Iterable[Any]) -> np.ndarray:
        """int64 (n, max_length): each cell's ids, padded with PAD."""
        rows = [self.ids(t) for t in texts]
        out = np.full((len(rows), self.max_length), PAD, dtype=np.int64)
        for i, row in enumerate(rows):
            out[i, : len(row)] = row
        return out

    def _subword(self) -> Any:
        from tokenizers import Tokenizer

        cached = getattr(self, "_tok", None)
        if cached is None:
            cached = Tokenizer.from_str(self.subword)
            object.__setattr__(self, "_tok", cached)
        return cached

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "lowercase": self.lowercase, "drop": self.drop, "keep": self.keep,
                "vocab": self.vocab, "max_length": self.max_length, "subword": self.subword}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TokenizerSpec:
        kind = str(raw["kind"])
        if kind not in KINDS:
            raise ValueError(f"unknown tokenizer kind {kind!r}")
        return cls(kind, bool(raw["lowercase"]), [str(c) for c in raw["drop"]], [str(c) for c in raw["keep"]],
                   [str(t) for t in raw["vocab"]], int(raw["max_length"]), raw.get("subword"))
