"""The `studio` command: a run directory as the last line; bad input exits 2 with one sentence."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from studio.cli import main
from tests.conftest import preset_dict


def _recipe_file(tmp_path: Path, raw: dict, name: str = "recipe.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(raw))
    return p


def _csv_recipe(csv: Path, target: str = "label", **changes) -> dict:
    raw = preset_dict("breast-cancer-mlp")
    raw["data"] = {"source": f"csv:{csv}", "target": target}
    raw["training"]["epochs"] = 3
    raw.update(changes)
    return raw


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_train_prints_metrics_and_run_dir_last(tmp_path, capsys) -> None:
    raw = preset_dict("iris-mlp")
    raw["training"]["epochs"] = 5
    code, out, _ = _run(["train", str(_recipe_file(tmp_path, raw)), "--out", str(tmp_path / "runs"), "--quiet"], capsys)
    assert code == 0
    last = Path(out.strip().splitlines()[-1])
    assert last.is_dir() and last.parent == tmp_path / "runs"
    assert "test" in out and "accuracy=" in out
    for f in ("recipe.json", "metrics.csv", "model.safetensors", "preprocessing.json", "summary.json", "test.csv"):
        assert (last / f).is_file(), f
    summary = json.loads((last / "summary.json").read_text())
    assert {"status", "task", "metrics", "epochs_run", "seconds", "device"} <= summary.keys()
    assert set(summary["metrics"]) == {"train", "val", "test"}
    assert len(pd.read_csv(last / "metrics.csv")) == summary["epochs_run"]


def test_csv_with_missing_values_and_categories_trains(tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    n = 300
    x = rng.normal(size=n)
    city = rng.choice(["Paris", "Lyon", "Nice"], size=n)
    label = np.where(x + (city == "Paris") * 1.5 > 0.5, "yes", "no")
    df = pd.DataFrame({"id": np.arange(n), "x": x, "city": city, "label": label})
    df.loc[::7, "x"] = np.nan
    df.loc[::11, "city"] = None
    csv = tmp_path / "data.csv"
    df.to_csv(csv, index=False)
    raw = _csv_recipe(csv)
    raw["preprocessing"] = [{"kind": "impute", "strategy": "median"}, {"kind": "one_hot"},
                            {"kind": "scale", "method": "standard"}]
    raw["training"]["epochs"] = 30
    code, out, err = _run(["train", str(_recipe_file(tmp_path, raw)), "--out", str(tmp_path / "runs"), "--quiet"],
                          capsys)
    assert code == 0, err
    summary = json.loads((Path(out.strip().splitlines()[-1]) / "summary.json").read_text())
    assert summary["metrics"]["test"]["accuracy"] > 0.75


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(content)
    return p


BAD_CSVS = {
    "empty": (b"", "label", ["empty"]),
    "binary": (bytes(range(256)) * 40, "label", ["not a text"]),
    "one_column": (b"label\n1\n2\n3\n1\n", "label", ["single column"]),
    "missing_target": (b"a,b,label\n1,2,x\n3,4,y\n" * 20, "lable", ["lable", "label"]),
    "one_class": (b"a,label\n" + b"1,x\n2,x\n3,x\n" * 20, "label", ["single class"]),
    "all_missing_features": (b"a,b,label\n,,x\n,,y\n" * 30, "label", ["no usable feature"]),
}


@pytest.mark.parametrize("case", list(BAD_CSVS))
def test_bad_csv_exits_2_with_one_sentence_and_writes_nothing(case, tmp_path, capsys) -> None:
    content, target, words = BAD_CSVS[case]
    csv = _write(tmp_path, "bad.csv", content)
    recipe = _recipe_file(tmp_path, _csv_recipe(csv, target=target))
    code, _, err = _run(["train", str(recipe), "--out", str(tmp_path / "runs"), "--quiet"], capsys)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for w in words:
        assert w.lower() in err.lower(), err
    assert not (tmp_path / "runs").exists()


def test_csv_over_the_size_limit(tmp_path, capsys) -> None:
    csv = _write(tmp_path, "big.csv", b"a,label\n" + b"1.0,x\n2.0,y\n" * 60_000)
    raw = _csv_recipe(csv)
    raw["data"]["options"] = {"max_mb": 0.5}
    code, _, err = _run(["train", str(_recipe_file(tmp_path, raw)), "--out", str(tmp_path / "runs")], capsys)
    assert code == 2 and "MB" in err
    assert not (tmp_path / "runs").exists()


def test_infinities_are_reported_not_fatal(tmp_path, capsys) -> None:
    rows = "".join(f"{'inf' if i % 10 == 0 else i % 7},{i % 2}\n" for i in range(200))
    csv = _write(tmp_path, "inf.csv", ("a,label\n" + rows).encode())
    from studio.data import load_table
    from studio.recipe import DataConfig

    table = load_table(DataConfig(source=f"csv:{csv}", target="label"))
    assert any("infinite" in n for n in table.notes)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"model": [{"kind": "hyperdense"}]}, ["hyperdense"]),
        ({"preprocessing": [{"kind": "magic"}]}, ["magic"]),
        ({"optimizer": {"kind": "adam", "lr": -1}}, ["lr"]),
        ({"training": {"epochs": 0}}, ["epochs"]),
        ({"model": [{"kind": "conv2d", "filters": 4}]}, ["conv2d", "reshape"]),
    ],
)
def test_bad_recipe_values_exit_2(change, words, tmp_path, capsys) -> None:
    raw = preset_dict("breast-cancer-mlp")
    raw.update(change)
    code, _, err = _run(["train", str(_recipe_file(tmp_path, raw)), "--out", str(tmp_path / "runs")], capsys)
    assert code == 2 and err.count("\n") == 1, err
    for w in words:
        assert w in err
    assert not (tmp_path / "runs").exists()


def test_exploding_learning_rate_fails_with_advice(tmp_path, capsys) -> None:
    raw = preset_dict("diabetes-regression")  # squared error makes the blow-up quick and sure
    raw["optimizer"] = {"kind": "sgd", "lr": 10.0}
    raw["training"]["epochs"] = 5
    code, _, err = _run(["train", str(_recipe_file(tmp_path, raw)), "--out", str(tmp_path / "runs"), "--quiet"],
                        capsys)
    assert code == 2
    assert "learning rate" in err.lower() and err.count("\n") == 1, err
    (run,) = (tmp_path / "runs").iterdir()  # the failed run is kept, complete, with its reason
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "failed" and "learning rate" in summary["message"]
    assert (run / "model.safetensors").is_file()


def test_unknown_recipe_name(capsys) -> None:
    code, _, err = _run(["train", "no-such-preset"], capsys)
    assert code == 2 and "iris-mlp" in err


def test_datasets_and_recipes_list_what_is_built_in(capsys) -> None:
    code, out, _ = _run(["datasets"], capsys)
    assert code == 0
    for name in ("iris", "wine", "breast_cancer", "digits", "diabetes", "moons", "circles", "xor", "spirals", "blobs"):
        assert name in out
    assert re.search(r"^sunspots +forecast ", out, re.M)  # a series is listed as what it is for
    code, out, _ = _run(["recipes"], capsys)
    assert code == 0 and "digits-cnn" in out and "moons-playground" in out


def test_app_starts_streamlit_with_the_repository_settings(monkeypatch, capsys):
    """`studio app` runs from any folder, where .streamlit/config.toml is not read: it passes the
    settings that matter itself (no GC per rerun, which stalls training; no Deploy button)."""
    from studio import app_process

    called: list[list[str]] = []
    monkeypatch.setattr(app_process, "run_server", lambda cmd, env=None: called.append(cmd) or 0)
    assert main(["app", "--port", "8599"]) == 0
    (cmd,) = called
    assert Path(cmd[cmd.index("run") + 1]).is_file()
    pairs = dict(zip(cmd[::2], cmd[1::2], strict=False)) | dict(zip(cmd[1::2], cmd[2::2], strict=False))
    assert pairs["--runner.postScriptGC"] == "false" and pairs["--client.toolbarMode"] == "minimal"
    assert pairs["--server.port"] == "8599"
    assert "http://" in capsys.readouterr().out
