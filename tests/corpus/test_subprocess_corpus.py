"""A handful of corpus cases through a real process: `python -m studio.cli ...` and the `studio` script.

In-process runs prove the sentence; these prove what a shell sees: the exit status, stderr holding
exactly ``error: <sentence>``, nothing on stdout, no traceback and no library log from any thread.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.corpus.checks import assert_sentence, cli_sentence
from tests.corpus.corpus import all_cases
from tests.corpus.workspace import Workspace, snapshot

SCRIPT = Path(sys.executable).parent / "studio"  # the console script `pip install` made
CASES = [
    ("flags/unknown-command", "module"),
    ("recipe/deeply-nested-list", "module"),
    ("onnx/truncated-half", "module"),
    ("rows/huge-text-in-numeric-column", "script"),
    ("run/prep-table-lacks-class-labels", "script"),
    ("flags/predict-out-is-a-folder", "script"),
    ("flags/train-nproc-more-than-the-devices", "module"),
]


def _command(how: str) -> list[str]:
    if how == "module":
        return [sys.executable, "-m", "studio.cli"]
    if not SCRIPT.is_file():
        pytest.skip(f"no console script at {SCRIPT}")
    return [str(SCRIPT)]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("case_id", "how"), CASES, ids=[f"{c}-{h}" for c, h in CASES])
def test_a_real_process_exits_2_with_one_line_on_stderr(case_id: str, how: str, ws: Workspace) -> None:
    case = all_cases()[case_id]
    argv = case.make(ws)
    before = snapshot(ws.cwd)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's code, whatever is installed
    proc = subprocess.run([*_command(how), *argv], capture_output=True, text=True, cwd=ws.cwd, env=env,
                          timeout=100)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stdout == ""
    assert_sentence(cli_sentence(proc.stderr), case.words)
    assert snapshot(ws.cwd) == before
