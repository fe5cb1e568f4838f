"""The series input: windows of raw steps (n, window, series), standardized per series inside the model.

The network takes the values as a person has them (the exported file too: float32
[batch, window, series]); its front subtracts each series' training mean and divides by its
standard deviation, both fit on the training part's steps only. The network then makes the
``Seq(x, all-true mask)`` the sequence blocks take (``ToSeq``, put before the blocks of every
``Steps`` input by ``studio.blocks.build_network``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from studio.blocks import Steps
from studio.data.series import SeriesInfo
from studio.data.series_windows import series_values, windows
from studio.inputs.base import FittedInput, register

SERIES = "series"  # the input's name, in recipes (encoders), messages and the ONNX file


def steps_shape(window: int, n_series: int) -> Steps:
    """One sample's shape: ``Steps(window, n_series)``, what the sequence blocks take."""
    return Steps(window, n_series)


class SeriesNormalize(nn.Module):
    """(B, W, S) raw values -> ``(x - mean) / std`` per series, float32 (B, W, S)."""

    def __init__(self, mean: list[float], std: list[float]) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 1, -1))  # (1, 1, S)
        self.register_buffer("scale", 1.0 / torch.tensor(std, dtype=torch.float32).view(1, 1, -1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x.to(torch.float32) - self.mean) * self.scale  # (B, W, S)


@register
@dataclass
class SeriesInput(FittedInput):
    """Windows of ``info.columns`` ending at each sample's anchor; ``mean``/``std`` per series of the
    training part's steps."""

    kind = "series"
    info: SeriesInfo
    mean: list[float]
    std: list[float]
    name: str = SERIES

    @property
    def shape(self) -> Steps:  # type: ignore[override]
        return steps_shape(self.info.window, self.info.n_series)

    @classmethod
    def fit(cls, table: Any, train: pd.DataFrame) -> SeriesInput:
        """Statistics of the steps up to the last one a training sample reads (its input or target)."""
        info = table.series
        last = int(train.index.max()) + info.reach if len(train) else len(table.frame) - 1
        values = series_values(table.frame.iloc[: last + 1], info.columns).astype(np.float64)  # (T, S)
        mean, std = values.mean(axis=0), values.std(axis=0)
        return cls(info, [float(m) for m in mean], [float(s) if s > 0 else 1.0 for s in std])

    def arrays(self, table: Any, frame: pd.DataFrame) -> np.ndarray:
        values = series_values(table.frame, self.info.columns)  # (N, S) every step
        return windows(values, np.asarray(frame.index, dtype=np.int64), self.info.window)  # float32 (n, W, S)

    def front(self) -> nn.Module:
        return SeriesNormalize(self.mean, self.std)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "info": self.info.to_dict(), "mean": self.mean,
                "std": self.std}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SeriesInput:
        return cls(SeriesInfo.from_dict(raw["info"]), [float(v) for v in raw["mean"]],
                   [float(v) for v in raw["std"]], str(raw.get("name", SERIES)))


SERIES_MODEL: list[dict[str, Any]] = [{"kind": "lstm", "hidden": 32}]  # the sunspots-lstm preset's network


def model_for_series(model: list[dict[str, Any]], shape: tuple[int, ...]) -> list[dict[str, Any]] | None:
    """A model that reads windows of ``shape`` (``Steps(window, series)``) when ``model`` cannot (its
    blocks refuse a sequence, e.g. a dense stack without flatten), else None: the page keeps a model
    a person built for it, as :func:`studio.inputs.defaults.model_for_data` does for pictures."""
    from studio.blocks import infer_shapes
    from studio.errors import StudioError

    try:
        infer_shapes(model, Steps(*shape))
    except StudioError:
        return [dict(b) for b in SERIES_MODEL]
    return None
