"""A table of the model: per block its output shape, parameter count and MACs per sample."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from studio.blocks.base import Shape, fmt, numel
from studio.blocks.build import head_modules, needs_flatten, require_features
from studio.blocks.stack import check_in_shape, infer_stack, input_shapes, parse_stack, stack_macs
from studio.errors import located


@dataclass(frozen=True)
class BlockRow:
    """One line of the summary; ``index`` is the 1-based block position, None for implicit rows."""

    index: int | None
    kind: str
    label: str
    out_shape: Shape
    params: int
    macs: int
    stack: str = ""  # which stack of a network of several inputs: an input's name, or "trunk"

    def with_stack(self, stack: str) -> BlockRow:
        return BlockRow(self.index, self.kind, self.label, self.out_shape, self.params, self.macs, stack)


@dataclass(frozen=True)
class ModelSummary:
    in_shape: Shape
    rows: list[BlockRow]
    total_params: int
    total_macs: int  # per sample

    def to_records(self) -> list[dict[str, Any]]:
        """Plain dicts for a table; ``index`` and ``out_shape`` as text ("3", "(16, 8, 8)"), index "" when implicit.

        Text keeps each column of one type, which Arrow (st.dataframe) needs.
        """
        records = []
        several = any(row.stack for row in self.rows)  # a network of several inputs names each row's stack
        for row in self.rows:
            rec = asdict(row)
            rec["index"] = "" if row.index is None else str(row.index)
            rec["out_shape"] = fmt(row.out_shape)
            if not several:
                del rec["stack"]
            records.append(rec)
        return records


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def stack_rows(blocks: Sequence[dict[str, Any]], shape: Shape) -> tuple[list[BlockRow], Shape]:
    """One row per block of a stack on inputs of ``shape``, and the stack's output shape."""
    layers = parse_stack(blocks)
    shapes = infer_stack(layers, shape)
    macs = stack_macs(layers, shape)
    rows = []
    with torch.device("meta"):
        for layer, inp, out, mac in zip(layers, input_shapes(shape, shapes), shapes, macs, strict=True):
            rows.append(BlockRow(layer.index, layer.kind, layer.label(), out, _count(layer.build(inp)), mac))
    return rows, shapes[-1] if shapes else shape


def summarize(blocks: Sequence[dict[str, Any]], in_shape: Sequence[int], n_outputs: int) -> ModelSummary:
    """Summarize the model :func:`build_model` would build; raises what it raises.

    Parameter counts come from modules built on the meta device (no memory, no init cost), so they
    equal ``sum(p.numel() for p in build_model(...).parameters())``.
    """
    with located("model"):
        shape = check_in_shape(in_shape)
        rows, last = stack_rows(blocks, shape)
        require_features(last)
    with torch.device("meta"):
        head = head_modules(last, n_outputs)
    if needs_flatten(last):
        rows.append(BlockRow(None, "flatten", "flatten", (numel(last),), 0, 0))
    rows.append(BlockRow(None, "head", f"linear -> {n_outputs}", (n_outputs,), _count(head[-1]),
                         numel(last) * n_outputs))
    return ModelSummary(shape, rows, sum(r.params for r in rows), sum(r.macs for r in rows))
