"""fit_tokenizer: the split rules, vocabulary and length of word, char, bpe and wordpiece tokenizers,
fit on training texts only, and the bad inputs of issue #10 (empty, NaN, emoji, CJK, right-to-left,
a 1 MB cell, numbers, a vocabulary of one, unseen tokens)."""

from __future__ import annotations

import json
import time
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from studio.errors import DataError
from studio.text.fit import fit_tokenizer
from studio.text.params import TokenizeParams
from studio.text.spec import PAD, UNK, TokenizerSpec

KINDS = ["word", "char", "bpe", "wordpiece"]
TEXTS = pd.Series(["Not good!", "Great, never disappointing.", None, float("nan"), "",
                   "I expected it to be bad but it was great", "it is good", "it is not good at all"] * 5)


def fit(texts, column: str = "review", **options):
    return fit_tokenizer(pd.Series(texts), TokenizeParams(**options), column)


def test_word_rules_lowercase_split_on_spaces_and_punctuation_kept() -> None:
    spec, notes = fit(TEXTS)
    assert spec.kind == "word" and spec.lowercase
    assert spec.tokens("Not good!") == ["not", "good", "!"]
    assert {" ", "\t", "\n", "\r", "\xa0", "\u3000"} <= set(spec.drop)
    assert spec.keep == ["!", ",", "."]  # the punctuation seen in training, nothing else
    assert spec.vocab[:3] == ["it", "good", "not"]  # most frequent first
    ids = spec.ids("not good, zebra")
    assert ids == [spec.vocab.index("not") + 2, spec.vocab.index("good") + 2, spec.vocab.index(",") + 2, UNK]
    assert any("word tokens, a vocabulary of" in n for n in notes)


def test_vocabulary_ties_follow_first_appearance_and_options_cap_it() -> None:
    spec, _ = fit(["b a", "a b", "c"])
    assert spec.vocab == ["b", "a", "c"]  # b and a twice each: b came first
    assert fit(["b a", "a b", "c"], min_frequency=2)[0].vocab == ["b", "a"]
    assert fit(["b a", "a b", "c"], vocab_size=1)[0].vocab == ["b"]


def test_default_length_is_the_95th_percentile_at_least_1_and_at_most_512() -> None:
    texts = [" ".join(["w"] * n) for n in range(1, 101)]
    assert fit(texts)[0].max_length == 96  # ceil(np.percentile(1..100, 95) = 95.05)
    assert fit(["", "", "a"])[0].max_length == 1
    assert fit([" ".join(["w"] * 2000)] * 3)[0].max_length == 512
    assert fit(texts, max_length=7)[0].max_length == 7


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_encodes_pads_round_trips_and_is_deterministic(kind: str) -> None:
    spec, _ = fit(TEXTS, tokenizer=kind, vocab_size=60)
    again, _ = fit(TEXTS, tokenizer=kind, vocab_size=60)
    assert json.dumps(spec.to_dict()) == json.dumps(again.to_dict())  # same data, same tokenizer
    x = spec.encode(TEXTS)
    assert x.dtype == np.int64 and x.shape == (len(TEXTS), spec.max_length)
    assert (x[2] == PAD).all() and (x[3] == PAD).all() and (x[4] == PAD).all()  # None, NaN, "" are empty
    assert x.max() < spec.vocab_size and x[0, 0] >= 2
    back = TokenizerSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert np.array_equal(back.encode(TEXTS), x) and back.vocab_size == spec.vocab_size


@pytest.mark.parametrize("kind", ["bpe", "wordpiece"])
def test_subword_ids_are_the_library_ids_with_pad_and_unk_first(kind: str) -> None:
    from tokenizers import Tokenizer

    spec, _ = fit(TEXTS, tokenizer=kind, vocab_size=60)
    tok = Tokenizer.from_str(spec.subword)
    assert tok.token_to_id("[PAD]") == PAD and tok.token_to_id("[UNK]") == UNK
    assert tok.get_vocab_size() == spec.vocab_size
    assert spec.ids("Not good") == tok.encode("Not good").ids  # lowercased by the saved tokenizer too
    assert UNK in spec.ids("ǂǂǂ 🦜")  # characters never seen are unknown


