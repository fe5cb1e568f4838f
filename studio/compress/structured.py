"""Structured pruning: drop whole units of dense layers and channels of convolutions, so the network
really gets smaller (fewer weights, a smaller ONNX file, less work per sample).

A layer is shrunk only when what reads its outputs can be cut to match: the next dense or conv2d
layer (or the head), reached through element-wise blocks, batch norm (cut alike), pooling, global
average pooling or flatten (a channel is its H·W features). Units are ranked by the L2 norm of
their weights; a layer keeps ``round(width × (1 − sparsity))`` of the width it had in the source
recipe (at least 1). Layers inside residual blocks, and networks of several inputs, are left as
they are (the report says so).
"""

from __future__ import annotations

import copy
from typing import Any

import torch

from studio.blocks import infer_shapes
from studio.blocks.build import needs_flatten

WEIGHTED = {"dense": "units", "conv2d": "filters"}
PASS = {"activation", "dropout", "dropout2d", "maxpool2d", "avgpool2d"}
CUT_ALONG = {"batchnorm"}  # per-feature/channel parameters, cut like the layer before


def _consumer(blocks: list[dict[str, Any]], j: int) -> tuple[int | None, list[int], int | None] | None:
    """From weighted block ``j``: the index of the next weighted block (None = the head), the batch
    norms between, and the index of a flatten block between (None: none); None when a block in
    between cannot be cut."""
    norms: list[int] = []
    flat: int | None = None
    for k in range(j + 1, len(blocks)):
        kind = blocks[k]["kind"]
        if kind in WEIGHTED:
            return k, norms, flat
        if kind in CUT_ALONG:
            norms.append(k)
        elif kind == "flatten":
            flat = k
        elif kind == "global_avg_pool":
            flat = None
        elif kind not in PASS:
            return None
    return None, norms, flat


def shrink(blocks: list[dict[str, Any]], original: list[dict[str, Any]], state: dict[str, torch.Tensor],
           in_shape: tuple[int, ...], offset: int, head: str, sparsity: float) -> \
        tuple[list[dict[str, Any]], dict[str, torch.Tensor], list[str]]:
    """The smaller blocks, their weights, and one line per layer changed or left alone.

    ``state``: the network's state dict, block ``i`` under ``"{offset + i}."``, the head under ``head``.
    """
    blocks, state = copy.deepcopy(blocks), {k: v.clone() for k, v in state.items()}
    shapes = [tuple(in_shape), *infer_shapes(blocks, in_shape)]  # shapes[k] = the input of block k
    notes = []
    for j, block in enumerate(blocks):
        field = WEIGHTED.get(block["kind"])
        if field is None:
            continue
        found = _consumer(blocks, j)
        if found is None:
            notes.append(f"block {j + 1} {block['kind']}: kept whole (a block after it cannot be cut)")
            continue
        consumer, norms, flat = found
        width = int(block[field])
        keep_n = max(1, round(int(original[j][field]) * (1 - sparsity)))
        if keep_n >= width:
            continue
        key = f"{offset + j}."
        weight = state[key + "weight"]
        keep = torch.sort(torch.topk(weight.reshape(width, -1).norm(dim=1), keep_n).indices).values
        state[key + "weight"] = weight[keep]
        if key + "bias" in state:
            state[key + "bias"] = state[key + "bias"][keep]
        for n in norms:
            for name in ("weight", "bias", "running_mean", "running_var"):
                if f"{offset + n}.{name}" in state:
                    state[f"{offset + n}.{name}"] = state[f"{offset + n}.{name}"][keep]
        seen = shapes[flat] if flat is not None else shapes[consumer if consumer is not None else len(blocks)]
        spatial = 1
        if len(seen) == 3 and (flat is not None or (consumer is None and needs_flatten(seen))):
            spatial = int(seen[1] * seen[2])  # flattened: channel c is features c*H*W .. (c+1)*H*W - 1
        columns = (keep[:, None] * spatial + torch.arange(spatial)[None, :]).reshape(-1)
        target = head if consumer is None else f"{offset + consumer}."
        state[target + "weight"] = state[target + "weight"][:, columns]
        block[field] = keep_n
        notes.append(f"block {j + 1} {block['kind']}: {width} -> {keep_n} {field}")
    return blocks, state, notes
