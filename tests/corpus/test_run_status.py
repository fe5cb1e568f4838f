"""How a run ended decides what its export says: a failed run only on an explicit request, said loudly.

The refusal itself (`studio export` on a failed run: exit 2, one sentence) is the corpus case
``run/failed-run``; here is what happens when a person asks for it anyway, and for interrupted runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studio.cli import main
from tests.components.helpers import APP, TIMEOUT, by_key, shown, texts
from tests.corpus.workspace import Workspace


def _with_status(ws: Workspace, status: str, message: str) -> Path:
    run = ws.copy_run()
    for name in ("model.onnx", "model_card.json", "export.json"):
        (run / name).unlink(missing_ok=True)
    summary = json.loads((run / "summary.json").read_text())
    (run / "summary.json").write_text(json.dumps({**summary, "status": status, "message": message}))
    (run / "owner.json").unlink(missing_ok=True)  # nobody trains it any more
    return run


NAN = "the loss became NaN at epoch 2, by batch 3 of 4; regularization.l2 is 1e+308"


@pytest.mark.timeout(180)
def test_allow_failed_exports_with_a_warning_in_the_notes_and_the_card(ws: Workspace, capsys) -> None:
    run = _with_status(ws, "failed", NAN)
    assert main(["export", str(run), "--allow-failed"]) == 0
    out = capsys.readouterr().out
    assert f"note: WARNING: this run FAILED ({NAN})" in out
    assert "parity ok" not in out.lower()
    report = json.loads((run / "export.json").read_text())
    assert report["notes"][0].startswith("WARNING: this run FAILED")
    assert json.loads((run / "model_card.json").read_text())["run_status"] == "failed"


@pytest.mark.timeout(180)
def test_an_interrupted_run_is_exported_from_its_kept_weights_and_says_so(ws: Workspace, capsys) -> None:
    run = _with_status(ws, "running", "")  # says running, but no owner is alive: interrupted
    assert main(["export", str(run)]) == 0
    out = capsys.readouterr().out
    assert "note: this run was interrupted (its process died)" in out


@pytest.mark.timeout(180)
def test_the_export_page_asks_before_exporting_a_failed_run_and_warns_after(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    run = _with_status(ws, "failed", NAN)
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(run.parent))
    monkeypatch.setenv("STUDIO_SHARED_RUNS", "1")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/export.py").run()
    at.selectbox(key="export.run.none").set_value(str(run)).run()
    assert not at.exception
    assert "This run FAILED" in texts(at.error) and NAN in texts(at.error)  # said before anything is pressed
    by_key(at.button, "export.run").click().run()
    assert "--allow-failed" in texts(at.error) and not (run / "model.onnx").exists()  # refused without the box
    at.checkbox(key="export.allow_failed").check().run()
    by_key(at.button, "export.run").click().run()
    assert not at.exception
    assert (run / "model.onnx").is_file()
    assert any(shown(w.value).startswith("WARNING: this run FAILED") for w in at.warning)  # escaped Markdown
    assert "Parity check PASSED" in texts(at.success)


def test_the_export_page_offers_the_engines_opsets(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The opset box is bounded by studio.export.options, not by a copy in the page."""
    from studio.export import options

    monkeypatch.setattr(options, "OPSETS", range(18, 22))
    monkeypatch.setattr(options, "DEFAULT_OPSET", 19)
    monkeypatch.setattr(options, "QUANTIZERS", ("int8", "int4"))
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(ws.source_run.parent))
    monkeypatch.setenv("STUDIO_SHARED_RUNS", "1")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/export.py").run()
    opset = at.number_input(key="export.opset")
    assert (opset.min, opset.max, opset.value) == (18, 21, 19)
    assert [c.label for c in at.checkbox if c.key.startswith("export.int")] == ["Also an int8 model",
                                                                                  "Also an int4 model"]
