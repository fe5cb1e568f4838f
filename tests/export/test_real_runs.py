"""Real runs trained by the pipeline (few epochs): export, proof, raw CSV prediction, every preset."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pandas as pd
import pytest

from studio.errors import ExportError, RunError
from studio.export import benchmark_run, export_run, predict_csv
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.runs import load_run
from tests.conftest import PRESETS, preset_dict


def _csv_with_categories(path: Path, n: int = 300) -> Path:
    rng = np.random.default_rng(1)
    size = rng.normal(120.0, 40.0, n)
    rooms = rng.integers(1, 6, n).astype(float)
    city = rng.choice(["Paris", "Lyon", "Nice", "Brest", "Metz"], n, p=[0.4, 0.3, 0.2, 0.06, 0.04]).astype(object)
    kind = rng.choice(["flat", "house"], n).astype(object)
    price = size * 30 + rooms * 500 + np.where(city == "Paris", 2000, 0) + rng.normal(0, 100, n)
    label = np.where(price > np.median(price), "dear", "cheap")
    size[::13] = np.nan
    city[::17] = np.nan
    pd.DataFrame({"size": size, "rooms": rooms, "city": city, "kind": kind, "label": label}).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("real")
    csv = _csv_with_categories(root / "homes.csv")
    recipe = Recipe.from_dict({
        "name": "homes", "data": {"source": f"csv:{csv}", "target": "label"},
        "preprocessing": [{"kind": "impute", "strategy": "median", "categorical": True},
                          {"kind": "one_hot", "max_categories": 4}, {"kind": "clip_outliers"},
                          {"kind": "scale"}, {"kind": "polynomial", "degree": 2}, {"kind": "pca", "n_components": 6}],
        "model": [{"kind": "dense", "units": 16}, {"kind": "activation", "fn": "relu"}],
        "training": {"epochs": 3, "batch_size": 32},
    })
    return train_recipe(recipe, runs_root=root / "runs").run_dir


def test_csv_run_with_categories_exports_and_predicts_raw_rows(csv_run: Path, tmp_path: Path):
    report = export_run(csv_run, quantize="int8")
    assert report.parity["passed"] and report.parity["label_agreement"] == 1.0
    assert abs(report.int8["metric_change"]) <= 0.03
    ops = [n.op_type for n in onnx.load(str(report.model_path)).graph.node]
    assert "Imputer" in ops and "IsInf" not in ops, ops  # ±inf and NaN handled in one step after the one-hots
    blob = report.model_path.read_bytes()
    assert str(csv_run).encode() not in blob and b"site-packages" not in blob
    card = json.loads(report.card_path.read_text())
    assert card["inputs"]["graph_inputs"] == {"numeric": "float32[batch, 2]", "categorical": "string[batch, 2]"}
    # raw rows, with gaps and an unseen city, through the ONNX file alone vs the torch path
    run = load_run(csv_run)
    rows = run.test_frame().drop(columns=["label"]).head(20).copy()
    rows.loc[rows.index[0], "city"] = "Atlantis"
    rows.loc[rows.index[1], ["size", "city"]] = [np.nan, np.nan]
    rows.to_csv(tmp_path / "rows.csv", index=False)
    got = predict_csv(report.model_path, tmp_path / "rows.csv")
    ref = run.predict_frame(pd.read_csv(tmp_path / "rows.csv", dtype={"city": str, "kind": str}))
    np.testing.assert_allclose(got[["proba_cheap", "proba_dear"]].to_numpy(), ref, rtol=1e-4, atol=1e-4)


def test_benchmark_of_a_real_run(csv_run: Path):
    export_run(csv_run)
    table = benchmark_run(csv_run, rounds=2, budget_s=0.002)
    assert set(table["runtime"]) == {"torch eager", "onnxruntime (no optimization)", "onnxruntime (optimized)"}
    assert not (csv_run / "model.int8.onnx").exists()  # a stale int8 file does not survive a re-export


@pytest.mark.parametrize("bad", ["missing-dir", "not-a-run"])
def test_bad_run_dirs_are_run_errors(tmp_path: Path, bad: str):
    path = tmp_path / bad
    if bad == "not-a-run":
        path.mkdir()
    with pytest.raises(RunError):
        export_run(path)
    with pytest.raises(RunError):
        benchmark_run(path)


def test_benchmark_before_export_is_an_export_error(csv_run: Path, tmp_path: Path):
    import shutil

    copy = Path(shutil.copytree(csv_run, tmp_path / "copy"))
    for f in copy.glob("model*.onnx"):
        f.unlink()
    with pytest.raises(ExportError, match=r"no model\.onnx"):
        benchmark_run(copy)


@pytest.mark.slow
@pytest.mark.parametrize("preset", sorted(p.stem for p in PRESETS.glob("*.json")))
def test_every_preset_exports_with_parity(preset: str, tmp_path: Path):
    raw = preset_dict(preset)
    raw["training"]["epochs"] = 2
    run_dir = train_recipe(Recipe.from_dict(raw), runs_root=tmp_path).run_dir
    report = export_run(run_dir, quantize="int8")
    assert report.parity["passed"]
    assert report.parity["max_abs_diff"] <= report.parity["atol"] + 1e-4
    assert sorted(p.name for p in run_dir.glob("model*.onnx")) == ["model.int8.onnx", "model.onnx"]
