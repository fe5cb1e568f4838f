"""A classification run's predictions on its test split (the Evaluate page's gallery and filter)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studio.errors import RunError
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.runs import load_run, test_predictions
from studio.runs.predictions import confusion_cells, hardest, in_cell

TINY_CNN = [{"kind": "conv2d", "filters": 4, "kernel_size": 3, "padding": "same"}, {"kind": "activation", "fn": "relu"},
            {"kind": "maxpool2d", "kernel_size": 2}, {"kind": "flatten"}]


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    recipe = Recipe.from_dict({"name": "tiny-digits", "data": {"source": "builtin:digits"}, "model": TINY_CNN,
                               "training": {"epochs": 1, "batch_size": 64, "seed": 0}})
    return train_recipe(recipe, runs_root=tmp_path_factory.mktemp("runs")).run_dir


def test_one_row_per_test_picture_with_the_models_own_probabilities(digits_run):
    run = load_run(digits_run)
    preds = test_predictions(run)
    frame, images = run.test_frame(), run.test_images()
    assert list(preds.columns) == ["true", "predicted", "confidence", "p_true", "correct"]
    assert preds.index.name == "row"
    assert list(preds.index) == list(range(len(frame))) == list(range(len(images["image"])))
    proba = run.predict_frame(frame, images)
    labels = np.asarray(run.class_labels)
    assert list(preds["predicted"]) == list(labels[proba.argmax(1)])
    assert list(preds["true"]) == list(frame["digit"].astype(str))
    np.testing.assert_allclose(preds["confidence"], proba.max(1), rtol=1e-6)
    codes = [run.class_labels.index(t) for t in preds["true"]]
    np.testing.assert_allclose(preds["p_true"], proba[np.arange(len(codes)), codes], rtol=1e-6)
    assert (preds["correct"] == (preds["true"] == preds["predicted"])).all()
    assert (preds["p_true"] <= preds["confidence"] + 1e-12).all()


def test_counts_agree_with_the_runs_confusion_matrix(digits_run):
    run = load_run(digits_run)
    preds = test_predictions(run)
    matrix = np.asarray(run.summary.metrics["test"]["confusion_matrix"])
    labels = run.class_labels
    cells = confusion_cells(preds)
    for cell in cells.itertuples():
        assert matrix[labels.index(cell.true), labels.index(cell.predicted)] == cell.count
    assert cells["count"].sum() == matrix.sum() == len(preds)
    mistakes = cells[cells["true"] != cells["predicted"]]
    assert list(cells.index[: len(mistakes)]) == list(mistakes.index)  # mistakes come first
    assert mistakes["count"].is_monotonic_decreasing


def test_filters_by_cell_and_the_hardest_examples(digits_run):
    preds = test_predictions(load_run(digits_run))
    wrong = in_cell(preds)
    assert len(wrong) == int((~preds["correct"]).sum()) > 0  # one epoch of a 4-filter CNN makes mistakes
    assert wrong["p_true"].is_monotonic_increasing
    first = confusion_cells(preds).iloc[0]
    cell = in_cell(preds, first["true"], first["predicted"])
    assert len(cell) == first["count"]
    assert set(cell["true"]) == {first["true"]} and set(cell["predicted"]) == {first["predicted"]}
    five = hardest(preds, 5)
    assert len(five) == 5 and five["p_true"].max() <= preds.drop(index=five.index)["p_true"].min()


def test_a_tabular_run_and_a_regression(tmp_path):
    iris = Recipe.from_dict({"name": "iris", "data": {"source": "builtin:iris"}, "training": {"epochs": 2}})
    preds = test_predictions(load_run(train_recipe(iris, runs_root=tmp_path).run_dir))
    assert set(preds["true"]) <= {"setosa", "versicolor", "virginica"} and len(preds) > 10
    reg = Recipe.from_dict({"name": "reg", "data": {"source": "builtin:diabetes"}, "training": {"epochs": 1}})
    with pytest.raises(RunError, match="regression"):
        test_predictions(load_run(train_recipe(reg, runs_root=tmp_path).run_dir))


def test_a_label_the_model_does_not_know_is_a_run_error(digits_run, tmp_path):
    import shutil

    copy = shutil.copytree(digits_run, tmp_path / "copy")
    rows = pd.read_csv(copy / "test.csv", dtype=str)
    rows.loc[0, "digit"] = "eleven"
    rows.to_csv(copy / "test.csv", index=False)
    with pytest.raises(RunError, match="eleven"):
        test_predictions(load_run(copy))
