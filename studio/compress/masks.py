"""Global magnitude pruning with torch's own pruning utilities, kept in place while fine-tuning."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import prune

PRUNABLE = (nn.Linear, nn.Conv2d, nn.Conv1d)


def prunable(model: nn.Module) -> list[tuple[nn.Module, str]]:
    return [(m, "weight") for m in model.modules() if isinstance(m, PRUNABLE)]


def magnitude_masks(model: nn.Module, sparsity: float) -> dict[nn.Module, torch.Tensor]:
    """Zero the ``sparsity`` share of smallest weights over all dense and convolution layers together
    (``prune.global_unstructured`` with L1), make it permanent, and return each layer's 0/1 mask."""
    params = prunable(model)
    prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=float(sparsity))
    masks = {}
    for module, name in params:
        masks[module] = getattr(module, f"{name}_mask").detach().clone()
        prune.remove(module, name)
    return masks


def keep_zeros(masks: dict[nn.Module, torch.Tensor]) -> callable:
    """An ``after_step`` hook: the optimizer may move pruned weights; this sets them back to zero."""

    def reapply() -> None:
        with torch.no_grad():
            for module, mask in masks.items():
                module.weight.mul_(mask.to(module.weight.device))

    return reapply


def weight_sparsity(model: nn.Module) -> float:
    """Share of zero weights over the dense and convolution layers."""
    total = zeros = 0
    for module, _ in prunable(model):
        total += module.weight.numel()
        zeros += int((module.weight == 0).sum())
    return zeros / total if total else 0.0
