"""`studio export`, `studio bench` and `studio predict` from the command line, on a real run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from studio.cli import main
from tests.conftest import ROOT, preset_dict


@pytest.fixture(scope="module")
def iris_run(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("cli_export")
    raw = preset_dict("iris-mlp")
    raw["training"]["epochs"] = 20
    recipe = tmp / "iris.json"
    recipe.write_text(json.dumps(raw))
    assert main(["train", str(recipe), "--out", str(tmp / "runs"), "--quiet"]) == 0
    (run,) = (tmp / "runs").iterdir()
    return run


def test_export_with_int8_writes_one_proven_file(iris_run, capsys) -> None:
    assert main(["export", str(iris_run), "--quantize", "int8"]) == 0
    out = capsys.readouterr().out
    assert "parity:" in out and "int8:" in out and "card:" in out
    assert (iris_run / "model.onnx").is_file() and (iris_run / "model.int8.onnx").is_file()
    assert not (iris_run / "model.onnx.data").exists()
    card = json.loads((iris_run / "model_card.json").read_text())
    assert card  # the card is valid JSON with content


def test_predict_raw_test_rows_without_importing_torch(iris_run, tmp_path) -> None:
    main(["export", str(iris_run)])
    out = tmp_path / "pred.csv"
    args = ["predict", str(iris_run / "model.onnx"), str(iris_run / "test.csv"), "--out", str(out)]
    code = (
        "import sys\nfrom studio.cli import main\n"
        f"rc = main({args!r})\n"
        "assert 'torch' not in sys.modules, 'predict imported torch'\nsys.exit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    pred = pd.read_csv(out)
    test = pd.read_csv(iris_run / "test.csv")
    assert len(pred) == len(test)
    assert {"prediction", "proba_setosa", "proba_versicolor", "proba_virginica"} <= set(pred.columns)
    summary = json.loads((iris_run / "summary.json").read_text())
    accuracy = (pred["prediction"].astype(str) == test["species"].astype(str)).mean()
    assert accuracy == pytest.approx(summary["metrics"]["test"]["accuracy"])


def test_predict_missing_column_exits_2(iris_run, tmp_path, capsys) -> None:
    main(["export", str(iris_run)])
    bad = tmp_path / "bad.csv"
    pd.read_csv(iris_run / "test.csv").drop(columns=["petal_width_cm"]).to_csv(bad, index=False)
    capsys.readouterr()
    assert main(["predict", str(iris_run / "model.onnx"), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "petal_width_cm" in err and err.count("\n") == 1


def test_bench_prints_and_writes_the_table(iris_run, capsys) -> None:
    main(["export", str(iris_run)])
    capsys.readouterr()
    assert main(["bench", str(iris_run)]) == 0
    out = capsys.readouterr().out
    table = pd.read_csv(iris_run / "bench.csv")
    assert {1, 256} <= set(table["batch"]) and "torch" in " ".join(table["runtime"].astype(str))
    assert "bench.csv" in out


def test_export_of_a_folder_that_is_not_a_run(tmp_path, capsys) -> None:
    assert main(["export", str(tmp_path)]) == 2
    assert "not a run directory" in capsys.readouterr().err


def test_predict_takes_a_run_folder_once_it_is_exported(iris_run, tmp_path, capsys) -> None:
    import shutil

    bare = tmp_path / iris_run.name
    shutil.copytree(iris_run, bare, ignore=shutil.ignore_patterns("*.onnx"))
    capsys.readouterr()
    assert main(["predict", str(bare), str(iris_run / "test.csv")]) == 2
    assert "has no model.onnx yet; export it first with `studio export" in capsys.readouterr().err
    main(["export", str(iris_run)])
    capsys.readouterr()
    assert main(["predict", str(iris_run), str(iris_run / "test.csv")]) == 0
    assert capsys.readouterr().out.startswith("prediction,")
