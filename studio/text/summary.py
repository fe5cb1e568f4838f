"""What the Data page shows of a text column: how long its texts are, its most frequent tokens, and a
few example rows, as plain data (the page draws them; nothing here imports a UI)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from studio.text.fit import fit_tokenizer
from studio.text.params import TokenizeParams
from studio.text.spec import as_text

SAMPLE_ROWS = 20_000  # rows read to describe a column: enough for a histogram, cheap on a big table


@dataclass
class TextColumnSummary:
    """A text column at a glance.

    Attributes:
        lengths: tokens per text (int64, one per row read; 0 for an empty text).
        top_tokens: the most frequent tokens and their counts, most frequent first.
        examples: a few texts, chosen with a seed, as they are in the data.
        empty: rows whose text is empty or missing.
        rows: rows read (at most ``SAMPLE_ROWS``, spread over the column).
        notes: what the tokenizer said (CJK read as characters, long texts cut, its length).
    """

    column: str
    lengths: np.ndarray
    top_tokens: list[tuple[str, int]]
    examples: list[str]
    empty: int
    rows: int
    notes: list[str] = field(default_factory=list)


def summarize_text(texts: pd.Series, column: str, options: TokenizeParams | None = None, top: int = 20,
                   examples: int = 5, seed: int = 0) -> TextColumnSummary:
    """Token counts, frequent tokens and examples of ``texts`` with the tokenizer ``options`` (default: words).

    Raises:
        DataError: every text is empty or missing (the sentence names the column).
    """
    options = options or TokenizeParams()
    if len(texts) > SAMPLE_ROWS:
        texts = texts.iloc[np.linspace(0, len(texts) - 1, SAMPLE_ROWS).astype(np.int64)]
    spec, notes = fit_tokenizer(texts, options.model_copy(update={"max_length": options.max_length or 512}), column)
    counts: Counter[str] = Counter()
    lengths = np.zeros(len(texts), dtype=np.int64)
    for i, text in enumerate(texts):
        tokens = spec.tokens(as_text(text)[: 512 * 64])
        counts.update(tokens)
        lengths[i] = len(tokens)
    cells = [as_text(t) for t in texts]
    filled = [i for i, c in enumerate(cells) if c.strip()]
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.choice(filled, min(examples, len(filled)), replace=False).tolist())
    return TextColumnSummary(column, lengths, counts.most_common(top), [cells[i] for i in chosen],
                             len(cells) - len(filled), len(cells), notes[:-1])
