"""The in-graph tokenizer (studio/export/text_front.py) against TokenizerSpec.encode: ids exactly equal.

Two documented differences of lowercasing are left out of the random alphabet: Python lowers "İ"
(U+0130) to "i" + a combining dot, onnxruntime to "i"; and Python writes a capital sigma at a
word's end as the final "ς", onnxruntime as "σ". Every other code point up to U+2FFFF lowers the
same in both (checked below).
"""

from __future__ import annotations

import random

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from studio.export.text_front import SEPARATOR, characters, node_count, standalone
from studio.text.spec import TokenizerSpec

LOWER_EXCEPTIONS = "\u0130\u03a3"  # "İ", "Σ"
WHITESPACE = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\u00a0", "\u3000", "\u2009"]
PUNCT = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~¡¿«»—…“”„")
EMOJI = ["😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "🤖"]
CJK = list("我爱自然语言处理日本語한국어テスト")
RTL = [*"שלוםعربيةمرحبا", "\u200f", "\u200e", "\u202b"]
LATIN = [*"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éÉöÖßçÇñÑ", "e\u0301", "ﬁ"]
WORDS = ["not", "good", "bad", "Great", "NOT", "very", "movie", "the", "a", "it's", "can't", "e-mail"]


def session(spec: TokenizerSpec) -> ort.InferenceSession:
    model = standalone(spec)
    onnx.checker.check_model(model, full_check=True)
    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def run(sess: ort.InferenceSession, texts: list[str]) -> np.ndarray:
    return sess.run(None, {"text": np.asarray(texts, dtype=object)})[0]


def hostile(rng: random.Random, n: int) -> list[str]:
    """Random texts: words, punctuation runs, emoji, CJK, right-to-left, every kind of whitespace."""
    pools = [LATIN, PUNCT, EMOJI, CJK, RTL, WHITESPACE]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.choice([0, 1, 3, 8, 20, 60])):
            kind = rng.random()
            if kind < 0.35:
                parts.append(rng.choice(WORDS))
            elif kind < 0.45:
                parts.append(rng.choice(PUNCT) * rng.randint(1, 5))
            else:
                parts.append("".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, 6))))
            parts.append(rng.choice(["", " ", "  ", "\t", "\n", " \r\n ", "\u3000"]))
        out.append("".join(parts))
    return out


def fitted(kind: str, texts: list[str], lowercase: bool, max_length: int, vocab_size: int = 60,
           drop: list[str] | None = None) -> TokenizerSpec:
    """A spec fitted the way the tokenizers are: word keeps the punctuation seen, char every character seen."""
    drop = WHITESPACE if drop is None else drop
    seen = sorted({c for t in texts for c in (t.lower() if lowercase else t)} - set(drop))
    keep = [c for c in seen if not c.isalnum()] if kind == "word" else seen
    probe = TokenizerSpec(kind, lowercase, drop, keep, [], max_length)
    counts: dict[str, int] = {}
    for t in texts:
        for tok in probe.tokens(t):
            counts[tok] = counts.get(tok, 0) + 1
    vocab = sorted(counts, key=lambda k: -counts[k])[:vocab_size]
    return TokenizerSpec(kind, lowercase, drop, keep, vocab, max_length)


def assert_same(spec: TokenizerSpec, texts: list[str], sess: ort.InferenceSession | None = None) -> None:
    sess = sess or session(spec)
    got, want = run(sess, texts), spec.encode(texts)
    bad = [i for i in range(len(texts)) if not np.array_equal(got[i], want[i])]
    assert not bad, f"{len(bad)} rows differ, first {texts[bad[0]]!r}: {got[bad[0]]} vs {want[bad[0]]}"


def test_the_docstring_example_and_padding():
    spec = TokenizerSpec("word", True, [" "], ["!"], ["not", "good", "!"], 5)
    ids = run(session(spec), ["Not good!", "good!!", "", "x not"])
    assert ids.tolist() == [[2, 3, 4, 0, 0], [3, 4, 4, 0, 0], [0, 0, 0, 0, 0], [1, 2, 0, 0, 0]]
    assert ids.dtype == np.int64


@pytest.mark.parametrize("texts", [[""], ["", "", ""], ["   ", "\t\n"], ["!!!"], ["a"]])
def test_empty_and_degenerate_batches(texts):
    spec = TokenizerSpec("word", True, [" ", "\t", "\n"], ["!"], ["a", "!"], 4)
    assert_same(spec, texts)


