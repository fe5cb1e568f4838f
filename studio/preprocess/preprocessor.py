"""The fitted preprocessing: encode raw columns (stage 1), then a chain of numeric ops (stage 2)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from torch import nn

from studio.errors import RunError
from studio.preprocess.encoder import Encoder, InputColumn
from studio.preprocess.ops import Op

FORMAT_VERSION = 1


def apply_inplace(ops: list[Op], x: np.ndarray) -> np.ndarray:
    """The ops on a float32 matrix the caller owns and no longer needs (the fresh output of encode):
    what :meth:`Preprocessor.apply_ops` computes, without a copy per op."""
    for op in ops:
        x = op.apply_inplace(x)
    return x


class Preprocessor:
    """Turns raw feature columns into the float32 matrix the model takes.

    ``transform(frame) == to_torch()(encode(frame))``: the numeric stage exists both in numpy and
    as a torch module, so an exported model can take the encoded raw columns. Nothing here is
    fit: build one with :func:`studio.preprocess.fit_preprocessor` or :meth:`from_dict`.
    """

    def __init__(self, encoder: Encoder, ops: list[Op], feature_names: list[str]) -> None:
        self.encoder = encoder
        self.ops = ops
        self.feature_names = feature_names

    @property
    def input_columns(self) -> list[InputColumn]:
        return self.encoder.input_columns

    @property
    def encoded_names(self) -> list[str]:
        """Names of the columns of :meth:`encode` ("age", "city=Paris", "city=other")."""
        return self.encoder.names

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """float32 (n, k): raw numeric columns (NaN kept) followed by the one-hot indicators."""
        return self.encoder.encode(frame)

    def apply_ops(self, encoded: np.ndarray) -> np.ndarray:
        """Stage 2 in numpy: the same computation as :meth:`to_torch`."""
        x = np.asarray(encoded, dtype=np.float32)
        for op in self.ops:
            x = op.apply(x)
        return x

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """float32 (n, d) features for every row of ``frame`` (rows are never dropped here)."""
        return apply_inplace(self.ops, self.encode(frame))

    def to_torch(self) -> nn.Module:
        """Stage 2 as a module built from buffers: encoded (B, k) -> features (B, d)."""
        return nn.Sequential(*(op.module() for op in self.ops))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (no pickle): the encoder, the ops and the output names."""
        return {
            "format_version": FORMAT_VERSION,
            "encoder": self.encoder.to_dict(),
            "ops": [op.to_dict() for op in self.ops],
            "feature_names": list(self.feature_names),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Preprocessor:
        version = raw.get("format_version") if isinstance(raw, dict) else None
        if version != FORMAT_VERSION:
            raise RunError(
                f"saved preprocessing has format_version {version!r}; this studio reads {FORMAT_VERSION}"
            )
        ops = [Op.from_dict(o) for o in raw["ops"]]
        return cls(Encoder.from_dict(raw["encoder"]), ops, list(raw["feature_names"]))
