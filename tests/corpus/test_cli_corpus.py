"""Every corpus case through `studio` in-process: exit 2, one sentence, nothing left behind.

The one exception to "nothing left behind": a recipe that trains and then fails (a loss that
became NaN) keeps its run directory in ``runs/``, with status ``failed`` and the same sentence as
its message, because a failed run is a record a person may want to look at.
"""

from __future__ import annotations

import json

import pytest

from studio.cli import main
from tests.corpus.checks import assert_sentence, cli_sentence
from tests.corpus.corpus import Case, all_cases
from tests.corpus.workspace import Workspace, snapshot

CASES = all_cases()


def _params() -> list:
    return [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [])
            for c in CASES.values()]


def run_cli(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:  # argparse's own exit, should main() ever let it through
        return int(exit_.code or 0)


def test_the_corpus_is_large_and_covers_every_kind_of_input() -> None:
    kinds = {c.category for c in CASES.values()}
    assert kinds == {"csv", "recipe", "onnx", "rows", "run", "flags"}
    assert len(CASES) >= 100


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", _params())
def test_bad_input_gets_one_sentence(case: Case, ws: Workspace, capfd: pytest.CaptureFixture[str]) -> None:
    argv = case.make(ws)
    before, shared = snapshot(ws.cwd), snapshot(ws.source_run)
    capfd.readouterr()
    code = run_cli(argv)
    out, err = capfd.readouterr()
    assert code == 2, f"exit {code}; stderr: {err[-2000:]!r}"
    sentence = cli_sentence(err)
    assert_sentence(sentence, case.words)
    after = snapshot(ws.cwd)
    if case.keeps_run:
        new = sorted(set(after) - set(before))
        kept = {p.split("/")[1] for p in new if p.startswith("runs/") and p.count("/") >= 1}
        assert len(kept) == 1, new
        (run,) = kept
        summary = json.loads((ws.runs / run / "summary.json").read_text())
        assert summary["status"] == "failed" and summary["message"] in sentence
        assert {k: v for k, v in after.items() if not k.startswith("runs")} == \
            {k: v for k, v in before.items() if not k.startswith("runs")}
        assert "\x1b[" not in out
    else:
        assert after == before, sorted(set(after) ^ set(before))
        assert out == "", out[:2000]
    assert snapshot(ws.source_run) == shared, "the shared run was changed"
