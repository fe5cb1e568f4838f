"""TensorData: the training and validation arrays a Trainer learns from, checked once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from studio.errors import TrainingError


@dataclass(frozen=True)
class TensorData:
    """Features ``(n, d)`` float32 and targets ``(n,)`` (int64 class codes or float32 values).

    The validation arrays may have zero rows; early stopping and the best epoch then use the
    training loss.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_val(self) -> int:
        return int(self.x_val.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    def check(self, task: str, n_classes: int) -> None:
        """Raise a TrainingError naming the first problem: shapes, sizes or class codes out of range."""
        if self.x_train.ndim != 2 or self.x_train.shape[0] == 0:
            raise TrainingError(
                f"training features must be a non-empty 2-D array, got shape {self.x_train.shape}; "
                "check the split and the preprocessing steps that drop rows"
            )
        for part, x, y in (("training", self.x_train, self.y_train), ("validation", self.x_val, self.y_val)):
            if len(x) != len(y):
                raise TrainingError(f"{part} features have {len(x)} rows but the target has {len(y)}")
            if len(x) and (x.ndim != 2 or x.shape[1] != self.n_features):
                raise TrainingError(
                    f"{part} features have shape {x.shape} but training has {self.n_features} columns"
                )
            if task == "classification" and len(y) and (y.min() < 0 or y.max() >= n_classes):
                raise TrainingError(
                    f"{part} class codes range over {int(y.min())}..{int(y.max())} but the model has "
                    f"{n_classes} outputs"
                )

    def to(self, device: torch.device, task: str) -> tuple[torch.Tensor, ...]:
        """``(x_train, y_train, x_val, y_val)`` as tensors on ``device``, targets typed for the loss."""
        y_dtype = torch.int64 if task == "classification" else torch.float32

        def tensor(a: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
            return torch.as_tensor(np.ascontiguousarray(a)).to(device=device, dtype=dtype)

        return (
            tensor(self.x_train, torch.float32),
            tensor(self.y_train, y_dtype),
            tensor(self.x_val.reshape(len(self.x_val), self.n_features), torch.float32),
            tensor(self.y_val, y_dtype),
        )
