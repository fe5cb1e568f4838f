"""Prediction CSVs cannot run as spreadsheet formulas: text cells starting with = + - @ (or a tab or
carriage return) get a leading quote, numbers stay numbers; from `studio predict` and the Predict page."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from studio.cli import main
from studio.export import export_run
from studio.export.csv_safety import safe_cell, spreadsheet_safe, to_safe_csv
from studio.pipeline import train_recipe
from studio.recipe import Recipe

FORMULA_LABELS = ("=HYPERLINK(\"http://evil.example\",\"x\")", "@SUM(A1:A9)")


@pytest.mark.parametrize("cell, safe", [
    ("=1+1", "'=1+1"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("-5", "-5"), ("+1.5e3", "+1.5e3"), ("-.5", "-.5"),  # a text cell that is only a number holds no formula
    ("setosa", "setosa"), ("", ""), ("a=b", "a=b"),
    (-5.0, -5.0), (-3, -3), (None, None),
])
def test_safe_cell(cell, safe):
    assert safe_cell(cell) == safe


def test_text_cells_and_headers_are_quoted_numbers_are_not():
    frame = pd.DataFrame({"prediction": ["=1+1", "ok", "-x"], "=proba": [-0.5, 0.25, 1.0],
                          "label": pd.Categorical(["@a", "b", "@a"]), "count": [-1, 2, 3]})
    safe = spreadsheet_safe(frame)
    assert list(safe.columns) == ["prediction", "'=proba", "label", "count"]
    assert list(safe["prediction"]) == ["'=1+1", "ok", "'-x"] and list(safe["label"]) == ["'@a", "b", "'@a"]
    assert safe["'=proba"].tolist() == [-0.5, 0.25, 1.0] and safe["count"].dtype == frame["count"].dtype
    assert frame["prediction"][0] == "=1+1"  # the input is not changed
    lines = to_safe_csv(frame).splitlines()
    assert lines[0] == "prediction,'=proba,label,count" and lines[1] == "'=1+1,-0.5,'@a,-1"


def test_repeated_column_names_are_handled():
    frame = pd.DataFrame([["=a", "=b"]], columns=["x", "x"])
    assert spreadsheet_safe(frame).iloc[0].tolist() == ["'=a", "'=b"]


@pytest.fixture(scope="module")
def formula_model(tmp_path_factory):
    """An exported classifier whose class labels are spreadsheet formulas, and rows to predict."""
    root = tmp_path_factory.mktemp("formulas")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 2))
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "label": np.where(x[:, 0] > 0, *FORMULA_LABELS)})
    frame.to_csv(root / "train.csv", index=False)
    recipe = Recipe.from_dict({"name": "formulas", "data": {"source": f"csv:{root / 'train.csv'}", "target": "label"},
                               "model": [{"kind": "dense", "units": 8}], "training": {"epochs": 3}})
    run_dir = train_recipe(recipe, runs_root=root / "runs").run_dir
    export_run(run_dir)
    frame.drop(columns=["label"]).to_csv(root / "rows.csv", index=False)
    return run_dir, root / "rows.csv"


def _cells(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_studio_predict_writes_no_formulas(formula_model, tmp_path, capsys):
    run_dir, rows = formula_model
    out = tmp_path / "predictions.csv"
    assert main(["predict", str(run_dir / "model.onnx"), str(rows), "--out", str(out)]) == 0
    cells = _cells(out.read_text())
    assert set(cells["prediction"]) <= {"'" + label for label in FORMULA_LABELS}
    assert not any(c.startswith(("=", "@")) for c in cells.to_numpy().ravel())
    capsys.readouterr()
    assert main(["predict", str(run_dir / "model.onnx"), str(rows)]) == 0
    assert capsys.readouterr().out == out.read_text()


def test_the_predict_pages_download_holds_no_formulas(formula_model, monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from tests.components.helpers import APP, TIMEOUT, by_key

    run_dir, rows = formula_model
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(run_dir.parent))
    monkeypatch.setenv("STUDIO_SHARED_RUNS", "1")
    monkeypatch.setenv("STUDIO_UPLOADS_DIR", str(tmp_path / "uploads"))
    downloads: dict[str, bytes] = {}
    real = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename:
            downloads[filename] = path_or_data
        return real(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/predict.py").run()
    at.radio(key="predict.mode").set_value("CSV file").run()
    by_key(at.get("file_uploader"), "predict.csv").upload("rows.csv", rows.read_bytes(), "text/csv")
    at.run()
    assert not at.exception and not at.error
    cells = _cells(downloads["predictions-rows.csv"].decode())
    assert len(cells) == 120 and set(cells["prediction"]) <= {"'" + label for label in FORMULA_LABELS}
    assert not any(c.startswith(("=", "@")) for c in cells.to_numpy().ravel())
