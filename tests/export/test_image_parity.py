"""Exported picture models (trained digits and shapes runs): parity with torch at the full test batch
and at batch 1, single pictures through the file alone, and uploaded picture bytes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from studio.errors import DataError
from studio.export import export_run, make_session
from studio.export.parity import Rows, check_parity, onnx_outputs
from studio.export.pictures import predict_pictures
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.runs import load_run

TINY_CNN = [{"kind": "conv2d", "filters": 4, "kernel_size": 3, "padding": "same"}, {"kind": "activation", "fn": "relu"},
            {"kind": "maxpool2d", "kernel_size": 2}, {"kind": "flatten"}]
SOURCES = {"digits": ("builtin:digits", {}), "shapes": ("builtin:shapes", {"n_samples": 180})}


@pytest.fixture(scope="module", params=["digits", pytest.param("shapes", marks=pytest.mark.slow)])
def exported(request, tmp_path_factory):
    source, options = SOURCES[request.param]
    recipe = Recipe.from_dict({"name": f"tiny-{request.param}", "data": {"source": source, "options": options},
                               "model": TINY_CNN, "training": {"epochs": 1, "batch_size": 32}})
    run_dir = train_recipe(recipe, runs_root=tmp_path_factory.mktemp("runs")).run_dir
    return run_dir, export_run(run_dir)


def test_the_export_report_checked_the_full_batch_and_batch_one(exported):
    run_dir, report = exported
    run = load_run(run_dir)
    n = len(run.test_frame())
    assert n == len(run.test_images()["image"]) > 1
    assert report.parity["passed"] and report.parity["rows"] == n and report.parity["batch_sizes"] == [n, 1]
    assert report.parity["label_agreement"] == 1.0


def test_each_picture_alone_equals_the_full_batch_and_torch(exported):
    run_dir, report = exported
    run = load_run(run_dir)
    rows = Rows(run.test_frame(), run.test_images())
    session = make_session(report.model_path)
    full = onnx_outputs(session, rows)
    torch_full = run.predict_frame(rows.frame, rows.images)
    np.testing.assert_allclose(full, torch_full, rtol=1e-4, atol=1e-4)
    for i in (0, len(rows) // 2, len(rows) - 1):
        alone = onnx_outputs(session, rows.take([i]))
        assert alone.shape == (1, full.shape[1])
        np.testing.assert_allclose(alone[0], full[i], rtol=1e-4, atol=1e-5)
    again = check_parity(report.model_path, run, rows.take([3, 1, 2]))  # any subset, any order
    assert again.passed and again.batch_sizes == [3, 1]


def test_uploaded_picture_bytes_are_labelled_like_the_test_pictures(exported):
    run_dir, report = exported
    run = load_run(run_dir)
    pixels = run.test_images()["image"][:4]  # (4, C, H, W) at the training size: decoding a PNG of them is exact
    files = []
    for i, chw in enumerate(pixels):
        hwc = chw.transpose(1, 2, 0)
        buf = io.BytesIO()
        Image.fromarray(hwc[:, :, 0] if hwc.shape[2] == 1 else hwc).save(buf, "PNG")
        files.append((f"{i}.png", buf.getvalue()))
    files.insert(2, ("junk.png", b"not a picture"))
    result = predict_pictures(make_session(report.model_path), files, "model.onnx")
    assert result.names == ["0.png", "1.png", "2.png", "3.png"] and result.kept == [0, 1, 3, 4]
    assert [name for name, _ in result.failed] == ["junk.png"] and "not a readable image" in result.failed[0][1]
    expected = run.predict_frame(run.test_frame().head(4), {"image": pixels})
    np.testing.assert_allclose(result.probabilities, expected, rtol=1e-4, atol=1e-4)
    top = result.top(0, 3)
    assert len(top) == 3 and top[0][1] >= top[1][1] >= top[2][1]
    assert top[0][0] == run.class_labels[int(expected[0].argmax())]


def test_pictures_need_a_picture_classifier(tmp_path):
    recipe = Recipe.from_dict({"name": "iris", "data": {"source": "builtin:iris"}, "training": {"epochs": 1}})
    report = export_run(train_recipe(recipe, runs_root=tmp_path).run_dir)
    with pytest.raises(DataError, match="classifier of pictures"):
        predict_pictures(make_session(report.model_path), [("a.png", b"")], "model.onnx")
