"""Predict page with a text model: the row form asks for the raw text; a series model asks for a CSV."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from studio.export import export_run
from studio.pipeline import train_recipe
from studio.recipe import load_recipe
from tests.components.helpers import APP, TIMEOUT, clean, texts
from tests.conftest import PRESETS

pytestmark = pytest.mark.slow  # trains and exports two runs (about 20 s)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    out = {}
    for preset, epochs in (("reviews-mixed", 3), ("sunspots-lstm", 2)):
        r = load_recipe(PRESETS / f"{preset}.json")
        run = train_recipe(r.updated(training={**r.training.model_dump(), "epochs": epochs, "device": "cpu"}),
                           runs_root=root).run_dir
        export_run(run)
        out[preset] = run
    mp = pytest.MonkeyPatch()
    mp.setenv("STUDIO_RUNS_DIR", str(root))
    mp.setenv("STUDIO_SHARED_RUNS", "1")
    yield out
    mp.undo()


def _predict_page(run) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/predict.py").run()
    at.selectbox(key="predict.run.none").set_value(str(run)).run()
    clean(at)
    return at


def test_a_text_model_takes_the_raw_review(exported):
    at = _predict_page(exported["reviews-mixed"])
    box = at.text_area(key="predict.text.review")
    assert box.value  # starts from the first test row
    box.set_value("not good at all, i would never buy it again <b>x</b>").run()
    submit = next(b for b in at.get("form_submit_button") if b.label == "Predict")
    submit.click().run()
    assert not at.exception and not at.error
    predicted = [m for m in at.metric if m.label.startswith("Predicted")]
    assert predicted and predicted[0].value in ("positive", "negative")


def test_a_series_model_asks_for_a_csv_of_steps(exported):
    at = _predict_page(exported["sunspots-lstm"])
    assert "windows of" in texts(at.info).lower() and not at.exception


def test_evaluate_a_forecast_run(exported):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/evaluate.py").run()
    at.selectbox(key="evaluate.run.none").set_value(str(exported["sunspots-lstm"])).run()
    assert not at.exception and not at.error
    assert {"r2", "rmse"} <= {m.label for m in at.metric}
