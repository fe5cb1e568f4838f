"""Fit a text column's tokenizer on the training split: its split rules, vocabulary and length.

``fit_tokenizer(texts, options, column) -> (TokenizerSpec, notes)``:

- **word**: lowercase (an option), split on whitespace (``drop``: the usual spaces, tabs and line
  breaks, and any other space or invisible mark such as a right-to-left mark seen in training),
  every other non-letter, non-digit character seen in training is a token of its own (``keep``:
  punctuation, symbols, emoji). Chinese or Japanese text without spaces is read character by
  character instead, with a note (a whole sentence would otherwise be one unknown "word").
- **char**: every character is a token; the plain space is one too (it marks word boundaries),
  other whitespace is dropped; ``keep`` is the vocabulary's characters.
- **bpe** and **wordpiece**: subwords learnt with the ``tokenizers`` library, PAD and UNK at ids
  0 and 1. ``tokenizers``' own WordPiece trainer is not deterministic (its ties follow a hash
  order), so a WordPiece vocabulary is read off a BPE segmentation of the training words (the
  first piece of a word as is, the others with "##"), which is.

The vocabulary is the most frequent tokens (ties by first appearance) seen at least
``min_frequency`` times, at most ``vocab_size``; ``max_length`` defaults to the training texts'
95th percentile of token counts (at least 1, at most 512). A cell is read up to
``64 x max_length`` characters (a 1 MB cell costs no more than a long sentence), with a note.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from studio.errors import DataError, quote
from studio.text.params import MAX_LENGTH, TokenizeParams
from studio.text.spec import PAD, UNK, TokenizerSpec, as_text

CHARS_PER_TOKEN = 64  # characters read per cell: this many per token of max_length
PERCENTILE = 95
SPACES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\xa0", "\u3000"]  # always split on (word and char)
INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e"
                      "\u2066\u2067\u2068\u2069\u180e\u061c")  # zero-width and direction marks
CJK_SHARE = 0.3  # letters that are Chinese/Japanese characters from which a column has no word spaces
SPECIALS = ["[PAD]", "[UNK]"]  # ids PAD and UNK of a subword tokenizer


def fit_tokenizer(texts: pd.Series | Iterable[Any], options: TokenizeParams, column: str) -> \
        tuple[TokenizerSpec, list[str]]:
    """The tokenizer of ``column`` fit on ``texts`` (the training rows only) and notes on what was decided.

    Raises:
        DataError: every training text of the column is empty or missing.
    """
    notes: list[str] = []
    limit = (options.max_length or MAX_LENGTH) * CHARS_PER_TOKEN
    cells = [as_text(t) for t in texts]
    long = sum(len(c) > limit for c in cells)
    if long:
        cells = [c[:limit] for c in cells]
        notes.append(f"{_count(long, 'text')} of {quote(column, 30)} longer than {limit:,} characters "
                     f"{'was' if long == 1 else 'were'} read only up to there to fit the tokenizer (at most "
                     f"{options.max_length or MAX_LENGTH} tokens are kept)")
    if not any(c.strip() for c in cells):
        raise DataError(f"text column {quote(column, 30)} is empty or missing in all {len(cells)} training rows; "
                        "fill it or set it to 'ignore' in data.columns")
    if options.lowercase:
        cells = [c.lower() for c in cells]
    kind = options.tokenizer
    if kind == "word" and _cjk_share(cells) >= CJK_SHARE:
        kind = "char"
        notes.append(f"{quote(column, 30)} is mostly Chinese or Japanese text, which has no spaces between words, "
                     "so it is read character by character (tokenizer 'char')")
    if kind in ("bpe", "wordpiece"):
        spec, counts = _subword(kind, cells, options)
    else:
        spec, counts = _split(kind, cells, options)
    spec.max_length = options.max_length or default_length(counts)
    known = spec.vocab_size - 2
    notes.append(f"{quote(column, 30)}: {kind} tokens, a vocabulary of {known:,} (+ padding and unknown), "
                 f"{spec.max_length} tokens per text ({_length_source(options, counts, spec.max_length)})")
    return spec, notes


def default_length(counts: list[int]) -> int:
    """The 95th percentile of the training texts' token counts, at least 1 and at most MAX_LENGTH."""
    if not counts:
        return 1
    return int(min(MAX_LENGTH, max(1, math.ceil(float(np.percentile(counts, PERCENTILE))))))


def _length_source(options: TokenizeParams, counts: list[int], length: int) -> str:
    if options.max_length is not None:
        return "as set"
    cut = sum(c > length for c in counts)
    return f"the {PERCENTILE}th percentile of the training texts; {cut:,} of {len(counts):,} are cut"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _cjk(c: str) -> bool:
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3040 <= o <= 0x30FF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x2FFFF)


def _cjk_share(cells: list[str]) -> float:
    """Share of the letters (in a sample of the cells) that are Chinese characters or Japanese kana."""
    letters = cjk = 0
    for cell in cells[:2000]:
        for c in cell[:2000]:
            if c.isalpha():
                letters += 1
                cjk += _cjk(c)
    return cjk / letters if letters else 0.0


