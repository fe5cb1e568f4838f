"""Standardize a regression target for training; the export multiplies it back."""

from __future__ import annotations

from typing import Any

import numpy as np


class TargetScaler:
    """``(y - mean) / std`` with the mean and std of the training targets (std 0 is read as 1)."""

    def __init__(self, mean: float = 0.0, std: float = 1.0) -> None:
        self.mean = float(mean)
        self.std = float(std)

    def fit(self, y: np.ndarray) -> TargetScaler:
        y = np.asarray(y, dtype=np.float64)
        y = y[np.isfinite(y)]
        self.mean = float(y.mean()) if y.size else 0.0
        std = float(y.std()) if y.size else 1.0
        self.std = std if std > 0 else 1.0
        return self

    def transform(self, y: np.ndarray) -> np.ndarray:
        return (np.asarray(y, dtype=np.float64) - self.mean) / self.std

    def inverse(self, y: np.ndarray) -> np.ndarray:
        return np.asarray(y, dtype=np.float64) * self.std + self.mean

    def to_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "std": self.std}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TargetScaler:
        return cls(float(raw["mean"]), float(raw["std"]))
