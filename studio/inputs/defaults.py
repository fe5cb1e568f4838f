"""The encoder an input gets in a network of several inputs when the recipe gives it none.

A table's features join the others as they are; an image first goes through a small CNN that
pools to one vector of channels (a pixel grid of thousands of raw values would drown the table); a
text column's token ids are embedded and averaged over the text (padding left out).
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
TEXT_ENCODER: list[dict[str, Any]] = [{"kind": "embedding", "dim": 64}, {"kind": "seq_pool", "mode": "mean"}]
DEFAULTS: dict[str, list[dict[str, Any]]] = {"table": [], "image": IMAGE_ENCODER, "text": TEXT_ENCODER}
TEXT_MODEL: list[dict[str, Any]] = [*TEXT_ENCODER, {"kind": "dense", "units": 64}, {"kind": "activation", "fn": "relu"}]
SEQUENCE_BLOCKS = frozenset({"embedding", "positional", "transformer_encoder", "self_attention", "lstm", "gru",
                             "conv1d", "maxpool1d", "seq_pool"})
TABLE_MODEL: list[dict[str, Any]] = [
    {"kind": "dense", "units": 64}, {"kind": "activation", "fn": "relu"},
    {"kind": "dense", "units": 32}, {"kind": "activation", "fn": "relu"},
]
IMAGE_BLOCKS = frozenset({"conv2d", "separable_conv2d", "maxpool2d", "avgpool2d", "global_avg_pool", "dropout2d"})
RESHAPING = frozenset({"flatten", "reshape"})


def _kinds(blocks: Sequence[Mapping[str, Any]]) -> set[str]:
    kinds: set[str] = set()
    for block in blocks:
        kinds.add(str(block.get("kind")))
        kinds |= _kinds(block.get("blocks") or [])  # a residual block's inner blocks
    return kinds


def model_for_data(model: Sequence[Mapping[str, Any]], pictures_only: bool, has_table: bool,
                   text_only: bool = False) -> list[dict[str, Any]] | None:
    """A model that can read the data, when ``model`` plainly cannot; None when it can (or may).

    New data keeps the draft's model unless the model is of the wrong kind for it: pictures alone
    and a model of dense blocks with no image block or flatten get the small CNN above; one text
    column alone and a model with no sequence block gets an embedding, mean pooling and a dense
    layer (``text_only``: the only feature is one text column); table columns alone and a model of image
    blocks with no reshape get a dense stack. A person who built a flatten-then-dense model for
    pictures, or a reshape-then-convolution model for a table, keeps it.
    """
    kinds = _kinds(model)
    if text_only:
        return None if kinds & SEQUENCE_BLOCKS else [dict(b) for b in TEXT_MODEL]
    if kinds & SEQUENCE_BLOCKS and not pictures_only:
        # a text model's blocks cannot read table columns, nor be the trunk after several inputs
        return [dict(b) for b in TABLE_MODEL]
    if pictures_only and not kinds & IMAGE_BLOCKS and not kinds & RESHAPING:
        return [dict(b) for b in IMAGE_ENCODER]
    if has_table and not pictures_only and kinds & IMAGE_BLOCKS and not kinds & RESHAPING:
        return [dict(b) for b in TABLE_MODEL]
    return None


def default_encoders(given: Mapping[str, list[dict[str, Any]]], inputs: Sequence[FittedInput]) -> \
        dict[str, list[dict[str, Any]]]:
    """``given``, plus each input's default encoder when there are several inputs and it has none."""
    out = {name: list(blocks) for name, blocks in given.items()}
    if len(inputs) > 1:
        for inp in inputs:
            if inp.name not in out:
                out[inp.name] = [dict(b) for b in DEFAULTS.get(inp.kind, [])]
    return out
