"""The options of a text column's tokenizer: the params of the ``tokenize`` preprocessing step."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from studio.registry import Params

MAX_LENGTH = 512  # the longest sequence a default (95th percentile) length may reach
MAX_LENGTH_LIMIT = 4096  # the longest a person may ask for


class TokenizeParams(Params):
    columns: list[str] = Field(
        default_factory=list,
        description="Text columns this step tokenizes; empty: every text column no other tokenize step names.",
    )
    tokenizer: Literal["word", "char", "bpe", "wordpiece"] = Field(
        "word",
        description="word: words and punctuation marks; char: single characters; bpe / wordpiece: subwords "
        "learnt on the training rows (their ONNX file takes token ids, not raw text).",
    )
    vocab_size: int = Field(
        10_000, ge=1, le=200_000,
        description="Most tokens kept in the vocabulary (the most frequent ones); the others become unknown.",
    )
    min_frequency: int = Field(
        1, ge=1, le=1_000_000,
        description="A token must appear this many times in the training rows to enter the vocabulary.",
    )
    max_length: int | None = Field(
        None, ge=1, le=MAX_LENGTH_LIMIT,
        description="Tokens kept per text (longer texts are cut, shorter ones padded); empty: the training "
        f"texts' 95th percentile, at most {MAX_LENGTH}.",
    )
    lowercase: bool = Field(True, description="Read 'Good' and 'good' as the same token.")
