"""Where a corpus case makes its bad input: a fresh working folder, plus the one shared trained run.

Every case gets its own working folder (the test's current directory) with an empty ``runs/``
beside it; the shared run and its exported model live elsewhere and are only ever read or copied.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TARGET = "label"


def mixed_frame(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """A small CSV-shaped table: two numbers (one with gaps), a category, a date, a yes/no target."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    size = rng.uniform(1.0, 9.0, n)
    color = rng.choice(["red", "green", "blue"], n)
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    label = np.where(x + (color == "red") + 0.1 * size > 0.9, "yes", "no")
    frame = pd.DataFrame({"x": x.round(4), "size": size.round(3), "color": color,
                          "when": day.strftime("%Y-%m-%d"), TARGET: label})
    frame.loc[::9, "size"] = np.nan
    return frame


def recipe_dict(source: str = "builtin:iris", target: str | None = None, **changes: Any) -> dict[str, Any]:
    """A small, valid recipe (2 epochs, one dense block) that a case then breaks in one place."""
    raw: dict[str, Any] = {
        "schema_version": 1, "name": "corpus",
        "data": {"source": source, "target": target},
        "preprocessing": [{"kind": "impute"}, {"kind": "one_hot"}, {"kind": "scale"}],
        "model": [{"kind": "dense", "units": 8}, {"kind": "activation", "fn": "relu"}],
        "optimizer": {"kind": "adam", "lr": 0.01},
        "training": {"epochs": 2, "batch_size": 32},
    }
    raw.update(changes)
    return raw


@dataclass
class Workspace:
    """One case's working folder (``cwd``) and the shared, read-only trained run."""

    cwd: Path
    source_run: Path  # trained and exported once per session; copy it before damaging it
    source_rows: Path  # raw rows (with the date column) that the model predicts fine

    @property
    def runs(self) -> Path:
        return self.cwd / "runs"

    @property
    def model(self) -> Path:
        return self.source_run / "model.onnx"

    def write(self, name: str, content: bytes | str) -> Path:
        path = self.cwd / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    def write_json(self, name: str, obj: Any) -> Path:
        return self.write(name, json.dumps(obj))

    def csv(self, name: str, frame: pd.DataFrame) -> Path:
        return self.write(name, frame.to_csv(index=False))

    def good_csv(self) -> Path:
        """The training data of the shared run, as a CSV in the working folder."""
        return self.csv("data.csv", mixed_frame())

    def recipe_for_csv(self, csv: Path | str, target: str = TARGET, name: str = "recipe.json",
                       **changes: Any) -> Path:
        return self.write_json(name, recipe_dict(f"csv:{csv}", target, **changes))

    def rows(self) -> pd.DataFrame:
        """The raw rows the shared model predicts fine."""
        return pd.read_csv(self.source_rows, dtype={"color": str})

    def copy_run(self, name: str = "run") -> Path:
        """A private copy of the shared run (with its model.onnx) to damage."""
        dest = self.cwd / name
        shutil.copytree(self.source_run, dest)
        return dest


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root`` with its size and modification time."""
    if not root.exists():
        return {}
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.stat()
        out[str(p.relative_to(root))] = (st.st_size if p.is_file() else -1, st.st_mtime_ns if p.is_file() else 0)
    return out
