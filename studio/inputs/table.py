"""The table input: numeric and categorical columns through the fitted preprocessing, one float vector."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from studio.inputs.base import FittedInput, register
from studio.preprocess import Preprocessor

TABLE = "table"  # the input's name, in recipes (encoders) and in messages


@register
@dataclass
class TableInput(FittedInput):
    """``preprocessor.transform(rows)``: float32 (n, d). The export puts the preprocessing in the graph's front."""

    kind = "table"
    preprocessor: Preprocessor
    name: str = TABLE

    @property
    def shape(self) -> tuple[int, ...]:  # type: ignore[override]
        return (self.preprocessor.n_features,)

    def arrays(self, table: Any, frame: pd.DataFrame) -> np.ndarray:
        return self.preprocessor.transform(frame)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name}  # the preprocessor itself is saved on its own

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TableInput:
        raise TypeError("a table input is rebuilt from the run's saved preprocessor")
