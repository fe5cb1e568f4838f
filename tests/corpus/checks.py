"""What every answer to a bad input must look like, on the command line and in the app."""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_SENTENCE = 300
ANSI = re.compile(r"\x1b\[")
NOISE = ("Traceback", "np.float64(", "np.int64(", "https://errors.pydantic.dev", "[torch.onnx]", "Exception")


def assert_sentence(sentence: str, words: Iterable[str] = ()) -> None:
    """One line of at most 300 characters, no traceback, ANSI code or library noise, naming ``words``."""
    assert sentence.strip(), "no sentence"
    assert "\n" not in sentence.strip(), f"more than one line: {sentence!r}"
    assert len(sentence) <= MAX_SENTENCE, f"{len(sentence)} characters: {sentence[:400]!r}"
    assert not ANSI.search(sentence), f"ANSI codes: {sentence!r}"
    for noise in NOISE:
        assert noise not in sentence, f"{noise!r} in {sentence!r}"
    for word in words:
        assert word.lower() in sentence.lower(), f"{word!r} not named in {sentence!r}"


def cli_sentence(stderr: str) -> str:
    """The sentence of ``error: <sentence>``, the one line the CLI writes on stderr."""
    lines = stderr.splitlines()
    assert len(lines) == 1, f"stderr is not one line: {stderr[:2000]!r}"
    assert lines[0].startswith("error: "), lines[0][:400]
    return lines[0].removeprefix("error: ")
