"""A series run end to end: the ONNX file takes raw windows float32 [batch, window, series], matches torch on
the test windows (batch 1 and full), and `studio predict` forecasts from a CSV's last window."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pandas as pd
import pytest
import torch

from studio.cli import main
from studio.data import load_table
from studio.errors import DataError, ExportError
from studio.export.exporter import export_run
from studio.export.predict import predict_csv, predict_frame, read_schema
from studio.export.session import make_session
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.runs import load_run

MLP = [{"kind": "flatten"}, {"kind": "dense", "units": 16}, {"kind": "activation", "fn": "relu"}]


def _recipe(data: dict, epochs: int = 3) -> Recipe:
    return Recipe.from_dict({"name": "series", "data": data, "model": MLP,
                             "training": {"epochs": epochs, "device": "cpu", "batch_size": 32}})


@pytest.fixture(scope="module")
def seasonal_run(tmp_path_factory) -> Path:
    """The generated monthly set: two series (temperature, demand), a 24-month window, a 3-month forecast."""
    root = tmp_path_factory.mktemp("runs")
    run = train_recipe(_recipe({"source": "builtin:seasonal"}), runs_root=root).run_dir
    export_run(run)
    return run


def test_the_file_takes_raw_windows_and_matches_torch(seasonal_run) -> None:
    report = (seasonal_run / "export.json").read_text()
    assert '"passed": true' in report
    session = make_session(seasonal_run / "model.onnx")
    [graph_input] = session.get_inputs()
    assert (graph_input.name, graph_input.type, graph_input.shape) == ("series", "tensor(float)", ["batch", 24, 2])
    assert session.get_outputs()[0].shape == ["batch", 3]
    schema = read_schema(session)
    assert schema.series.columns == ["temperature", "demand"] and schema.series.horizon == 3
    run = load_run(seasonal_run)
    steps = run.test_frame()
    from studio.data.series_rows import sample_frame

    _, windows = sample_frame(steps, run.series)
    for rows in (windows[:1], windows):  # batch 1 and the whole test part
        got = session.run(["prediction"], {"series": rows})[0]
        with torch.inference_mode():
            ref = run.inference_module()(torch.from_numpy(rows)).numpy()
        np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-3)


def test_predict_forecasts_from_the_last_window_of_a_csv(seasonal_run, tmp_path) -> None:
    table = load_table(Recipe.from_dict({"data": {"source": "builtin:seasonal"}}).data)
    steps = table.frame.iloc[-30:]
    shuffled = steps.sample(frac=1.0, random_state=0)  # a CSV in any order: sorted by its time column
    shuffled.to_csv(tmp_path / "steps.csv", index=False)
    result = predict_csv(seasonal_run / "model.onnx", tmp_path / "steps.csv")
    assert result["step"].tolist() == ["t+1", "t+2", "t+3"]
    assert result["month"].tolist() == ["2020-01-01", "2020-02-01", "2020-03-01"]  # after the last step, 2019-12
    last = steps[["temperature", "demand"]].to_numpy(dtype=np.float32)[-24:][None]
    with torch.inference_mode():
        expected = load_run(seasonal_run).inference_module()(torch.from_numpy(last)).numpy()[0]
    np.testing.assert_allclose(result["prediction"].to_numpy(), expected, rtol=1e-4, atol=1e-3)
    assert any("sorted the rows by 'month'" in n for n in result.attrs["notices"])


def test_predict_on_the_command_line(seasonal_run, tmp_path, capsys) -> None:
    table = load_table(Recipe.from_dict({"data": {"source": "builtin:seasonal"}}).data)
    table.frame.iloc[-24:].to_csv(tmp_path / "steps.csv", index=False)
    out = tmp_path / "forecast.csv"
    assert main(["predict", str(seasonal_run / "model.onnx"), str(tmp_path / "steps.csv"), "--out", str(out)]) == 0
    assert pd.read_csv(out).columns.tolist() == ["step", "month", "prediction"]
    (tmp_path / "short.csv").write_text("month,temperature,demand\n2020-01-01,3,100\n")
    assert main(["predict", str(seasonal_run / "model.onnx"), str(tmp_path / "short.csv")]) == 2
    err = capsys.readouterr().err
    assert "the rows hold 1 step, but the model reads windows of 24 steps; give at least the last 24" in err


@pytest.mark.parametrize(("change", "error", "words"), [
    (lambda f: f.drop(columns=["temperature"]), DataError, "lack the column(s) 'temperature'"),
    (lambda f: f.assign(demand=f["demand"].astype(object).where(f.index != f.index[3], "lots")), DataError,
     "the series column 'demand' must hold numbers but has 1 value that is not, e.g. 'lots'"),
    (lambda f: f.assign(month=f["month"].where(f.index != f.index[0], "soon")), DataError,
     "the time column 'month' has 1 value that is not dates or numbers"),
    (lambda f: f.head(10), DataError, "the rows hold 10 steps"),
])
def test_bad_rows_to_predict_are_one_sentence(seasonal_run, change, error, words) -> None:
    table = load_table(Recipe.from_dict({"data": {"source": "builtin:seasonal"}}).data)
    session = make_session(seasonal_run / "model.onnx")
    with pytest.raises(error) as err:
        predict_frame(session, change(table.frame.iloc[-30:]))
    assert words in str(err.value)


def test_missing_steps_to_predict_are_filled_with_a_notice(seasonal_run) -> None:
    table = load_table(Recipe.from_dict({"data": {"source": "builtin:seasonal"}}).data)
    frame = table.frame.iloc[-30:].copy()
    frame.loc[frame.index[-2], "demand"] = np.nan
    result = predict_frame(make_session(seasonal_run / "model.onnx"), frame)
    assert "filled 1 missing value of 'demand' linearly between neighbouring steps" in result.attrs["notices"]


def test_a_window_classifier_exports_and_labels_every_window(tmp_path) -> None:
    t = np.arange(300)
    frame = pd.DataFrame({"step": t, "signal": np.sin(t / 4.0).round(4),
                          "phase": np.where(np.cos(t / 4.0) > 0, "rising", "falling")})
    frame.to_csv(tmp_path / "phases.csv", index=False)
    recipe = _recipe({"source": f"csv:{tmp_path / 'phases.csv'}", "target": "phase",
                      "series": {"time": "step", "window": 6, "task": "classify"}}, epochs=20)
    result = train_recipe(recipe, runs_root=tmp_path / "runs")
    assert result.summary.metrics["test"]["accuracy"] >= 0.9
    report = export_run(result.run_dir)
    assert report.parity["passed"] and report.parity["label_agreement"] == 1.0
    labels = predict_csv(result.run_dir / "model.onnx", tmp_path / "phases.csv")
    assert len(labels) == 300 - 6 + 1 and labels["step"].iloc[0] == 5  # one row per window, at its last step
    assert (labels["prediction"] == frame["phase"].iloc[5:].to_numpy()).mean() >= 0.85
    from studio.runs.predictions import test_predictions

    preds = test_predictions(load_run(result.run_dir))  # the Evaluate page's rows: one per test window
    assert len(preds) == result.summary.rows["test"]
    assert preds["correct"].mean() == pytest.approx(result.summary.metrics["test"]["accuracy"])


def test_a_damaged_series_schema_is_named(seasonal_run, tmp_path) -> None:
    import onnx

    model = onnx.load(str(seasonal_run / "model.onnx"))
    props = {p.key: p.value for p in model.metadata_props}
    props["studio.schema"] = props["studio.schema"].replace('"window": 24', '"window": 12')
    onnx.helper.set_model_props(model, props)
    onnx.save(model, str(tmp_path / "changed.onnx"))
    with pytest.raises(ExportError, match="series input 'series' takes"):
        read_schema(ort.InferenceSession(str(tmp_path / "changed.onnx"), providers=["CPUExecutionProvider"]))


def test_the_test_forecasts_are_the_summary_s_numbers(seasonal_run) -> None:
    from studio.runs.forecasts import test_forecasts
    from studio.runs.summary import RunSummary
    from studio.train.metrics import regression_metrics

    table = test_forecasts(load_run(seasonal_run))
    assert list(table.columns) == ["month", "demand[t+1]", "demand[t+2]", "demand[t+3]", "predicted[t+1]",
                                   "predicted[t+2]", "predicted[t+3]"]
    summary = RunSummary.from_dict(json.loads((seasonal_run / "summary.json").read_text()))
    found = regression_metrics(table.iloc[:, 1:4].to_numpy(), table.iloc[:, 4:].to_numpy())
    assert found["rmse"] == pytest.approx(summary.metrics["test"]["rmse"], rel=1e-4)
    assert len(table) == summary.rows["test"]


def test_the_card_s_example_runs_on_a_window(seasonal_run, monkeypatch, capsys) -> None:
    card = json.loads((seasonal_run / "model_card.json").read_text())
    code = next(v for k, v in card.items() if "example" in k)
    assert '"series": np.array([[[' in code and "dtype=np.float32" in code
    monkeypatch.chdir(seasonal_run)
    exec(code, {})  # the card's own lines, as a person would paste them
    assert capsys.readouterr().out.count(".") >= 3  # three forecast values printed
