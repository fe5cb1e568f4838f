"""The in-graph tokenizer (studio/export/text_front.py) against ``TokenizerSpec.encode`` in Python.

Review-like sentences (made here, nothing is downloaded) fit a word spec (whitespace dropped, the
punctuation seen kept) and a char spec (every character seen kept). Each text of a fixed sample is
tokenized at batch 1 by onnxruntime (a session as the studio makes them, ``session.make_session``)
and by Python, interleaved in rounds as ``studio.export.bench`` does; p50 per call over the whole
sample. Lines per spec: node counts (top level, and with the ``If`` branches), p50 of both, and
``ratio`` = onnxruntime p50 / Python p50 (above 1: the graph is slower). Batch 256 is shown too.

    .venv/bin/python benchmarks/text_front_speed.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx

from studio.export.session import make_session
from studio.export.text_front import node_count, standalone
from studio.text.spec import TokenizerSpec

SUBJECTS = ["the movie", "this phone", "the battery", "the plot", "our waiter", "the screen", "it", "the price"]
VERBS = ["is", "was", "seems", "looked", "felt"]
ADJS = ["good", "great", "bad", "awful", "fine", "cheap", "slow", "amazing", "boring", "okay"]
TAILS = ["", " at all", " to be honest", ", really", " (for the price)", "; I'd buy it again", " - 5/10"]
ENDS = [".", "!", "!!", "?", "...", ""]


def reviews(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 4)):
            neg = rng.choice(["", " not", " never", "n't"]) if rng.random() < 0.4 else ""
            subject = rng.choice(SUBJECTS)
            parts.append(f"{subject.capitalize()} {rng.choice(VERBS)}{neg} {rng.choice(ADJS)}"
                         f"{rng.choice(TAILS)}{rng.choice(ENDS)}")
        out.append(" ".join(parts))
    return out


def fit(kind: str, texts: list[str], max_length: int, vocab_size: int = 2000) -> TokenizerSpec:
    drop = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\xa0", "\u3000"]  # the fitted tokenizers' whitespace
    seen = sorted({c for t in texts for c in t.lower()} - set(drop))
    keep = [c for c in seen if not c.isalnum()] if kind == "word" else seen
    probe = TokenizerSpec(kind, True, drop, keep, [], max_length)
    counts: dict[str, int] = {}
    for t in texts:
        for tok in probe.tokens(t):
            counts[tok] = counts.get(tok, 0) + 1
    return TokenizerSpec(kind, True, drop, keep, sorted(counts, key=lambda k: -counts[k])[:vocab_size], max_length)


def p50_per_call(fns: dict[str, object], samples: list, rounds: int, budget_s: float = 0.02) -> dict[str, float]:
    """Median µs per call of each fn over ``samples``, interleaved in rounds."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for f in fns.values():
        for x in samples[:20]:
            f(x)  # type: ignore[operator]
    i = 0
    for _ in range(rounds):
        for k, f in fns.items():
            end = time.perf_counter() + budget_s
            while time.perf_counter() < end:
                x = samples[i % len(samples)]
                i += 1
                t0 = time.perf_counter_ns()
                f(x)  # type: ignore[operator]
                times[k].append((time.perf_counter_ns() - t0) / 1e3)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(0)
    train, sample = reviews(rng, 2000), reviews(rng, 200)
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for kind, max_length in (("word", 64), ("char", 256)):
            spec = fit(kind, train, max_length)
            model = standalone(spec)
            path = Path(tmp) / f"{kind}.onnx"
            onnx.save_model(model, str(path))
            session = make_session(path)
            for got, want in zip(session.run(["ids"], {"text": np.asarray(sample, dtype=object)})[0],
                                 spec.encode(sample), strict=True):
                assert np.array_equal(got, want), "the graph's ids differ from the spec's"
            one = [np.asarray([t], dtype=object) for t in sample]
            many = [np.asarray(sample[i:] + sample[:i], dtype=object)[:256] for i in range(0, 200, 40)]
            for batch, inputs in ((1, one), (256, many)):
                p50 = p50_per_call({
                    "onnxruntime": lambda x, s=session: s.run(["ids"], {"text": x}),
                    "python": lambda x, sp=spec: sp.encode(list(x)),
                }, inputs, args.rounds)
                ratio = p50["onnxruntime"] / p50["python"]
                print(f"{kind}: keep {len(spec.keep)} drop {len(spec.drop)} vocab {len(spec.vocab)} "
                      f"nodes {len(model.graph.node)} (with branches {node_count(model)}) batch {batch}: "
                      f"onnxruntime {p50['onnxruntime']:.1f} us, python {p50['python']:.1f} us, "
                      f"ratio {ratio:.2f}")
                if batch == 1 and kind == "word":
                    worst = ratio
    print(f"ratio: {worst:.2f}")


if __name__ == "__main__":
    main()