def test_char_keeps_the_space_as_a_token_and_reads_unseen_runs_as_one_unknown() -> None:
    spec, _ = fit(["ab ba", "abc"], tokenizer="char")
    assert spec.tokens("ab a") == ["a", "b", " ", "a"] and " " not in spec.drop
    assert spec.ids("a zz b") == [spec.vocab.index("a") + 2, spec.vocab.index(" ") + 2, UNK,
                                  spec.vocab.index(" ") + 2, spec.vocab.index("b") + 2]


def test_emoji_and_symbols_are_tokens_of_their_own() -> None:
    spec, _ = fit(["love it 😍😍", "hate it 😡", "ok"])
    assert spec.tokens("love it😍") == ["love", "it", "😍"]
    assert "😍" in spec.vocab and spec.ids("😡")[0] >= 2


def test_right_to_left_text_and_direction_marks() -> None:
    texts = ["המוצר הזה טוב מאוד", "هذا المنتج \u200fسيء", "זה לא טוב"]
    spec, _ = fit(texts)
    assert spec.tokens("המוצר הזה טוב") == ["המוצר", "הזה", "טוב"]
    assert "\u200f" in spec.drop and spec.tokens("المنتج \u200fسيء") == ["المنتج", "سيء"]
    assert UNK not in spec.ids("זה לא טוב")


def test_marks_stay_inside_words() -> None:
    spec, _ = fit(["यह अच्छा है", "यह बुरा है"])  # Devanagari vowel signs are marks, not punctuation
    assert spec.tokens("यह अच्छा है") == ["यह", "अच्छा", "है"] and spec.keep == []


def test_cjk_without_spaces_is_read_character_by_character_with_a_note() -> None:
    spec, notes = fit(["这个产品很好", "我不喜欢这个产品", "质量很差"])
    assert spec.kind == "char" and spec.tokens("很好") == ["很", "好"]
    assert any("mostly Chinese or Japanese text" in n and "character by character" in n for n in notes)
    word, _ = fit(["the product is good", "很好 but ok"])  # a little CJK in a spaced language: words
    assert word.kind == "word"


def test_a_vocabulary_of_one_token_and_unseen_tokens_work() -> None:
    spec, _ = fit(["good"] * 10)
    assert spec.vocab == ["good"] and spec.vocab_size == 3 and spec.max_length == 1
    assert spec.encode(["good", "bad", "", None]).tolist() == [[2], [UNK], [PAD], [PAD]]


def test_numbers_are_text() -> None:
    spec, _ = fit([12, 7.5, 3.0, float("nan")])
    assert spec.vocab == ["12", "7", ".", "5", "3"]  # a decimal point is punctuation, as in any text
    assert spec.ids(3.0) == spec.ids("3") == [6]  # 3.0 (a CSV's "3" in a column with a gap) is "3"


@pytest.mark.parametrize("texts", [["", "  ", None], [float("nan")] * 5, []])
def test_an_all_empty_column_is_a_clear_error(texts) -> None:
    with pytest.raises(DataError, match=r"text column 'review' is empty or missing in all \d+ training rows; fill it"):
        fit(texts)


@pytest.mark.parametrize("kind", KINDS)
def test_a_1mb_cell_is_cut_with_a_note_and_encodes_quickly(kind: str) -> None:
    big = "good product " * 80_000  # 1 MB
    tracemalloc.start()
    started = time.perf_counter()
    spec, notes = fit([big, "bad product", "good"], tokenizer=kind)
    x = spec.encode([big] * 20)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert any("longer than 32,768 characters was read only up to there" in n for n in notes)
    assert x.shape == (20, spec.max_length) and (x != PAD).all()
    assert peak < 64 * 2**20 and seconds < 10  # not a blow-up: tens of MB at most


@pytest.mark.parametrize("kind", KINDS)
def test_the_head_of_a_long_cell_gives_exactly_the_ids_of_the_whole(kind: str) -> None:
    spec, _ = fit(["a b c, d!", "ΟΔΟΣ είναι καλή", "x y"], tokenizer=kind, max_length=5)
    rng = np.random.default_rng(0)
    words = ["a", "b", "c,", "d!", "ΟΔΟΣ", "καλή", "zz", " ", "\t"]
    for n in (100, 2000, 5000):
        text = " ".join(rng.choice(words, n))
        assert spec.ids(text) == spec._all_ids(text)[:5]
    odd = "a" * 9000 + " b"  # no whitespace in the head: the whole text is read
    assert spec.ids(odd) == spec._all_ids(odd)[:5]
