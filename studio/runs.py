"""Run directories: everything needed to reproduce, compare and serve a run, written atomically.

Layout (see docs/engine-api.md): recipe.json, metrics.csv, model.safetensors, preprocessing.json,
test.csv, summary.json, and what the export adds. Export, compare and reload read only these files,
never live UI state.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from studio.atomic import write_bytes_atomic, write_json_atomic, write_text_atomic
from studio.errors import RunError, StudioError
from studio.recipe import Recipe

METRICS_COLUMNS = ["epoch", "train_loss", "val_loss", "train_metric", "val_metric", "lr", "seconds"]
REQUIRED_FILES = ("recipe.json", "summary.json")


def create_run_dir(root: str | Path, recipe: Recipe) -> Path:
    """Make ``root/<YYYYmmdd-HHMMSS>-<name>-<4 hex>/`` and write the recipe into it."""
    slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in recipe.name.lower()).strip("-")[:40]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = Path(root) / f"{stamp}-{slug or 'run'}-{secrets.token_hex(2)}"
    run_dir.mkdir(parents=True, exist_ok=False)
    write_text_atomic(run_dir / "recipe.json", recipe.to_json() + "\n")
    return run_dir


def write_metrics(run_dir: Path, rows: Iterable[dict[str, Any]]) -> None:
    """(Re)write metrics.csv, one row per epoch (small: rewriting keeps it atomic)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=METRICS_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k) for k in METRICS_COLUMNS})
    write_text_atomic(run_dir / "metrics.csv", buf.getvalue())


def write_weights(run_dir: Path, model: torch.nn.Module) -> None:
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    write_bytes_atomic(run_dir / "model.safetensors", save_safetensors(state))


def write_summary(run_dir: Path, summary: dict[str, Any]) -> None:
    write_json_atomic(run_dir / "summary.json", summary)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunError(f"{path.parent.name!r} is not a complete run: {path.name} is missing") from None
    except json.JSONDecodeError as err:
        raise RunError(f"{path} is damaged ({err}); train the run again") from None


@dataclass(frozen=True)
class RunInfo:
    """One line of the runs table."""

    path: Path
    name: str
    status: str
    task: str
    primary_metric: str
    value: float | None
    created: str
    epochs_run: int

    @property
    def run_id(self) -> str:
        return self.path.name


def list_runs(root: str | Path = "runs") -> list[RunInfo]:
    """Every readable run under ``root``, newest first; unreadable folders are skipped."""
    base = Path(root)
    if not base.is_dir():
        return []
    infos = []
    for d in sorted(base.iterdir(), reverse=True):
        if not (d / "summary.json").is_file():
            continue
        try:
            s = read_json(d / "summary.json")
        except RunError:
            continue
        primary = s.get("primary_metric", "")
        value = (s.get("metrics", {}).get("test") or {}).get(primary)
        infos.append(
            RunInfo(d, s.get("name", d.name), s.get("status", "?"), s.get("task", "?"), primary,
                    value, s.get("created", ""), int(s.get("epochs_run", 0)))
        )
    return infos


def resolve_run_dir(path: str | Path) -> Path:
    """Check that ``path`` is a run directory; a clear RunError otherwise."""
    p = Path(path)
    if not p.is_dir():
        raise RunError(f"run directory {str(p)!r} does not exist; `studio train` prints the path of each run")
    missing = [f for f in REQUIRED_FILES if not (p / f).is_file()]
    if missing:
        raise RunError(f"{str(p)!r} is not a run directory: {', '.join(missing)} missing")
    return p


class LoadedRun:
    """A finished run read back from disk: recipe, fitted preprocessing and the trained model."""

    def __init__(self, path: str | Path) -> None:
        from studio.blocks import build_model
        from studio.preprocess import Preprocessor, TargetScaler

        self.path = resolve_run_dir(path)
        self.recipe = Recipe.from_dict(read_json(self.path / "recipe.json"))
        self.summary: dict[str, Any] = read_json(self.path / "summary.json")
        prep = read_json(self.path / "preprocessing.json")
        self.meta: dict[str, Any] = prep["table"]
        self.in_shape = tuple(prep["in_shape"])
        self.n_outputs = int(prep["n_outputs"])
        self.preprocessor = Preprocessor.from_dict(prep["preprocessor"])
        ts = prep.get("target_scaler")
        self.target_scaler = TargetScaler.from_dict(ts) if ts else None
        weights = self.path / "model.safetensors"
        if not weights.is_file():
            raise RunError(f"run {self.path.name!r} has no trained weights (model.safetensors); its status is "
                           f"{self.summary.get('status')!r}")
        self.model = build_model(self.recipe.model, self.in_shape, self.n_outputs)
        try:
            self.model.load_state_dict(load_safetensors(weights.read_bytes()))
        except (RuntimeError, StudioError) as err:
            raise RunError(f"the weights of run {self.path.name!r} do not fit its recipe: {err}") from None
        self.model.eval()

    @property
    def task(self) -> str:
        return str(self.meta["task"])

    @property
    def class_labels(self) -> list[str] | None:
        return self.meta.get("class_labels")

    def inference_module(self) -> torch.nn.Module:
        """encoded (B, k) -> probabilities (B, K), or values (B, 1) in the target's units."""
        from studio.inference import InferenceModule

        mean, std = (self.target_scaler.mean, self.target_scaler.std) if self.target_scaler else (0.0, 1.0)
        return InferenceModule(self.preprocessor.to_torch(), self.model, self.task, mean, std).eval()

    def predict_frame(self, frame: pd.DataFrame) -> Any:
        """Probabilities or values for raw rows, through torch."""
        from studio.data.columns import derive_dates

        frame = derive_dates(frame, self.meta.get("derived") or {})
        x = torch.from_numpy(self.preprocessor.encode(frame))
        with torch.inference_mode():
            return self.inference_module()(x).numpy()

    def history(self) -> pd.DataFrame:
        f = self.path / "metrics.csv"
        return pd.read_csv(f) if f.is_file() else pd.DataFrame(columns=METRICS_COLUMNS)

    def test_frame(self) -> pd.DataFrame:
        f = self.path / "test.csv"
        if not f.is_file():
            raise RunError(f"run {self.path.name!r} has no test.csv; train it again with this version")
        return read_raw_rows(f, self.meta)


def read_raw_rows(path: Path, meta: dict[str, Any]) -> pd.DataFrame:
    """Read rows written by :func:`write_raw_rows` with the column types they were trained with."""
    text_columns = [c for c, t in meta.get("column_types", {}).items() if t == "categorical"]
    if meta.get("task") == "classification":
        text_columns.append(meta["target"])
    return pd.read_csv(path, dtype={c: str for c in text_columns})


def write_raw_rows(run_dir: Path, frame: pd.DataFrame) -> None:
    """Keep the raw rows of the test split (features + target, as loaded) for parity checks."""
    write_text_atomic(run_dir / "test.csv", frame.to_csv(index=False))


def load_run(path: str | Path) -> LoadedRun:
    return LoadedRun(path)


def read_history(path: str | Path) -> pd.DataFrame:
    """metrics.csv of a run without loading its model (for overlaying curves)."""
    f = Path(path) / "metrics.csv"
    return pd.read_csv(f) if f.is_file() else pd.DataFrame(columns=METRICS_COLUMNS)
