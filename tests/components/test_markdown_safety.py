"""Nothing a user provides is rendered as Markdown or HTML: hostile column names, class labels, a
recipe name, a run id in the URL, file names and error sentences quoting them all appear literally.

Each test walks every string the browser would render as Markdown (tests.components.helpers.
markdown_texts) and every string of every Plotly figure, and checks both that no link, image or
tag survives and that the hostile text is really on the page (so the check cannot pass vacuously).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from studio.export import export_run
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from tests.components.helpers import (
    APP,
    TIMEOUT,
    by_key,
    live_markup,
    markdown_texts,
    plotly_texts,
    shown,
)

LINK_COLUMN = "[click](https://evil.example/a)"
HTML_COLUMN = "<img src=https://evil.example/h.png>"
TARGET = "![t](https://evil.example/t.png)"
LABELS = ("[yes](https://evil.example/y)", "<b>no</b>")
RECIPE_NAME = "[recipe](https://evil.example/r)"
RUN_ID = "[run](https://evil.example/u)"


def hostile_frame(rows: int = 80) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 2))
    return pd.DataFrame({LINK_COLUMN: x[:, 0], HTML_COLUMN: x[:, 1], "plain": rng.normal(size=rows),
                         TARGET: np.where(x[:, 0] + x[:, 1] > 0, LABELS[0], LABELS[1])})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return out.getvalue().encode()


def assert_nothing_live(at: AppTest, *must_show: str) -> None:
    """No Markdown string of the page would become a link, image or tag; no figure holds raw HTML;
    and each of ``must_show`` is shown literally in some Markdown string or figure."""
    texts = markdown_texts(at)
    for text in texts:
        assert live_markup(text) is None, f"live markup {live_markup(text)!r} in {text!r}"
    figures = plotly_texts(at)
    for text in figures:
        assert "<img" not in text and "<b>" not in text and "<a " not in text, text
    page = [shown(t) for t in texts] + [t.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                                        for t in figures]
    for wanted in must_show:
        assert any(wanted in t for t in page), f"{wanted!r} is not shown; page: {page}"


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_data_page_with_hostile_columns_labels_and_run_id(uploads_dir):
    at = _app(run=RUN_ID)
    assert_nothing_live(at, RUN_ID)  # the sidebar's run line quotes the id from the URL
    by_key(at.radio, "data.mode").set_value("Upload a CSV").run()
    by_key(at.get("file_uploader"), "data.csv").upload("x](https:evil.example).csv", csv_bytes(hostile_frame()),
                                                        "text/csv")
    at.run()
    by_key(at.selectbox, "w.data.target").set_value(TARGET).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert_nothing_live(at, TARGET, LABELS[0], LABELS[1])
    by_key(at.selectbox, "data.hist_column").set_value(HTML_COLUMN).run()
    assert_nothing_live(at, HTML_COLUMN)
    by_key(at.text_input, "w.recipe.name").set_value(RECIPE_NAME).run()
    at.switch_page("app_pages/train.py").run()
    assert_nothing_live(at, RECIPE_NAME, RUN_ID)  # the draft's caption and the "not running" line


def test_error_sentences_quoting_user_values(uploads_dir):
    at = _app()
    recipe = {"name": "r", "data": {"source": "builtin:iris", "target": LINK_COLUMN}}
    by_key(at.get("file_uploader"), "sidebar.upload").upload("r.json", json.dumps(recipe).encode(), "application/json")
    at.run()
    assert at.error, "a built-in dataset with another target is an error"
    assert_nothing_live(at, LINK_COLUMN)
    by_key(at.get("file_uploader"), "sidebar.upload").upload("[f](https://evil.example).json", b"{not json",
                                                             "application/json")
    at.run()
    assert_nothing_live(at, "[f](https://evil.example).json")


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """A trained and exported run of the hostile table, named with a link."""
    root = tmp_path_factory.mktemp("hostile")
    path = root / "data.csv"
    hostile_frame().to_csv(path, index=False)
    recipe = Recipe.from_dict({"name": RECIPE_NAME, "data": {"source": f"csv:{path}", "target": TARGET},
                               "model": [{"kind": "dense", "units": 8}], "training": {"epochs": 3}})
    run_dir = train_recipe(recipe, runs_root=root / "runs").run_dir
    export_run(run_dir)
    mp = pytest.MonkeyPatch()
    mp.setenv("STUDIO_RUNS_DIR", str(root / "runs"))
    mp.setenv("STUDIO_SHARED_RUNS", "1")  # a run made outside the app belongs to no app user
    yield run_dir
    mp.undo()


def test_evaluate_and_predict_pages_with_hostile_labels(hostile_run, uploads_dir):
    at = _app()
    at.switch_page("app_pages/evaluate.py").run()
    assert not at.exception
    assert_nothing_live(at, LABELS[0], LABELS[1])  # confusion matrix ticks, legend of the comparison
    at.switch_page("app_pages/predict.py").run()
    assert not at.exception
    assert {shown(n.label) for n in at.number_input} >= {LINK_COLUMN, HTML_COLUMN}
    next(b for b in at.button if b.label == "Predict").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert shown(at.metric[0].value) in LABELS
    assert_nothing_live(at, f"Predicted {TARGET}", LINK_COLUMN, HTML_COLUMN)
