"""Prediction from model.onnx alone: raw rows, gaps, unseen categories, and a person's mistakes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from studio.errors import DataError, ExportError
from studio.export.parity import torch_outputs
from studio.export.predict import predict_csv, predict_frame
from studio.export.session import make_session


def test_raw_rows_match_torch_path(exported):
    """Unscaled values, NaN, a missing category (filled), a rare grouped one and an unseen one."""
    run, report = exported
    rows = pd.DataFrame({
        "a": [50.0, np.nan, 80.0, 12.5, np.inf, 50.0],
        "b": [0.002, 0.004, np.nan, 0.0, 0.001, 0.003],
        "color": ["red", np.nan, "violet", "never-seen", "green", "blue"],
    })
    got = predict_frame(make_session(report.model_path), rows)
    ref = torch_outputs(run, rows)
    np.testing.assert_allclose(got[["proba_no", "proba_yes"]].to_numpy(), ref, rtol=1e-4, atol=1e-5)
    assert list(got["prediction"]) == list(np.array(["no", "yes"])[ref.argmax(1)])


def test_predict_csv_writes_label_and_probabilities(exported, tmp_path):
    run, report = exported
    csv = tmp_path / "rows.csv"
    run.frame.drop(columns=["label"]).to_csv(csv, index=False)
    out = predict_csv(report.model_path, csv)
    assert list(out.columns) == ["prediction", "proba_no", "proba_yes"]
    assert len(out) == len(run.frame) and set(out["prediction"]) <= {"no", "yes"}
    np.testing.assert_allclose(out[["proba_no", "proba_yes"]].sum(axis=1), 1.0, atol=1e-5)
    assert out.attrs["notices"] == []


def test_extra_columns_are_ignored_with_a_notice(exported, tmp_path):
    run, report = exported
    csv = tmp_path / "extra.csv"
    run.frame.assign(comment="hi", row_id=range(len(run.frame))).to_csv(csv, index=False)
    out = predict_csv(report.model_path, csv)
    assert len(out) == len(run.frame)
    assert out.attrs["notices"] == ["ignored 2 column(s) the model does not use: comment, row_id"]


def test_missing_column_is_named(exported, tmp_path):
    run, report = exported
    csv = tmp_path / "missing.csv"
    run.frame.drop(columns=["b", "color"]).to_csv(csv, index=False)
    with pytest.raises(ExportError, match="'b', 'color'"):
        predict_csv(report.model_path, csv)


def test_text_in_numeric_column_is_named_with_an_example(exported, tmp_path):
    run, report = exported
    csv = tmp_path / "bad.csv"
    run.frame.assign(a=["oops", *list(run.frame["a"][1:])]).to_csv(csv, index=False)
    with pytest.raises(DataError, match=r"column 'a'.*'oops'"):
        predict_csv(report.model_path, csv)


@pytest.mark.parametrize("text", ["", "a,b,color\n"])
def test_empty_file_is_an_error(exported, tmp_path, text):
    _, report = exported
    csv = tmp_path / "empty.csv"
    csv.write_text(text)
    with pytest.raises(DataError):
        predict_csv(report.model_path, csv)


def test_missing_model_file(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        predict_csv(tmp_path / "model.onnx", tmp_path / "x.csv")


def test_predict_does_not_import_torch(exported, tmp_path):
    run, report = exported
    csv = tmp_path / "rows.csv"
    run.frame.head(5).to_csv(csv, index=False)
    code = (f"import sys; from studio.export.predict import predict_csv; "
            f"out = predict_csv({str(report.model_path)!r}, {str(csv)!r}); "
            "assert len(out) == 5; assert 'torch' not in sys.modules, 'torch imported'; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
