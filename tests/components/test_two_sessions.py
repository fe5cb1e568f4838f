"""Two people on one studio server: one process, one runs folder, two browser sessions (two AppTests
with different owner tokens and upload folders). Neither sees the other's runs or files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components import jobs
from studio.export import export_run
from tests.components.helpers import APP, TIMEOUT, by_key, clean, load_recipe, recipe, texts
from tests.components.test_train_page import status, until

CSV = "x1,x2,label\n" + "\n".join(f"{i % 13},{(i * 7) % 11},{'hi' if (i % 13) > 6 else 'lo'}"
                                  for i in range(150)) + "\n"


def _session(owner: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["owner"] = owner
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _run_choices(at: AppTest, page: str) -> list[str]:
    """The runs the page offers (its run picker's options), after opening it."""
    at.switch_page(f"app_pages/{page}.py").run()
    clean(at)
    return [o for s in at.selectbox if s.key and s.key.startswith(f"{page}.run.") for o in s.options]


@pytest.fixture
def trained_by_a(tmp_path, monkeypatch, uploads_dir):
    """Session A uploads a CSV, trains it in the app and exports the run."""
    runs = tmp_path / "runs"
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(runs))
    monkeypatch.delenv("STUDIO_SHARED_RUNS", raising=False)
    a = _session("owner-a")
    by_key(a.radio, "data.mode").set_value("Upload a CSV").run()
    by_key(a.get("file_uploader"), "data.csv").upload("mine.csv", CSV.encode(), "text/csv")
    a.run()
    clean(a)
    a.switch_page("app_pages/train.py").run()
    by_key(a.number_input, "w.train.training.epochs").set_value(3).run()
    by_key(a.button, "train.start").click().run()
    until(a, lambda s: status(s) not in ("running", "created", ""))
    assert status(a) == "completed"
    (run_dir,) = list(runs.iterdir())
    export_run(run_dir)
    upload = next(uploads_dir.glob("session-*/mine.csv"))
    return {"a": a, "run_id": a.query_params["run"], "run_dir": run_dir, "upload": upload}


def test_neither_session_sees_the_others_runs_or_files(trained_by_a, reads):
    a, run_dir = trained_by_a["a"], trained_by_a["run_dir"]
    # A sees its own run on every page
    for page in ("evaluate", "export", "predict"):
        assert len(_run_choices(a, page)) == 1, page
    # the run records a hash of A's token, never the token
    owner = (run_dir / "owner.json").read_text()
    assert "owner-a" not in owner
    assert json.loads(owner)["user"] == hashlib.sha256(b"studio-user:owner-a").hexdigest()[:32]

    # B, with A's run id in its URL, sees nothing of A's run
    b = _session("owner-b", run=trained_by_a["run_id"])
    assert "not running in this server" in texts(b.sidebar.markdown)
    assert recipe(a).name not in texts(b.sidebar.markdown)
    b.switch_page("app_pages/train.py").run()
    assert status(b) == "" and not b.get("progress")
    assert not [c for c in b.get("plotly_chart") if "Training curves" in c.proto.spec]
    assert "not running in this server" in texts(b.info)
    for page, empty in (("evaluate", "No finished run yet"), ("export", "No trained run yet"),
                        ("predict", "No exported model yet")):
        assert _run_choices(b, page) == [], page
        assert empty in texts(b.info), page
    b.switch_page("app_pages/evaluate.py").run()
    assert "No saved runs yet" in texts(b.info) and not b.dataframe

    # B cannot read A's upload: not by its name, not by its path
    reads.clear()
    b.switch_page("app_pages/data.py").run()
    load_recipe(b, recipe(a).data.model_dump(mode="json"))
    assert "This recipe reads mine.csv: upload it" in texts(b.info) and not b.error
    load_recipe(b, {"source": f"csv:{trained_by_a['upload']}", "target": "label"}, "path.json")
    assert "upload" in texts(b.error) and len(b.error) == 1
    assert not [p for p in reads if Path(p).name == "mine.csv"]
    assert not b.exception


def test_a_shared_runs_server_lists_everyones_runs(trained_by_a, monkeypatch):
    """The same server started with --shared-runs: B now sees A's run (and the test above is not
    passing merely because B's pages list nothing at all)."""
    monkeypatch.setenv("STUDIO_SHARED_RUNS", "1")
    b = _session("owner-b")
    for page in ("evaluate", "export", "predict"):
        assert len(_run_choices(b, page)) == 1, page
    assert jobs.registry().get(trained_by_a["run_id"], owner="owner-b") is None  # live jobs stay private
