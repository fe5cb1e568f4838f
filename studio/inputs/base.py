"""What every input kind is: a fitted, JSON-saved transform from a table's rows to one tensor."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
from torch import nn

from studio.errors import RunError


class FittedInput:
    """One named input of a network, fitted on the training rows.

    Attributes:
        name: "table", or the image column's name.
        kind: the registry name ("table", "image").
        shape: one sample as the input's first block sees it: ``(features,)`` or ``(C, H, W)``.
    """

    kind: ClassVar[str] = ""
    name: str
    shape: tuple[int, ...]

    def arrays(self, table: Any, frame: pd.DataFrame) -> np.ndarray:
        """The tensor data of ``frame``'s rows (a split of ``table.frame``): float32 or uint8, (n, *shape)."""
        raise NotImplementedError

    def front(self) -> nn.Module | None:
        """The module the model runs on this input before its blocks (no learned weights), or None."""
        return None

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FittedInput:
        raise NotImplementedError


INPUT_KINDS: dict[str, type[FittedInput]] = {}


def register(cls: type[FittedInput]) -> type[FittedInput]:
    INPUT_KINDS[cls.kind] = cls
    return cls


def input_from_dict(raw: Any) -> FittedInput:
    """A fitted input read back from preprocessing.json; RunError when the entry is damaged."""
    kind = raw.get("kind") if isinstance(raw, dict) else None
    if kind not in INPUT_KINDS:
        raise RunError(f"preprocessing.json names an input of unknown kind {kind!r}; train the run again")
    try:
        return INPUT_KINDS[kind].from_dict(raw)
    except (KeyError, TypeError, ValueError) as err:
        raise RunError(f"preprocessing.json has a damaged {kind} input ({err}); train the run again") from None
