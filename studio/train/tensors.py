"""TensorData: the training and validation inputs a Trainer learns from, checked once.

A network may take several named inputs (the table's features, an image column...): each is an
array of one row per sample, ``(n, features)`` float32, ``(n, C, H, W)`` uint8 pixels or ``(n, L)``
int64 token ids. A bare
array is one input; the Trainer passes the inputs to the model in their order, ``model(*inputs)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import torch

from studio.errors import TrainingError

Inputs = np.ndarray | Mapping[str, np.ndarray]
SINGLE = "x"  # the name of a bare array's input
KEPT = (torch.uint8, torch.int64)  # input dtypes passed on as they are: pixels, token ids


def sample_rows(x: torch.Tensor | tuple[torch.Tensor, ...], limit: int) -> tuple[torch.Tensor, ...]:
    """At most ``limit`` rows spread evenly over the rows of ``x``, the same rows of every input: a tuple
    of one tensor per input, to call a network with ``model(*sample)`` (a probe's fixed sample)."""
    xs = x if isinstance(x, tuple) else (x,)
    step = max(1, len(xs[0]) // limit)
    return tuple(t[::step][:limit] for t in xs)


def hooked_forward(model: torch.nn.Module, sample: tuple[torch.Tensor, ...],
                   hooks: list[tuple[torch.nn.Module, Callable[..., None]]]) -> None:
    """Run ``model(*sample)`` in eval mode with forward ``hooks`` (module, hook) on, then take the hooks off
    and give the model back its mode: how a probe looks inside the network during training."""
    handles = [module.register_forward_hook(hook) for module, hook in hooks]
    was_training = model.training
    model.eval()
    try:
        model(*sample)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()


def named(x: Inputs) -> dict[str, np.ndarray]:
    """Inputs as an ordered name -> array mapping (a bare array is the single input ``"x"``)."""
    return {SINGLE: x} if isinstance(x, np.ndarray) else dict(x)


@dataclass(frozen=True)
class TensorData:
    """Inputs and targets (``(n,)`` int64 class codes or float values) of the training and validation rows.

    The validation inputs may have zero rows; early stopping and the best epoch then use the
    training loss.
    """

    x_train: Inputs
    y_train: np.ndarray
    x_val: Inputs
    y_val: np.ndarray

    @property
    def train(self) -> dict[str, np.ndarray]:
        return named(self.x_train)

    @property
    def val(self) -> dict[str, np.ndarray]:
        return named(self.x_val)

    @property
    def n_train(self) -> int:
        return len(self.y_train)

    @property
    def n_val(self) -> int:
        return len(self.y_val)

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """One sample's shape per input: ``(features,)`` or ``(C, H, W)``."""
        return {k: tuple(int(d) for d in v.shape[1:]) for k, v in self.train.items()}

    @property
    def n_features(self) -> int:
        """Features of the first flat input (the table's), 0 when there is none."""
        return next((s[0] for s in self.shapes.values() if len(s) == 1), 0)

    def check(self, task: str, n_classes: int) -> None:
        """Raise a TrainingError naming the first problem: shapes, sizes or class codes out of range."""
        train, val = self.train, self.val
        if not train or any(x.ndim < 2 for x in train.values()) or self.n_train == 0:
            shapes = {k: x.shape for k, x in train.items()}
            raise TrainingError(f"training inputs must be non-empty arrays of one row per sample, got {shapes}; "
                                "check the split and the preprocessing steps that drop rows")
        if set(val) != set(train):
            raise TrainingError(f"validation inputs {sorted(val)} differ from the training ones {sorted(train)}")
        for part, xs, y in (("training", train, self.y_train), ("validation", val, self.y_val)):
            for name, x in xs.items():
                if len(x) != len(y):
                    raise TrainingError(f"{part} input {name!r} has {len(x)} rows but the target has {len(y)}")
                if len(x) and tuple(x.shape[1:]) != tuple(train[name].shape[1:]):
                    raise TrainingError(f"{part} input {name!r} has samples of shape {tuple(x.shape[1:])} but "
                                        f"training has {tuple(train[name].shape[1:])}")
            if task == "classification" and len(y) and (y.min() < 0 or y.max() >= n_classes):
                raise TrainingError(
                    f"{part} class codes range over {int(y.min())}..{int(y.max())} but the model has "
                    f"{n_classes} outputs"
                )

    def to(self, device: torch.device, task: str) -> tuple[list[torch.Tensor], torch.Tensor,
                                                           list[torch.Tensor], torch.Tensor]:
        """Inputs (training, validation, in order) and targets as tensors on ``device``: float inputs
        as float32, pixels kept uint8 (4x less memory; the model's front converts them), token ids
        kept int64 (an embedding looks them up)."""
        y_dtype = torch.int64 if task == "classification" else torch.float32

        def tensor(a: np.ndarray, dtype: torch.dtype | None = None) -> torch.Tensor:
            t = torch.as_tensor(np.ascontiguousarray(a))
            return t.to(device=device, dtype=dtype or (t.dtype if t.dtype in KEPT else torch.float32))

        shapes = self.shapes
        val = [tensor(x.reshape(len(x), *shapes[k])) for k, x in self.val.items()]
        return ([tensor(x) for x in self.train.values()], tensor(self.y_train, y_dtype), val,
                tensor(self.y_val, y_dtype))
