"""`studio train` says what loading decided before it trains: task, classes, columns, notes, steps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from studio.cli import main
from tests.conftest import preset_dict


def _recipe(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    n = 200
    x = rng.normal(size=n).round(3)
    frame = pd.DataFrame({
        "ticket": [f"T{(i * 7) % 150}Z{(i * 7) % 150 % 9}" for i in range(n)],  # code-like IDs
        "x": x, "city": rng.choice(["Paris", "Lyon"], n),
        "label": np.where(x > 0, "yes", "no"),
    })
    frame.loc[::10, "city"] = None
    frame.to_csv(tmp_path / "t.csv", index=False)
    raw = preset_dict("breast-cancer-mlp")
    raw["data"] = {"source": "csv:t.csv", "target": "label"}
    raw["preprocessing"] = [{"kind": "impute"}, {"kind": "one_hot"}, {"kind": "scale"}]
    raw["training"]["epochs"] = 2
    path = tmp_path / "recipe.json"
    path.write_text(json.dumps(raw))
    return path


def test_train_prints_what_loading_decided_before_training(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["train", str(_recipe(tmp_path)), "--out", "runs"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "data: t.csv, 200 rows; classification of 'label': 2 classes ('no', 'yes')"
    assert out[1] == "features (2): 'x' numeric, 'city' categorical"
    assert out[2].startswith("dropped (1): 'ticket' (ID-like: 150 distinct codes")
    assert out[3] == "note: read t.csv: 200 rows, 4 columns, comma-separated, UTF-8"
    steps = [line for line in out if line.startswith("preprocessing: ")]
    assert steps[0].startswith("preprocessing: step 1 impute: filled") and "missing categories" in steps[0]
    assert [s.split(":")[1] for s in steps] == [" step 1 impute", " step 2 one_hot", " step 3 scale"]
    first_status = next(i for i, line in enumerate(out) if line.startswith("status:"))
    assert max(out.index(s) for s in steps) < first_status


def test_quiet_train_prints_only_the_outcome(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["train", str(_recipe(tmp_path)), "--out", "runs", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("status:") and "data:" not in out
