"""Run files the app's run pages read (summary.json, export.json, bench.csv), damaged by hand: a sentence or a
tolerant reading, never the bug box."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.components.helpers import APP, TIMEOUT
from tests.components.helpers import shown as unescaped
from tests.corpus.workspace import Workspace

BUG_BOX = "Something went wrong"


def _summary_with_odd_types(run: Path) -> None:
    summary = json.loads((run / "summary.json").read_text())
    (run / "summary.json").write_text(json.dumps({**summary, "seconds": "x", "epochs_run": "many"}))


def _bench_garbage(run: Path) -> None:
    (run / "bench.csv").write_bytes(b"\x00\x01\x02 not a table")


def _export_report_garbage(run: Path) -> None:
    (run / "export.json").write_text(json.dumps({"parity": "ok"}))


def _importance_garbage(run: Path) -> None:
    (run / "importance.csv").write_text("column,kind\nx,", encoding="utf-8")


CASES = {  # damage -> (pages to open, words of the sentence shown, or None: shown without complaint)
    "summary-odd-types": (_summary_with_odd_types, ["evaluate", "export", "predict"], None),
    "bench-garbage": (_bench_garbage, ["export"], ("bench.csv", "damaged")),
    "export-report-garbage": (_export_report_garbage, ["export"], ("export.json", "damaged")),
    "importance-garbage": (_importance_garbage, ["evaluate"], ("importance.csv", "damaged")),
}


@pytest.mark.timeout(180)
@pytest.mark.parametrize("name", list(CASES))
def test_run_pages_survive_damaged_run_files(name: str, ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    damage, pages, words = CASES[name]
    run = ws.copy_run("runs/run")
    damage(run)
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(ws.cwd / "runs"))
    monkeypatch.setenv("STUDIO_SHARED_RUNS", "1")
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    for page in pages:
        at.switch_page(f"app_pages/{page}.py").run()
        at.selectbox(key=f"{page}.run.none").set_value(str(run)).run()
        assert not at.exception, [e.message for e in at.exception]
        shown = [unescaped(str(e.value)) for e in at.error]
        assert not any(BUG_BOX in s for s in shown), shown
        if words is None:
            assert not shown, shown
        else:
            assert any(all(w in s for w in words) for s in shown), shown
