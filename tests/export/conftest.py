"""Hand-made runs: a real categorical encoder, a torch preprocessing module and a tiny network.

They have the shape of ``studio.runs.LoadedRun`` (preprocessor, meta, recipe, summary, path,
inference_module(), test_frame()), so the export can be tested without training anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from studio.inference import InferenceModule
from studio.preprocess.encoder import CategoricalColumn, Encoder
from studio.recipe import Recipe
from studio.runs import RunSummary
from studio.status import RunStatus


class ImputeScale(nn.Module):
    """encoded (B, k) -> NaN replaced by the training mean, then standardized."""

    def __init__(self, fill: np.ndarray, mean: np.ndarray, std: np.ndarray) -> None:
        super().__init__()
        self.register_buffer("fill", torch.tensor(fill, dtype=torch.float32))
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.where(torch.isnan(x), self.fill, x)
        return (x - self.mean) / self.std


@dataclass
class HandPreprocessor:
    encoder: Encoder
    module: nn.Module

    @property
    def input_columns(self) -> list[Any]:
        return self.encoder.input_columns

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        return self.encoder.encode(frame)

    def to_torch(self) -> nn.Module:
        return self.module


@dataclass
class HandRun:
    path: Path
    preprocessor: HandPreprocessor
    network: nn.Module
    meta: dict[str, Any]
    frame: pd.DataFrame
    recipe: Recipe = field(default_factory=lambda: Recipe.from_dict({"name": "hand-made"}))
    summary: RunSummary = field(default_factory=lambda: RunSummary(RunStatus.COMPLETED, "hand-made", "", ""))
    target_mean: float = 0.0
    target_std: float = 1.0

    def inference_module(self) -> nn.Module:
        return InferenceModule(self.preprocessor.to_torch(), self.network, self.meta["task"],
                               self.target_mean, self.target_std).eval()

    def test_frame(self) -> pd.DataFrame:
        return self.frame.copy()


def raw_frame(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Two numerics on very different scales (with gaps), one categorical with gaps and a rare value."""
    rng = np.random.default_rng(seed)
    a = rng.normal(50.0, 10.0, n)
    b = rng.normal(0.002, 0.001, n)
    color = rng.choice(["red", "green", "blue", "violet"], n, p=[0.4, 0.3, 0.25, 0.05]).astype(object)
    a[::11] = np.nan
    color[::7] = np.nan
    y = np.where((np.nan_to_num(a, nan=50.0) - 50.0) / 10.0 + (color == "red") > 0.3, "yes", "no")
    return pd.DataFrame({"a": a, "b": b, "color": color, "label": y})


def make_run(tmp_path: Path, task: str = "classification", seed: int = 0) -> HandRun:
    torch.manual_seed(seed)
    frame = raw_frame(seed=seed)
    if task == "regression":
        frame["label"] = frame["a"].fillna(50.0) * 3.0 + 1000.0
    enc = Encoder(["a", "b"], [CategoricalColumn("color", ["blue", "green", "red"], ["violet"], fill="red")])
    x = HandPreprocessor(enc, nn.Identity()).encode(frame)
    fill = np.nan_to_num(np.nanmean(x, axis=0))
    std = np.nanstd(x, axis=0) + 1e-3
    pre = HandPreprocessor(enc, ImputeScale(fill, fill, std))
    n_out = 2 if task == "classification" else 1
    net = nn.Sequential(nn.Linear(x.shape[1], 32), nn.ReLU(), nn.Linear(32, n_out)).eval()
    meta = {"task": task, "target": "label", "features": ["a", "b", "color"],
            "column_types": {"a": "numeric", "b": "numeric", "color": "categorical"},
            "class_labels": ["no", "yes"] if task == "classification" else None}
    summary = RunSummary(RunStatus.COMPLETED, "hand-made", task, "accuracy" if task == "classification" else "r2")
    run_dir = tmp_path / f"run-{task}"
    run_dir.mkdir()
    mean, std_t = (1150.0, 30.0) if task == "regression" else (0.0, 1.0)
    return HandRun(run_dir, pre, net, meta, frame, summary=summary, target_mean=mean, target_std=std_t)


@pytest.fixture
def hand_run(tmp_path: Path) -> HandRun:
    return make_run(tmp_path)


@pytest.fixture
def hand_regression(tmp_path: Path) -> HandRun:
    return make_run(tmp_path, "regression")


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[HandRun, Any]:
    """One classification export (with int8) shared by the read-only tests."""
    from studio.export.exporter import export_loaded

    run = make_run(tmp_path_factory.mktemp("exp"))
    return run, export_loaded(run, quantize="int8")
