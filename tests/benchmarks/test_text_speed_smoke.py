"""benchmarks/text_speed.py runs end to end and prints its three comparisons (the figures are not
checked: speed is measured by running the script, never by a timed test)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "text_speed.py"


@pytest.mark.slow
def test_quick_run_prints_every_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("text_speed", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--quick", "--rows", "500"])
    lines = capsys.readouterr().out.splitlines()
    for start in ("training: ", "tokenize 500 rows: ", "raw strings, batch 1: ", "raw strings, batch 64: "):
        found = [line for line in lines if line.startswith(start)]
        assert len(found) == 1, (start, lines)
        assert re.search(r"ratio \d+\.\d\d", found[0]), found[0]
    for start in ("training: ", "tokenize ", "raw strings, batch 1: "):
        line = next(line for line in lines if line.startswith(start))
        assert line.endswith((": met", ": missed")), line
