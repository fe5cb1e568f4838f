"""Integrated Gradients per raw column and per pixel: completeness, shapes, the baselines."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from studio.errors import RunError
from studio.explain import attribute, typical_row
from studio.explain.baseline import encoded_baseline
from studio.preprocess.encoder import CategoricalColumn, Encoder
from studio.runs import RunDir, load_run


def _complete(a, rtol: float = 0.02, atol: float = 1e-3) -> None:
    """The attributions of each row add up to f(row) - f(baseline)."""
    np.testing.assert_allclose(a.table.sum(axis=1).to_numpy(), a.outputs - a.base_outputs, rtol=rtol, atol=atol)
    assert np.abs(a.deltas).max() < atol


def test_table_rows_completeness_and_one_value_per_raw_column(table_run: Path):
    run = load_run(table_run)
    rows = run.test_frame().head(40)
    a = attribute(run, rows)
    assert list(a.table.columns) == ["signal", "noise", "when", "colour"]
    assert a.table.shape == (40, 4) and a.values.shape == (40, 4)
    _complete(a)
    proba = run.predict_frame(rows)
    np.testing.assert_allclose(a.outputs, proba.max(axis=1), rtol=1e-5)  # the predicted class's probability
    assert a.targets == [run.class_labels[i] for i in proba.argmax(axis=1)]
    mean = a.table.abs().mean()
    assert mean["signal"] > mean["noise"]
    one = a.row(0)
    assert list(one.columns) == ["column", "kind", "value", "attribution"]
    assert one["attribution"].abs().is_monotonic_decreasing
    assert one.set_index("column").loc["colour", "value"] == rows["colour"].iloc[0]
    assert one.set_index("column").loc["signal", "value"] == f"{rows['signal'].iloc[0]:g}"
    assert "2" in one.set_index("column").loc["when", "value"]  # the date's parts: "when_year 2021, ..."


def test_a_chosen_class_and_a_regression(table_run: Path, regression_run: Path):
    run = load_run(table_run)
    rows = run.test_frame().head(5)
    a = attribute(run, rows, target=[0] * 5)
    assert a.targets == [run.class_labels[0]] * 5
    np.testing.assert_allclose(a.outputs, run.predict_frame(rows)[:, 0], rtol=1e-5)
    _complete(a)
    reg = load_run(regression_run)
    rows = reg.test_frame().head(8)
    b = attribute(reg, rows)
    assert b.targets == ["value"] * 8
    np.testing.assert_allclose(b.outputs, reg.predict_frame(rows)[:, 0], rtol=1e-5)
    _complete(b, atol=0.01)  # target units (values of about 5)


def test_a_missing_number_is_filled_as_the_model_fills_it(table_run: Path):
    run = load_run(table_run)
    rows = run.test_frame().head(3).copy()
    rows["signal"] = np.nan
    a = attribute(run, rows)
    assert np.isfinite(a.table.to_numpy()).all()
    np.testing.assert_allclose(a.outputs, run.predict_frame(rows).max(axis=1), rtol=1e-5)
    _complete(a)
    assert list(a.values["signal"]) == [""] * 3


def test_the_baseline_is_a_typical_training_row(table_run: Path):
    run = load_run(table_run)
    saved = RunDir(table_run).read_prepared()["typical_row"]
    assert set(saved) == {"signal", "noise", "when_year", "when_month", "when_dayofweek", "colour"}
    assert saved["colour"] in {"red", "blue", "green"}
    encoded, row, words = encoded_baseline(run)
    assert row == saved and "training" in words
    assert encoded.shape == (len(run.preprocessor.encoded_names),)
    assert encoded[-3:].sum() == 1.0  # one indicator of the most frequent colour
    frame = pd.DataFrame({"x": [1.0, 2.0, 10.0, None], "c": ["a", "b", "b", None]})
    pre = SimpleNamespace(encoder=Encoder(["x"], [CategoricalColumn("c", ["a", "b"])]))
    assert typical_row(pre, frame) == {"x": 1.5 + 0.5, "c": "b"}  # median of 1, 2, 10; the commonest category
    assert typical_row(pre, frame.head(0).astype(object)) == {"x": None, "c": None}


def test_pictures_get_a_heatmap_per_pixel(digits_run: Path):
    run = load_run(digits_run)
    images = {k: v[:6] for k, v in run.test_images().items()}
    rows = run.test_frame().head(6)
    a = attribute(run, rows, images)
    heat = a.heatmaps["image"]
    assert heat.shape == (6, 8, 8) and heat.dtype == np.float32 and (heat >= 0).all() and heat.sum() > 0
    assert list(a.table.columns) == ["image"]
    _complete(a)
    m = attribute(run, rows, images, image_baseline_kind="mean")
    _complete(m)
    assert "mean colour" in m.baseline and "black" in a.baseline
    with pytest.raises(RunError, match="baseline"):
        attribute(run, rows, images, image_baseline_kind="grey")
    with pytest.raises(RunError, match="no row"):
        attribute(run, rows.head(0), {k: v[:0] for k, v in images.items()})


def test_a_run_without_training_medians_falls_back_to_its_test_rows(table_run: Path, tmp_path: Path):
    import json
    import shutil

    copy = Path(shutil.copytree(table_run, tmp_path / "old"))
    prep = json.loads((copy / RunDir.PREPARED).read_text())
    del prep["typical_row"]
    (copy / RunDir.PREPARED).write_text(json.dumps(prep))
    run = load_run(copy)
    _, row, words = encoded_baseline(run)
    assert "typical test row" in words and "no training medians" in words
    assert row["signal"] == pytest.approx(float(run.test_frame()["signal"].median()))
    a = attribute(run, run.test_frame().head(4))
    assert "typical test row" in a.baseline
    _complete(a)
