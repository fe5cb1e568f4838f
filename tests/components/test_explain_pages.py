"""Feature importance on Evaluate, attribution bars on Predict, heatmaps on pictures: AppTest on real tiny runs."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from components.heatmap import overlay
from studio.export import export_run
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.runs import RunDir
from tests.components.helpers import APP, TIMEOUT, by_key, clean, shown, texts

TINY_CNN = [{"kind": "conv2d", "filters": 4, "kernel_size": 3, "padding": "same"}, {"kind": "activation", "fn": "relu"},
            {"kind": "maxpool2d", "kernel_size": 2}, {"kind": "flatten"}]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """An exported iris run and an exported tiny digits run."""
    root = tmp_path_factory.mktemp("runs")
    iris = Recipe.from_dict({"name": "iris", "data": {"source": "builtin:iris"}, "training": {"epochs": 5}})
    digits = Recipe.from_dict({"name": "tiny-digits", "data": {"source": "builtin:digits"}, "model": TINY_CNN,
                               "training": {"epochs": 1, "batch_size": 64}})
    runs = {"iris": train_recipe(iris, runs_root=root).run_dir, "digits": train_recipe(digits, runs_root=root).run_dir}
    for run in runs.values():
        export_run(run)
    mp = pytest.MonkeyPatch()
    mp.setenv("STUDIO_RUNS_DIR", str(root))
    mp.setenv("STUDIO_SHARED_RUNS", "1")  # runs made outside the app belong to no app user
    yield runs
    mp.undo()


def _open(at: AppTest, page: str, run) -> AppTest:
    at.switch_page(f"app_pages/{page}.py").run()
    at.selectbox(key=f"{page}.run.none").set_value(str(run)).run()
    clean(at)
    return at


def _chart(at: AppTest, title_start: str) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    found = [s for s in specs if s["layout"]["title"]["text"].startswith(title_start)]
    assert found, [s["layout"]["title"]["text"] for s in specs]
    return found[0]


def test_evaluate_computes_saves_and_shows_feature_importance(at, saved):
    run = saved["iris"]
    _open(at, "evaluate", run)
    assert "drops when one input column" in texts(at.caption)
    assert not (run / RunDir.IMPORTANCE).exists()
    button = by_key(at.button, f"evaluate.importance.{run.name}")
    assert button.label == "Compute feature importance"
    button.click().run()
    clean(at)
    spec = _chart(at, "Feature importance: drop in test accuracy")
    assert sorted(spec["data"][0]["y"]) == ["petal_length_cm", "petal_width_cm", "sepal_length_cm", "sepal_width_cm"]
    assert (run / RunDir.IMPORTANCE).exists()
    fresh = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()  # a new visit: read, not computed again
    _open(fresh, "evaluate", run)
    assert by_key(fresh.button, f"evaluate.importance.{run.name}").label == "Compute again"
    assert _chart(fresh, "Feature importance")["data"][0]["x"] == spec["data"][0]["x"]


def test_evaluate_importance_of_a_regression_is_in_r2(at, tmp_path, monkeypatch):
    recipe = Recipe.from_dict({"name": "reg", "data": {"source": "builtin:diabetes"}, "training": {"epochs": 2}})
    run = train_recipe(recipe, runs_root=tmp_path).run_dir
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path))
    monkeypatch.setenv("STUDIO_SHARED_RUNS", "1")
    _open(at, "evaluate", run)
    by_key(at.button, f"evaluate.importance.{run.name}").click().run()
    clean(at)
    spec = _chart(at, "Feature importance: drop in test r2")
    assert len(spec["data"][0]["y"]) == 10


def test_predict_one_row_shows_what_each_column_added(at, saved):
    _open(at, "predict", saved["iris"])
    next(b for b in at.button if b.label == "Predict").click().run()
    clean(at)
    predicted = at.metric[0].value
    spec = _chart(at, f"Why P({predicted}) is ")
    bars = spec["data"][0]
    assert len(bars["y"]) == 4 and all(" = " in y for y in bars["y"])
    assert {y.split(" = ")[0] for y in bars["y"]} == {"sepal_length_cm", "sepal_width_cm", "petal_length_cm",
                                                      "petal_width_cm"}
    assert "typical training row" in shown(at.main.caption[-1].value)


def test_misclassified_gallery_shows_what_the_model_looked_at(at, saved):
    run = saved["digits"]
    _open(at, "evaluate", run)
    plain = [len(el.proto.imgs) for el in at.get("image")]
    at.toggle(key=f"evaluate.mistakes.{run.name}.heat").set_value(True).run()
    clean(at)
    assert [len(el.proto.imgs) for el in at.get("image")] == plain  # the same pictures, painted
    assert "Red marks the pixels" in texts(at.caption)


def test_uploaded_pictures_get_a_heatmap(at, saved):
    _open(at, "predict", saved["digits"])
    buf = io.BytesIO()
    Image.fromarray((np.eye(8) * 255).astype(np.uint8), "L").save(buf, "PNG")
    by_key(at.get("file_uploader"), "predict.pictures").set_value([("eight.png", buf.getvalue(), "image/png")])
    at.run()
    at.toggle(key="predict.pictures.heat").set_value(True).run()
    clean(at)
    assert "Red marks the pixels" in texts(at.caption)
    assert len(at.get("image")) == 1


def test_overlay_is_red_where_the_heat_is():
    picture = np.full((1, 4, 4), 200, dtype=np.uint8)
    heat = np.zeros((4, 4), dtype=np.float32)
    heat[1, 2] = 5.0
    out = overlay(picture, heat, side=8)
    assert out.shape == (8, 8, 3) and out.dtype == np.uint8
    assert tuple(out[2, 4]) != tuple(out[0, 0]) and out[2, 4, 0] > out[2, 4, 1]  # the hot pixel, enlarged 2x
    assert out[0, 0, 0] == out[0, 0, 1] == out[0, 0, 2]  # elsewhere: the picture in grey
    assert overlay(picture, np.zeros((4, 4)), side=4).shape == (4, 4, 3)


def test_figures_show_column_names_and_tokens_literally():
    import pandas as pd

    from components import figures

    table = pd.DataFrame({"column": ["<b>x", "y"], "kind": ["numeric", "categorical"], "mean_drop": [0.3, 0.01],
                          "std_drop": [0.02, 0.01]})
    fig = figures.feature_importance(table, "accuracy")
    assert list(fig.data[0].y) == ["&lt;b&gt;x", "y"] and list(fig.data[0].error_x.array) == [0.02, 0.01]
    row = pd.DataFrame({"column": ["<b>x", "y"], "kind": ["numeric", "numeric"], "value": ["1", "[a](b)"],
                        "attribution": [0.2, -0.1]})
    fig = figures.attributions(row, "P(<i>yes)", 0.9, 0.6)
    assert list(fig.data[0].y) == ["&lt;b&gt;x = 1", "y = [a](b)"]
    assert list(fig.data[0].marker.color) == ["#2ca02c", "#d62728"]
    assert fig.layout.title.text == "Why P(&lt;i&gt;yes) is 0.9 (it is 0.6 for the baseline)"
    tokens = [(f"w{i}", (-1) ** i * i / 10) for i in range(13)] + [("<script>", 0.5)]
    fig = figures.token_attributions(tokens, "review")
    heat = fig.data[0]
    assert len(heat.z) == 2 and heat.text[1][1] == "&lt;script&gt;" and heat.z[1][1] == 0.5
    assert heat.zmax == -heat.zmin == 1.2
