"""The image input: one image column's pixels, normalized per channel inside the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from torch import nn

from studio.data.images.decode import ImageSpec
from studio.inputs.base import FittedInput, register
from studio.inputs.image_norm import ImageNormalize, channel_stats


@register
@dataclass
class ImageInput(FittedInput):
    """Pixels of ``column`` as uint8 (n, C, H, W); ``mean``/``std`` per channel of the training images."""

    kind = "image"
    name: str
    column: str
    spec: ImageSpec
    mean: list[float]
    std: list[float]

    @property
    def shape(self) -> tuple[int, ...]:  # type: ignore[override]
        return self.spec.shape

    @classmethod
    def fit(cls, column: str, table: Any, train: pd.DataFrame) -> ImageInput:
        images = table.images[column].take(train.index)
        mean, std = channel_stats(images)
        return cls(column, column, table.images[column].spec, mean, std)

    def arrays(self, table: Any, frame: pd.DataFrame) -> np.ndarray:
        return table.images[self.column].take(frame.index)  # uint8 (n, C, H, W)

    def front(self) -> nn.Module:
        return ImageNormalize(self.mean, self.std)

    def to_dict(self) -> dict[str, Any]:
        s = self.spec
        return {"kind": self.kind, "name": self.name, "column": self.column,
                "spec": {"channels": s.channels, "height": s.height, "width": s.width, "fit": s.fit,
                         "background": list(s.background)},
                "mean": self.mean, "std": self.std}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ImageInput:
        s = raw["spec"]
        spec = ImageSpec(int(s["channels"]), int(s["height"]), int(s["width"]), s.get("fit", "pad"),
                         tuple(int(v) for v in s.get("background", (255, 255, 255))))
        return cls(str(raw["name"]), str(raw["column"]), spec, [float(v) for v in raw["mean"]],
                   [float(v) for v in raw["std"]])
