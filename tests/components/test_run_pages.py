"""Evaluate, Export and Predict in AppTest, on runs trained and exported once for this module."""

from __future__ import annotations

import datetime
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from studio.export import export_run
from studio.pipeline import train_recipe
from studio.recipe import Recipe, load_recipe
from tests.components.helpers import APP, TIMEOUT, by_key, clean, texts
from tests.conftest import PRESETS


def _train(root, preset: str, epochs: int):
    r = load_recipe(PRESETS / f"{preset}.json")
    r = r.updated(training={**r.training.model_dump(), "epochs": epochs})
    return train_recipe(r, runs_root=root).run_dir


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """An exported iris run and an unexported diabetes (regression) run in one runs folder."""
    root = tmp_path_factory.mktemp("runs")
    iris = _train(root, "iris-mlp", 5)
    export_run(iris)
    diabetes = _train(root, "diabetes-regression", 3)
    mp = pytest.MonkeyPatch()
    mp.setenv("STUDIO_RUNS_DIR", str(root))
    mp.setenv("STUDIO_SHARED_RUNS", "1")  # runs made by the CLI belong to no app user
    yield {"root": root, "iris": iris, "diabetes": diabetes}
    mp.undo()


def _open(at: AppTest, page: str, run=None) -> AppTest:
    at.switch_page(f"app_pages/{page}.py").run()
    if run is not None:
        at.selectbox(key=f"{page}.run.none").set_value(str(run)).run()
    clean(at)
    return at