def _word_char(c: str) -> bool:
    """Letters, digits and marks (the vowel signs of many scripts) make up words."""
    return unicodedata.category(c)[0] in "LNM"


def _split(kind: str, cells: list[str], options: TokenizeParams) -> tuple[TokenizerSpec, list[int]]:
    """A word or character tokenizer: the split characters from what training shows, then the vocabulary."""
    seen: set[str] = set()
    for cell in cells:
        seen.update(cell)
    extra = sorted(c for c in seen if c not in SPACES and (c.isspace() or c in INVISIBLE))
    drop = [*SPACES, *extra]
    if kind == "char":
        drop.remove(" ")  # a space is a character token: it marks where words end
        counter: Counter[str] = Counter()
        for cell in cells:
            counter.update(cell)  # keys in order of first appearance: ties stay in that order
        for c in drop:
            counter.pop(c, None)
        vocab = _vocabulary(counter, options)
        spec = TokenizerSpec("char", options.lowercase, drop, list(vocab), vocab, 1)
        return spec, [len(spec.tokens(c)) for c in cells]
    keep = sorted(c for c in seen if c not in drop and not c.isspace() and not _word_char(c))
    spec = TokenizerSpec("word", options.lowercase, drop, keep, [], 1)
    words: Counter[str] = Counter()
    counts = []
    for cell in cells:
        tokens = spec.tokens(cell)
        words.update(tokens)
        counts.append(len(tokens))
    spec.vocab = _vocabulary(words, options)
    spec._index = {}
    return spec, counts


def _vocabulary(counter: Counter[str], options: TokenizeParams) -> list[str]:
    """Most frequent first, ties in order of first appearance (Counter keeps insertion order)."""
    return [t for t, n in counter.most_common() if n >= options.min_frequency][: options.vocab_size]


def _subword(kind: str, cells: list[str], options: TokenizeParams) -> tuple[TokenizerSpec, list[int]]:
    from tokenizers import Tokenizer

    bpe = _train_bpe(cells, options)
    tok = bpe if kind == "bpe" else _wordpiece_from(bpe, cells, options)
    if tok.id_to_token(PAD) != SPECIALS[0] or tok.id_to_token(UNK) != SPECIALS[1]:  # pragma: no cover
        raise AssertionError("the subword tokenizer must keep [PAD] and [UNK] at ids 0 and 1")
    vocab = [tok.id_to_token(i) for i in range(len(SPECIALS), tok.get_vocab_size())]
    spec = TokenizerSpec(kind, options.lowercase, [], [], vocab, 1, tok.to_str())
    fresh = Tokenizer.from_str(spec.subword)  # what a reader of the run gets
    return spec, [len(e.ids) for e in fresh.encode_batch(cells)]


def _pipeline(tok: Any) -> Any:
    """Normalization and pre-tokenization shared by both subword kinds (cells are lowercased before)."""
    from tokenizers import normalizers, pre_tokenizers

    # Chinese characters become words of their own; accents stay; nothing else is changed.
    tok.normalizer = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True, strip_accents=False,
                                                lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()  # whitespace and punctuation
    return tok


def _train_bpe(cells: list[str], options: TokenizeParams) -> Any:
    from tokenizers import Tokenizer, models, trainers

    tok = _pipeline(Tokenizer(models.BPE(unk_token=SPECIALS[1])))
    trainer = trainers.BpeTrainer(vocab_size=options.vocab_size + len(SPECIALS), min_frequency=options.min_frequency,
                                  special_tokens=SPECIALS, show_progress=False)
    tok.train_from_iterator(cells, trainer)
    return _lowercasing(tok, options)


def _lowercasing(tok: Any, options: TokenizeParams) -> Any:
    """The saved tokenizer lowercases what it reads when the option says so (training cells already were)."""
    if options.lowercase:
        from tokenizers import normalizers

        tok.normalizer = normalizers.Sequence([tok.normalizer, normalizers.Lowercase()])
    return tok


def _wordpiece_from(bpe: Any, cells: list[str], options: TokenizeParams) -> Any:
    """A WordPiece tokenizer whose vocabulary is the BPE pieces of the training words: a word's first piece
    as is, the next ones as "##piece", the most frequent first; every character seen is kept both ways."""
    from tokenizers import Tokenizer, models

    pieces: Counter[str] = Counter()
    chars: dict[str, None] = {}
    for enc in bpe.encode_batch(cells):
        previous = None
        for token, word in zip(enc.tokens, enc.word_ids, strict=True):
            if token == SPECIALS[1]:
                previous = word
                continue
            pieces[token if word != previous else "##" + token] += 1
            previous = word
            for c in token:
                chars.setdefault(c)
    alphabet = [p for c in chars for p in (c, "##" + c)]
    single = set(alphabet)
    ranked = [p for p, n in pieces.most_common() if n >= options.min_frequency and p not in single]
    room = max(0, options.vocab_size - len(alphabet))
    vocab = {t: i for i, t in enumerate([*SPECIALS, *alphabet, *ranked[:room]])}
    tok = _pipeline(Tokenizer(models.WordPiece(vocab=vocab, unk_token=SPECIALS[1])))
    return _lowercasing(tok, options)
