"""A sample of the corpus through the app under AppTest: the same input, the same sentence, in ``st.error``.

Each case's files are made by the corpus case itself, then handed to the app the way a person
would: a CSV uploaded on the Data page, a recipe uploaded in the sidebar, rows uploaded on the
Predict page, a damaged model or run directory in the runs folder the app lists (Predict, Export).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.components.helpers import APP, TIMEOUT, by_key
from tests.components.helpers import shown as unescaped
from tests.corpus.checks import assert_sentence
from tests.corpus.corpus import Case, all_cases
from tests.corpus.workspace import Workspace

BUG_BOX = "Something went wrong"
Route = Callable[[AppTest, Workspace, list[str]], None]


def _app() -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()


def _upload(at: AppTest, key: str, path: Path) -> None:
    by_key(at.get("file_uploader"), key).upload(path.name, path.read_bytes(), "text/csv")
    at.run()


def data_page(at: AppTest, ws: Workspace, argv: list[str]) -> None:
    """`studio train recipe.json` with a bad CSV -> that CSV uploaded on the Data page."""
    source = json.loads(Path(argv[1]).read_text())["data"]["source"].removeprefix("csv:")
    by_key(at.radio, "data.mode").set_value("Upload a CSV").run()
    _upload(at, "data.csv", ws.cwd / source)


def sidebar_recipe(at: AppTest, ws: Workspace, argv: list[str]) -> None:
    """`studio train bad.json` -> bad.json uploaded in the sidebar."""
    path = Path(argv[1])
    by_key(at.get("file_uploader"), "sidebar.upload").upload(path.name, path.read_bytes(), "application/json")
    at.run()


def _select(at: AppTest, page: str, run: Path) -> None:
    at.switch_page(f"app_pages/{page}.py").run()
    at.selectbox(key=f"{page}.run.none").set_value(str(run)).run()


def predict_rows(at: AppTest, ws: Workspace, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`studio predict model.onnx rows.csv` -> the shared run's model, rows.csv uploaded on Predict."""
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(ws.source_run.parent))
    _select(at, "predict", ws.source_run)
    at.radio(key="predict.mode").set_value("CSV file").run()
    _upload(at, "predict.csv", Path(argv[2]))


def predict_model(at: AppTest, ws: Workspace, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`studio predict bad.onnx rows.csv` -> a run whose model.onnx is that file, opened on Predict."""
    run = ws.copy_run("runs/run")
    shutil.copyfile(argv[1], run / "model.onnx")
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(ws.cwd / "runs"))
    _select(at, "predict", run)


def export_page(at: AppTest, ws: Workspace, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`studio export damaged-run` -> that run chosen on Export, then Export to ONNX pressed."""
    run = Path(argv[1])
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(run.parent))
    _select(at, "export", run)
    by_key(at.button, "export.run").click().run()


def train_page(at: AppTest, ws: Workspace, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`studio train recipe.json` that fails while training -> the recipe uploaded, Train pressed, the run watched."""
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(ws.runs))
    sidebar_recipe(at, ws, argv)
    at.switch_page("app_pages/train.py").run()
    by_key(at.button, "train.start").click().run()
    end = time.monotonic() + 60
    while not at.error and time.monotonic() < end:  # the page polls its job as the live fragment does
        time.sleep(0.3)
        at.run()


ROUTES = {"csv": data_page, "recipe": sidebar_recipe, "rows": predict_rows, "onnx": predict_model, "run": export_page}
TRAINED = {"recipe/huge-l2", "recipe/huge-l1", "recipe/huge-learning-rate"}  # fail while training: Train page
SAMPLE = [
    "csv/empty", "csv/blank-lines", "csv/header-only", "csv/random-bytes", "csv/utf16", "csv/unclosed-quote",
    "csv/single-column", "csv/ragged-rows", "csv/one-class", "csv/all-features-missing",
    "recipe/empty-file", "recipe/not-json", "recipe/array", "recipe/deeply-nested-list", "recipe/utf16",
    "recipe/nan-learning-rate", "recipe/infinite-l2", "recipe/epochs-negative", "recipe/name-10mb",
    "recipe/unknown-top-field", "recipe/block-kind-not-text", "recipe/residual-nested-too-deep", "recipe/seed-huge",
    "rows/empty", "rows/binary", "rows/missing-column", "rows/text-in-numeric-column",
    "rows/huge-text-in-numeric-column", "rows/date-not-a-date",
    "onnx/text-file", "onnx/truncated-half", "onnx/foreign-no-metadata", "onnx/metadata-not-json",
    "onnx/metadata-deeply-nested", "onnx/metadata-no-class-labels", "onnx/metadata-output-renamed",
    "run/prep-preprocessor-lacks-encoder", "run/prep-table-lacks-class-labels", "run/weights-truncated",
    "run/recipe-model-changed", "run/test-rows-header-only", "run/test-rows-lack-column", "run/failed-run",
    *sorted(TRAINED),
]


def test_the_sample_is_large_enough_and_from_every_kind_of_input() -> None:
    cases = all_cases()
    assert len(SAMPLE) >= 25 and set(SAMPLE) <= set(cases)
    assert {cases[c].category for c in SAMPLE} == set(ROUTES)


@pytest.mark.timeout(180)
@pytest.mark.parametrize("case_id", SAMPLE)
def test_the_app_shows_the_sentence(case_id: str, ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    case: Case = all_cases()[case_id]
    argv = case.make(ws)
    monkeypatch.setenv("STUDIO_SHARED_RUNS", "1")  # the copied runs belong to no app user
    at = _app()
    route = train_page if case_id in TRAINED else ROUTES[case.category]
    if route in (data_page, sidebar_recipe):
        route(at, ws, argv)
    else:
        route(at, ws, argv, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    shown = [unescaped(str(e.value)) for e in at.error]  # alerts are Markdown-escaped (components.safe)
    assert not any(BUG_BOX in s for s in shown), shown
    matching = [s for s in shown if all(w.lower() in s.lower() for w in case.words)]
    assert matching, f"no error names {case.words}: {shown}"
    assert_sentence(matching[0], case.words)
