"""Networks of several inputs: each input through its own stack of blocks, joined, then the trunk.

Ludwig's encoder-combiner-decoder: an input's *encoder* (its stack in ``recipe.encoders``) turns it
into features, the features of every input are flattened and concatenated, and the recipe's
``model`` blocks (the trunk) and the head follow. A network of one input with no encoder of its own
is the plain stack of before: its ``model`` blocks run on that input directly, so a recipe with one
table input builds exactly the model it always did.

An input may bring a *front*, a module with no learned weights run before its blocks (the per-channel
normalization of an image): it is part of the model, so training and the exported graph share it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from studio.blocks.base import Shape, numel
from studio.blocks.build import head_modules, input_modules, require_features
from studio.blocks.stack import build_stack, check_in_shape, infer_stack, parse_stack
from studio.blocks.summary import ModelSummary, stack_rows, summarize
from studio.errors import located

Blocks = list[dict[str, Any]]


@dataclass(frozen=True)
class InputPlan:
    """One input of a network: its name, the shape of one sample, and the blocks it goes through."""

    name: str
    shape: Shape
    blocks: Blocks


def plan_network(inputs: Sequence[tuple[str, Shape]], encoders: Mapping[str, Blocks]) -> list[InputPlan] | None:
    """The per-input stacks, or None for a single input without an encoder (the plain stack)."""
    if len(inputs) == 1 and inputs[0][0] not in encoders:
        return None
    return [InputPlan(name, check_in_shape(shape), list(encoders.get(name, []))) for name, shape in inputs]


def joined_width(plans: Sequence[InputPlan]) -> int:
    """Features after every encoder, flattened and concatenated (checks each stack's shapes)."""
    width = 0
    for plan in plans:
        with located("encoders", plan.name):
            shapes = infer_stack(parse_stack(plan.blocks), plan.shape)
            require_features(shapes[-1] if shapes else plan.shape, f"the blocks of input {plan.name!r} end",
                             "joining the inputs needs")
        width += numel(shapes[-1] if shapes else plan.shape)
    return width


class MultiInputNet(nn.Module):
    """``trunk(concat(flatten(encoder_i(front_i(x_i)))))``; ``forward`` takes the inputs in plan order."""

    def __init__(self, names: Sequence[str], encoders: Sequence[nn.Module], trunk: nn.Module) -> None:
        super().__init__()
        self.names = list(names)
        self.encoders = nn.ModuleList(encoders)
        self.trunk = trunk

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        parts = [enc(x).flatten(1) for enc, x in zip(self.encoders, inputs, strict=True)]  # (B, F_i) each
        return self.trunk(torch.cat(parts, dim=1))  # (B, sum F_i) -> (B, n_outputs)


def build_network(inputs: Sequence[tuple[str, Shape]], model: Blocks, encoders: Mapping[str, Blocks],
                  n_outputs: int, fronts: Mapping[str, nn.Module] | None = None) -> nn.Module:
    """The network for ``inputs`` (name, shape of one sample), in that order; see the module docstring.

    Raises:
        RecipeError / ShapeError: located at ``("encoders", name, i)`` or ``("model", i)``.
    """
    fronts = fronts or {}
    plans = plan_network(inputs, encoders)
    if plans is None:
        name, shape = inputs[0]
        with located("model"):
            layers = parse_stack(model)
            shape = check_in_shape(shape)
            shapes = infer_stack(layers, shape)
            body = build_stack(layers, shape)  # before the head: the same draws of the RNG as build_model
            head = head_modules(shapes[-1] if shapes else shape, n_outputs)
            front = [fronts[name]] if name in fronts else []
            return nn.Sequential(*front, *input_modules(shape), *body, *head)
    width = joined_width(plans)
    stacks = []
    for plan in plans:
        with located("encoders", plan.name):
            built = build_stack(parse_stack(plan.blocks), plan.shape)
        front = [fronts[plan.name]] if plan.name in fronts else []
        stacks.append(nn.Sequential(*front, *input_modules(plan.shape), *built))
    with located("model"):
        layers = parse_stack(model)
        shapes = infer_stack(layers, (width,))
        body = build_stack(layers, (width,))
        trunk = nn.Sequential(*body, *head_modules(shapes[-1] if shapes else (width,), n_outputs))
    return MultiInputNet([p.name for p in plans], stacks, trunk)


def summarize_network(inputs: Sequence[tuple[str, Shape]], model: Blocks, encoders: Mapping[str, Blocks],
                      n_outputs: int) -> ModelSummary:
    """Per-block shapes, parameters and MACs of :func:`build_network`'s network (rows of every stack)."""
    plans = plan_network(inputs, encoders)
    if plans is None:
        return summarize(model, inputs[0][1], n_outputs)
    rows = []
    for plan in plans:
        with located("encoders", plan.name):
            encoder_rows, _ = stack_rows(plan.blocks, plan.shape)
        rows += [row.with_stack(plan.name) for row in encoder_rows]
    trunk = summarize(model, (joined_width(plans),), n_outputs)  # located under "model" by summarize
    rows += [row.with_stack("trunk") for row in trunk.rows]
    return ModelSummary(plans[0].shape, rows, sum(r.params for r in rows), sum(r.macs for r in rows))
