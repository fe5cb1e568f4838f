"""The encoder an input gets in a network of several inputs when the recipe gives it none.

A table's features join the others as they are; an image first goes through a small CNN that
pools to one vector of channels (a pixel grid of thousands of raw values would drown the table).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from studio.inputs.base import FittedInput

IMAGE_ENCODER: list[dict[str, Any]] = [
    {"kind": "conv2d", "filters": 16, "kernel_size": 3}, {"kind": "activation", "fn": "relu"},
    {"kind": "maxpool2d", "kernel_size": 2},
    {"kind": "conv2d", "filters": 32, "kernel_size": 3}, {"kind": "activation", "fn": "relu"},
    {"kind": "global_avg_pool"},
]
DEFAULTS: dict[str, list[dict[str, Any]]] = {"table": [], "image": IMAGE_ENCODER}


def default_encoders(given: Mapping[str, list[dict[str, Any]]], inputs: Sequence[FittedInput]) -> \
        dict[str, list[dict[str, Any]]]:
    """``given``, plus each input's default encoder when there are several inputs and it has none."""
    out = {name: list(blocks) for name, blocks in given.items()}
    if len(inputs) > 1:
        for inp in inputs:
            if inp.name not in out:
                out[inp.name] = [dict(b) for b in DEFAULTS.get(inp.kind, [])]
    return out
