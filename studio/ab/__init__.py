"""Compare, live: train two variants of the draft at once and say which generalised better.

Public API (see docs/engine-api.md): ``Choice``, ``PRESETS``, ``build_pair(draft, choice, cores) -> Pair``,
``split_threads``, ``parse_value``; ``Outcome``, ``outcome_of_run(label, run_dir)``,
``compare(a, b) -> Comparison``.
"""

from __future__ import annotations

from studio.ab.outcome import Comparison, Outcome, compare, outcome_of_run
from studio.ab.pair import PRESETS, Choice, Pair, Preset, build_pair, parse_value, split_threads

__all__ = ["PRESETS", "Choice", "Comparison", "Outcome", "Pair", "Preset", "build_pair", "compare",
           "outcome_of_run", "parse_value", "split_threads"]
