"""The corpus of bad inputs: each case makes its files in a working folder and returns the CLI's argv.

A case is registered with :func:`case` on a function ``make(ws) -> argv``. What must hold for every
case is checked by ``test_cli_corpus.py``: exit status 2, ``error: <one sentence>`` on stderr (at
most 300 characters, no traceback, no ANSI codes), nothing on stdout unless the case trained, and
no file written or changed in the working folder, except the one run a failed training keeps.
``words`` are what the sentence must name (case-insensitive) so it is about the right thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.corpus.workspace import Workspace

Make = Callable[[Workspace], list[str]]


@dataclass(frozen=True)
class Case:
    id: str  # "<category>/<name>"
    make: Make
    words: tuple[str, ...] = ()
    keeps_run: bool = False  # training ran and failed: its run directory is legitimately kept
    xfail: str | None = None  # why it still fails (the branch that fixes it)

    @property
    def category(self) -> str:
        return self.id.split("/", 1)[0]


CASES: dict[str, Case] = {}


def case(case_id: str, *words: str, keeps_run: bool = False, xfail: str | None = None) -> Callable[[Make], Make]:
    """Register ``make`` as the corpus case ``case_id``."""

    def register(make: Make) -> Make:
        if case_id in CASES:
            raise ValueError(f"corpus case {case_id!r} is registered twice")
        CASES[case_id] = Case(case_id, make, tuple(words), keeps_run, xfail)
        return make

    return register


def all_cases() -> dict[str, Case]:
    """Every case, after importing the modules that register them."""
    from tests.corpus import (  # noqa: F401
        cases_blocks,
        cases_csv,
        cases_flags,
        cases_model,
        cases_recipe,
        cases_recipe_file,
        cases_run,
        cases_series,
        cases_sweep,
        cases_text,
    )

    return CASES


def train_argv(recipe: object) -> list[str]:
    return ["train", str(recipe), "--out", "runs", "--quiet"]
