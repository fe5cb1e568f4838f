"""Evaluate's misclassified gallery and Predict's picture uploader, in AppTest, on real tiny runs."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from components.confusion_select import cell_of
from components.safe import plotly as plotly_text
from studio.export import export_run
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from tests.components.helpers import by_key, clean, live_markup, markdown_texts, shown, texts

TINY_CNN = [{"kind": "conv2d", "filters": 4, "kernel_size": 3, "padding": "same"}, {"kind": "activation", "fn": "relu"},
            {"kind": "maxpool2d", "kernel_size": 2}, {"kind": "flatten"}]
ODD = ["*star*", "<b>bold", "[a](x)"]  # class folder names that Markdown or HTML would turn into something


def _png(colour, size=(16, 16)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """An exported digits run, an iris run and an exported run of a folder whose class names are odd."""
    root = tmp_path_factory.mktemp("runs")
    digits = Recipe.from_dict({"name": "tiny-digits", "data": {"source": "builtin:digits"}, "model": TINY_CNN,
                               "training": {"epochs": 1, "batch_size": 64}})
    iris = Recipe.from_dict({"name": "iris", "data": {"source": "builtin:iris"}, "training": {"epochs": 2}})
    folder = tmp_path_factory.mktemp("pictures")
    rng = np.random.default_rng(0)
    for k, name in enumerate(ODD):
        (folder / name).mkdir()
        for i in range(12):
            colour = tuple(int(c) for c in np.clip(np.eye(3)[k] * 200 + rng.integers(0, 50, 3), 0, 255))
            (folder / name / f"{i}.png").write_bytes(_png(colour))
    odd = Recipe.from_dict({"name": "odd", "data": {"source": f"images:{folder}"}, "model": TINY_CNN,
                            "training": {"epochs": 3, "batch_size": 8}})
    runs = {name: train_recipe(r, runs_root=root).run_dir for name, r in
            (("digits", digits), ("iris", iris), ("odd", odd))}
    export_run(runs["digits"])
    export_run(runs["odd"])
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


def _captions(at: AppTest) -> list[list[str]]:
    """The captions of each st.image call, as the browser shows them."""
    return [[shown(i.caption) for i in el.proto.imgs] for el in at.main.get("image")]


def _cell_box(at: AppTest, run):
    return at.selectbox(key=f"evaluate.mistakes.{run.name}.cell")


def test_gallery_of_misclassified_digits_filtered_by_a_cell(at, saved):
    _open(at, "evaluate", saved["digits"])
    box = _cell_box(at, saved["digits"])
    assert box.value is None and box.options[0].startswith("every misclassified test row (")
    mistakes, hardest = _captions(at)
    assert 0 < len(mistakes) <= 24 and len(hardest) == 12
    assert all(" · predicted " in c and " · p(true) " in c for c in mistakes)
    assert not any(c.split(" · ")[0][5:] == c.split(" · ")[1][10:].split(" (")[0] for c in mistakes)
    cell = next(o for o in box.options[1:] if "wrong" in o)
    true, predicted = cell.split(" -> ")[0][5:], cell.split(" -> ")[1].split(" (")[0][10:]
    box.select(next(v for v in box.options if v == cell)).run()
    clean(at)
    assert f"Test pictures: true {true}, predicted {predicted}" in texts(at.subheader)
    chosen = _captions(at)[0]
    assert chosen and all(c.startswith(f"true {true} · predicted {predicted} (") for c in chosen)
    count = int(cell.split("(")[1].split(",")[0])
    assert len(chosen) == min(count, 24)
    assert (count > 24) == (f"The 24 least sure of their true class of {count}." in texts(at.caption))
    chart = at.get("plotly_chart")[0]
    assert chart.proto.selection_mode  # the matrix answers clicks


def test_misclassified_rows_of_a_table_run(at, saved):
    _open(at, "evaluate", saved["iris"])
    assert not at.main.get("image")
    tables = [d.value for d in at.dataframe if "p_true" in d.value.columns]
    assert len(tables) == 2  # the chosen cell's rows, the hardest rows
    rows, hardest = tables
    assert {"true", "predicted", "confidence", "sepal_length_cm"} <= set(rows.columns)
    assert (rows["true"] != rows["predicted"]).all() and len(hardest) <= 12
    box = _cell_box(at, saved["iris"])
    right = next(o for o in box.options[1:] if "right" in o)
    box.select(right).run()
    clean(at)
    rows = next(d.value for d in at.dataframe if "p_true" in d.value.columns)
    label = right.split(" -> ")[0][5:]
    assert len(rows) > 0 and set(rows["true"]) == set(rows["predicted"]) == {label}


def test_odd_class_names_are_shown_literally(at, saved):
    _open(at, "evaluate", saved["odd"])
    box = _cell_box(at, saved["odd"])
    box.select(box.options[-1]).run()  # a cell; its labels go into a subheader and the captions
    clean(at)
    for text in markdown_texts(at) + [c for group in at.get("image") for c in (i.caption for i in group.proto.imgs)]:
        assert live_markup(text) is None, text
    captions = [c for group in _captions(at) for c in group]
    assert captions and all(any(f"true {name} · predicted " in c for name in ODD) for c in captions)


def test_a_click_on_a_cell_names_it():
    labels = ["*star*", "<b>bold"]
    event = {"selection": {"points": [{"x": plotly_text("<b>bold"), "y": "*star*", "curve_number": 1}]}}
    assert cell_of(event, labels) == ("*star*", "<b>bold")
    assert cell_of({"selection": {"points": []}}, labels) is None
    assert cell_of(None, labels) is None
    assert cell_of({"selection": {"points": [{"x": "unknown", "y": "*star*"}]}}, labels) is None


def test_predict_pictures_with_top_k_bars(at, saved):
    _open(at, "predict", saved["odd"])
    uploader = by_key(at.get("file_uploader"), "predict.pictures")
    assert not at.radio  # no "One row" form for pictures
    files = [("red.png", _png((220, 10, 10), (40, 30)), "image/png"),
             ("broken.png", b"\x89PNG\r\n\x1a\nnot really", "image/png"),
             ("notes.jpg", b"just text", "image/jpeg"),
             ("blue.gif", _gif((10, 10, 220)), "image/gif")]
    uploader.set_value(files)
    at.run()
    assert not at.exception
    errors = texts(at.error).splitlines()
    assert len(errors) == 2 and "'broken.png'" in errors[0] and "'notes.jpg'" in errors[1]
    assert [c for group in _captions(at) for c in group] == ["red.png", "blue.gif"]
    bars = at.get("plotly_chart")
    assert len(bars) == 2
    import json

    spec = json.loads(bars[0].proto.spec)
    assert len(spec["data"][0]["y"]) == 3 and spec["layout"]["title"]["text"] == "Top 3 classes"
    assert shown(at.markdown[0].value).split(" (")[0].strip("*") in ODD


def _gif(colour) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), colour).save(buf, "GIF")
    return buf.getvalue()


def test_predict_pictures_of_digits(at, saved):
    _open(at, "predict", saved["digits"])
    buf = io.BytesIO()
    Image.fromarray((np.eye(8) * 255).astype(np.uint8), "L").save(buf, "PNG")
    by_key(at.get("file_uploader"), "predict.pictures").set_value([("eight.png", buf.getvalue(), "image/png")])
    at.run()
    clean(at)
    assert shown(at.markdown[0].value).split(" (")[0].strip("*") in [str(d) for d in range(10)]


def test_top_k_bars_show_labels_literally():
    from components.predict_pictures import top_k_figure

    fig = top_k_figure([("<b>bold", 0.7), ("*star*", 0.2), ("[a](x)", 0.1)])
    assert list(fig.data[0].y) == ["&lt;b&gt;bold", "*star*", "[a](x)"] and list(fig.data[0].x) == [0.7, 0.2, 0.1]
    assert fig.layout.title.text == "Top 3 classes"