def frame_with(at: AppTest, column: str):
    """The shown table that has ``column`` (AppTest does not keep a dataframe's key)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with column {column!r}"
    return found[0]


def _titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_evaluate_classification(at, saved):
    _open(at, "evaluate", saved["iris"])
    labels = {m.label for m in at.metric}
    assert {"accuracy", "f1 macro", "roc auc"} <= labels
    titles = _titles(at)
    assert "Confusion matrix (counts)" in titles and any(t.startswith("ROC curves") for t in titles)
    per_class = frame_with(at, "recall")
    assert list(per_class["class"]) == ["setosa", "versicolor", "virginica"]
    at.toggle(key="evaluate.normalize").set_value(True).run()
    assert "Confusion matrix, normalized by true class" in _titles(at)


def test_evaluate_regression_and_runs_table(at, saved):
    _open(at, "evaluate", saved["diabetes"])
    assert {"r2", "rmse", "mae"} <= {m.label for m in at.metric}
    titles = _titles(at)
    assert any(t.startswith("Predicted vs actual") for t in titles) and any(t.startswith("Residuals") for t in titles)
    table = frame_with(at, "epochs")
    assert sorted(table["name"]) == ["diabetes-regression", "iris-mlp"]
    assert sum(t.startswith("validation loss") for t in titles) == 1
    compare = at.multiselect(key="evaluate.compare")
    assert len(compare.value) == 2
    compare.set_value([compare.value[0]]).run()
    clean(at)


def test_evaluate_without_runs(at, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path / "none"))
    _open(at, "evaluate")
    assert "No finished run yet" in texts(at.info) and "No saved runs" in texts(at.info)


def test_export_report_and_downloads(at, saved):
    _open(at, "export", saved["iris"])
    assert "Parity check PASSED" in texts(at.success)
    assert "Test metrics: torch vs exported ONNX" in _titles(at)
    downloads = {b.label: b for b in at.get("download_button") if str(b.key).startswith("export.download.")}
    assert set(downloads) == {"model.onnx", "model_card.json", "recipe.json", "metrics.csv"}
    assert not any(b.proto.disabled for b in downloads.values())


def test_export_notes_are_shown(at, saved):
    """E.g. that the graph was exported unfused because the fused one missed the parity check."""
    path = saved["iris"] / "export.json"
    original = path.read_text()
    path.write_text(json.dumps({**json.loads(original), "notes": ["model.onnx keeps the preprocessing nodes unfused"]}))
    try:
        _open(at, "export", saved["iris"])
        assert "model.onnx keeps the preprocessing nodes unfused" in texts(at.info)
    finally:
        path.write_text(original)


def test_export_button_int8_and_latency(at, saved):
    _open(at, "export", saved["diabetes"])
    assert "not been exported yet" in texts(at.info)
    at.checkbox(key="export.int8").check()
    at.number_input(key="export.opset").set_value(18)
    by_key(at.button, "export.run").click().run()
    clean(at)
    assert "Parity check PASSED" in texts(at.success)
    assert "int8 model" in texts(at.markdown)
    report = json.loads((saved["diabetes"] / "export.json").read_text())
    assert report["opset"] == 18 and report["int8_path"] == "model.int8.onnx"
    by_key(at.button, "export.bench").click().run()
    clean(at)
    bench = frame_with(at, "p50_us")
    assert "onnxruntime int8" in set(bench["runtime"])
    assert "Median latency per call (lower is better)" in _titles(at)


def test_predict_one_row_and_csv(at, saved):
    _open(at, "predict", saved["iris"])
    assert at.number_input(key="predict.field.sepal_length_cm").value > 0  # prefilled from a test row
    next(b for b in at.button if b.label == "Predict").click().run()
    clean(at)
    assert at.metric[0].label.startswith("Predicted ")
    assert at.metric[0].value in {"setosa", "versicolor", "virginica"}
    assert "Predicted probability of each class" in _titles(at)

    at.radio(key="predict.mode").set_value("CSV file").run()
    csv = (saved["iris"] / "test.csv").read_bytes()
    by_key(at.get("file_uploader"), "predict.csv").upload("rows.csv", csv, "text/csv")
    at.run()
    clean(at)
    result = frame_with(at, "prediction")
    assert len(result) == csv.decode().count("\n") - 1 and "proba_setosa" in result.columns
    assert by_key(at.get("download_button"), "predict.download").proto.label.startswith("Download predictions")

    bad = b"petal_width_cm,petal_length_cm\n1,2\n"
    by_key(at.get("file_uploader"), "predict.csv").upload("bad.csv", bad, "text/csv")
    at.run()
    assert "lacks column(s)" in texts(at.error) and "sepal_length_cm" in texts(at.error)


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    """An exported run of a CSV whose date column the model sees as year, month and weekday."""
    root = tmp_path_factory.mktemp("dated")
    rng = np.random.default_rng(0)
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 500, 160), unit="D")
    amount = rng.normal(size=160)
    pd.DataFrame({"when": day.strftime("%Y-%m-%d"), "amount": amount,
                  "label": np.where(amount + (day.month > 6) > 0.5, "hi", "lo")}).to_csv(root / "d.csv", index=False)
    recipe = Recipe.from_dict({"name": "dated", "data": {"source": f"csv:{root / 'd.csv'}", "target": "label"},
                               "model": [{"kind": "dense", "units": 8}], "training": {"epochs": 2}})
    run_dir = train_recipe(recipe, runs_root=root).run_dir
    export_run(run_dir)
    mp = pytest.MonkeyPatch()
    mp.setenv("STUDIO_RUNS_DIR", str(root))
    mp.setenv("STUDIO_SHARED_RUNS", "1")  # runs made by the CLI belong to no app user
    yield run_dir
    mp.undo()


def test_predict_asks_a_date_column_as_a_date(at, dated):
    _open(at, "predict", dated)
    assert [d.label for d in at.date_input] == ["when"]  # not when_year / when_month / when_dayofweek
    assert not any(n.label.startswith("when_") for n in at.number_input)
    at.date_input(key="predict.date.when").set_value(datetime.date(2024, 11, 5)).run()
    next(b for b in at.button if b.label == "Predict").click().run()
    clean(at)
    assert at.metric[0].value in {"hi", "lo"}


def test_evaluate_continues_a_run_as_a_new_linked_run(at, saved, tmp_path, monkeypatch):
    import time

    from studio.runs import RunDir, list_runs

    root = tmp_path / "continued"
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(root))
    parent = _train(root, "iris-mlp", 3)
    _open(at, "evaluate", parent)
    at.number_input(key="evaluate.continue.epochs").set_value(2).run()
    at.button(key="evaluate.continue.button").click().run()
    assert not at.exception and not at.error
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(r.status == "completed" and r.path != parent
                                                  for r in list_runs(root)):
        time.sleep(0.2)
    child = next(r.path for r in list_runs(root) if r.path != parent)
    assert RunDir(child).summary().extra["parent"] == RunDir(parent).id
    assert RunDir(child).history()["epoch"].tolist() == [1, 2, 3, 4, 5]
    fresh = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()  # a tab with no run of its own
    _open(fresh, "evaluate", child)
    assert any("Continued from run" in e.value for e in fresh.text)


def test_evaluate_says_why_a_run_cannot_continue(at, saved, tmp_path, monkeypatch):
    from studio.runs import RunDir

    root = tmp_path / "failed"
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(root))
    run = _train(root, "iris-mlp", 2)
    (run / RunDir.CHECKPOINT).write_bytes(b"damaged")
    _open(at, "evaluate", run)
    at.button(key="evaluate.continue.button").click().run()
    assert "checkpoint" in texts(at.error) and not at.exception


def test_evaluate_compares_the_network_with_simple_models(at, saved, tmp_path, monkeypatch):
    root = tmp_path / "baselines"
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(root))
    run = _train(root, "iris-mlp", 3)
    _open(at, "evaluate", run)
    at.button(key="evaluate.baselines.button").click().run()
    labels = {m.label for m in at.metric}
    assert {"network (accuracy)", "logistic regression (accuracy)", "gradient boosting (accuracy)"} <= labels
    assert not at.exception