@pytest.mark.parametrize(("kind", "lowercase", "n"), [
    ("word", True, 300),
    ("char", True, 200),
    pytest.param("word", False, 600, marks=pytest.mark.slow),
    pytest.param("char", False, 600, marks=pytest.mark.slow),
])
def test_hundreds_of_hostile_texts_give_the_same_ids(kind, lowercase, n):
    rng = random.Random(f"{kind}{lowercase}")
    texts = hostile(rng, n)
    spec = fitted(kind, texts[:200], lowercase, max_length=rng.choice([8, 32, 64]))
    sess = session(spec)
    assert_same(spec, texts, sess)  # one batch
    for text in texts[:40]:  # and one row at a time
        assert_same(spec, [text], sess)


def test_without_drop_characters():
    texts = ["", "a b!", "!!", "ab", "", "héllo wörld!"]
    spec = TokenizerSpec("char", False, [], list("ab !"), list("ab!"), 6)
    assert_same(spec, texts)
    assert_same(TokenizerSpec("word", False, [], [], ["a b!", "ab"], 3), texts)  # no split at all


def test_characters_in_both_lists_are_dropped_and_entries_are_character_classes():
    spec = TokenizerSpec("word", False, [" ", "-"], ["-", "!?", "."], ["a", "b", "!", "?", "-"], 8)
    assert characters(spec.keep) == ["-", "!", "?", "."]
    assert_same(spec, ["a-b", "a - b!?", "--!!..??", "a.b-c"])


def test_a_repeated_vocabulary_token_keeps_its_last_id():
    spec = TokenizerSpec("word", False, [" "], [], ["a", "b", "a"], 3)
    assert_same(spec, ["a b", "b a c"])


def test_truncation_at_max_length_with_long_rows_and_long_tokens():
    spec = TokenizerSpec("word", True, [" ", "\n"], list("!,."), ["x", "!", ",", "y"], 5)
    texts = ["x " * 50, "!" * 300, "x" + "!," * 40 + " y", "", ("x y\n" * 20) + "!" * 50, "y"]
    assert_same(spec, texts)
    for text in texts:
        assert_same(spec, [text])


def test_a_one_megabyte_cell_is_cut_not_blown_up():
    spec = TokenizerSpec("word", True, [" ", "\n"], list("!,."), ["word", "!", "."], 16)
    big = ("word, word! " * 90_000)[:1_000_000]
    burst = "word " * 1000 + "!" * 200_000  # one token of 200k keep characters beside many tokens
    assert_same(spec, [big, "short text.", burst])


def test_lowercase_matches_python_except_the_documented_letters():
    spec = TokenizerSpec("char", True, [], [], [], 1)
    sess = session(spec)
    del sess  # the spec's graph loads without en_US.UTF-8 (locale "C.UTF-8" is set)
    from onnx import TensorProto, helper

    node = helper.make_node("StringNormalizer", ["x"], ["y"], case_change_action="LOWER", locale="C.UTF-8")
    graph = helper.make_graph([node], "lower", [helper.make_tensor_value_info("x", TensorProto.STRING, [None])],
                              [helper.make_tensor_value_info("y", TensorProto.STRING, [None])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
    model.ir_version = 10
    lower = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    chars = [chr(c) for c in range(1, 0x30000) if not 0xD800 <= c <= 0xDFFF]
    got = lower.run(None, {"x": np.asarray(chars, dtype=object)})[0]
    differ = "".join(c for c, g in zip(chars, got, strict=True) if c.lower() != g)
    assert differ == "\u0130"
    assert lower.run(None, {"x": np.asarray(["ΑΣ"], dtype=object)})[0][0] != "ΑΣ".lower()  # final sigma


def test_subword_specs_are_refused():
    from studio.export.text_front import text_front

    with pytest.raises(ValueError, match="cannot run inside"):
        text_front(TokenizerSpec("bpe", False, [], [], [], 4, subword="{}"), "t", "t_ids")


def test_the_separator_is_not_utf8():
    with pytest.raises(UnicodeDecodeError):
        SEPARATOR.decode("utf-8")


def test_nodes_only_for_characters_in_the_lists():
    small = standalone(TokenizerSpec("word", True, [" "], [], ["a"], 8))
    more = standalone(TokenizerSpec("word", True, [" "], ["!", "?"], ["a"], 8))
    assert len(more.graph.node) == len(small.graph.node) + 2 * 3  # RegexFullMatch, ReduceMax, If
    assert node_count(small) < node_count(more) <= node_count(small) + 2 * 35  # with the If branches
    many = standalone(TokenizerSpec("word", True, [" "], list("!?.,;:()"), ["a"], 8))
    assert len(many.graph.node) == len(small.graph.node) + 8 * 3
    tabs = standalone(TokenizerSpec("word", True, [" ", "\t", "\n", "\r"], [], ["a"], 8))
    assert len(tabs.graph.node) == len(small.graph.node) + 3  # the rarer drop characters: one test, one If
    assert all(n.domain in ("", "ai.onnx.ml") for n in more.graph.node)
