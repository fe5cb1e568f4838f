"""Fine-tuning: a run that starts from another run's weights, with some blocks frozen.

Blocks are matched by position and shape: a tensor of the new network is loaded when the old one
has a tensor of the same name (the same block position) and the same shape, so a network that
grew a block at its end, or reads another number of classes, loads what still fits. The head is
made new when the classes differ (even if their number is the same: "cat" and "dog" are not
"circle" and "square"). Frozen blocks stop learning (``requires_grad`` off; their batch norms
keep their running statistics); loaded, unfrozen weights may learn at a lower rate
(``training.pretrained_lr_factor``) while new ones, like the head, learn at the optimizer's rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from studio.blocks.network import MultiInputNet
from studio.errors import RecipeError, RunError

_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)


@dataclass
class InitReport:
    """What a fine-tuning run took from its source run: tensor names loaded, skipped (why), frozen."""

    source: str
    loaded: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    frozen_blocks: list[str] = field(default_factory=list)
    new_head: bool = False

    def lines(self) -> list[str]:
        out = [f"started from run {self.source}: loaded {len(self.loaded)} weight tensors"
               + (f", skipped {len(self.skipped)}" if self.skipped else "")]
        if self.new_head:
            out.append("the head is new: the classes differ from the source run's")
        reasons = sorted(set(self.skipped.values()))
        out += [f"skipped: {reason}" for reason in reasons[:3]]
        if self.frozen_blocks:
            out.append(f"frozen: {', '.join(self.frozen_blocks)}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "loaded": len(self.loaded), "skipped": self.skipped,
                "frozen": self.frozen_blocks, "new_head": self.new_head}


def block_prefixes(model: nn.Module, names: list[str], fronts: set[str], n_model_blocks: int) -> \
        dict[str, list[str]]:
    """The state-dict prefix of every block: ``"model"`` -> one per recipe.model block; each input
    name -> one per block of its encoder (networks of several inputs); ``"head"`` -> [the head's]."""
    if isinstance(model, MultiInputNet):
        out: dict[str, list[str]] = {}
        for j, (name, encoder) in enumerate(zip(model.names, model.encoders, strict=True)):
            skip = 1 if name in fronts else 0
            out[name] = [f"encoders.{j}.{i}." for i in range(skip, len(encoder))]
        out["model"] = [f"trunk.{i}." for i in range(n_model_blocks)]
        out["head"] = [f"trunk.{len(model.trunk) - 1}."]
        return out
    assert isinstance(model, nn.Sequential)
    skip = 1 if names and names[0] in fronts else 0
    return {"model": [f"{skip + i}." for i in range(n_model_blocks)], "head": [f"{len(model) - 1}."]}


def source_run(path: str, labels: list[str] | None, task: str) -> tuple[Any, dict[str, torch.Tensor], bool]:
    """The source run, its kept weights, and whether its classes are the new run's."""
    from studio.runs import RunDir

    try:
        run = RunDir.open(path)
    except RunError as err:
        raise RecipeError(f"training.init_from: {err}", ("training", "init_from")) from None
    weights = run.read_weights()
    table = run.read_prepared().get("table") or {}
    same = table.get("task") == task and (task != "classification" or table.get("class_labels") == labels)
    return run, weights, same


def init_from_run(model: nn.Module, recipe: Any, prepared: Any) -> InitReport:
    """Load ``recipe.training.init_from``'s weights into ``model`` and freeze what the recipe says."""
    training = recipe.training
    table = prepared.table
    run, weights, same_classes = source_run(training.init_from, table.class_labels, table.task)
    _check_input_kinds(run, [i.kind for i in prepared.inputs])
    names = [i.name for i in prepared.inputs]
    prefixes = block_prefixes(model, names, set(prepared.fronts()), len(recipe.model))
    head = tuple(prefixes["head"])
    report = InitReport(run.id, new_head=not same_classes)
    state = model.state_dict()
    for key, tensor in state.items():
        old = weights.get(key)
        if not same_classes and key.startswith(head):
            report.skipped[key] = "the head (new classes)"
        elif old is None:
            report.skipped[key] = "not in the source run (a new block)"
        elif tuple(old.shape) != tuple(tensor.shape):
            report.skipped[key] = "another shape in the source run"
        else:
            state[key] = old.to(tensor.dtype)
            report.loaded.append(key)
    if not report.loaded:
        raise RecipeError(f"training.init_from: no weight of run {run.id!r} fits this network (different blocks or "
                          "input sizes); start from a run of the same architecture", ("training", "init_from"))
    model.load_state_dict(state)
    _freeze(model, training.freeze, prefixes, names, report)
    return report


KIND_WORDS = {"table": "a table's columns", "image": "pictures", "text": "text", "series": "a time series"}


def _kinds_text(kinds: list[str]) -> str:
    return " and ".join(dict.fromkeys(KIND_WORDS.get(k, k) for k in kinds)) or "nothing"


def _check_input_kinds(run: Any, kinds: list[str]) -> None:
    """A source run that reads none of the kinds of input this network reads has nothing to give it."""
    old = [str(i.get("kind")) for i in run.read_prepared().get("inputs") or [] if isinstance(i, dict)]
    if old and not set(old) & set(kinds):
        raise RecipeError(f"training.init_from: run {run.id!r} was trained on {_kinds_text(old)}, this network "
                          f"reads {_kinds_text(kinds)}; start from a run trained on the same kind of input",
                          ("training", "init_from"))


def _freeze(model: nn.Module, freeze: int | str | None, prefixes: dict[str, list[str]], names: list[str],
            report: InitReport) -> None:
    if freeze in (None, 0):
        return
    if isinstance(freeze, int):
        blocks = prefixes["model"]
        if freeze > len(blocks):
            raise RecipeError(f"training.freeze is {freeze} but the model has {len(blocks)} blocks; freeze at most "
                              f"{len(blocks)}", ("training", "freeze"))
        chosen = blocks[:freeze]
        report.frozen_blocks = [f"model blocks 1-{freeze}" if freeze > 1 else "model block 1"]
    else:
        if freeze not in names:
            raise RecipeError(f"training.freeze names input {freeze!r}, but the inputs are {', '.join(names)}; give "
                              "one of them or a number of blocks", ("training", "freeze"))
        chosen = prefixes.get(freeze) or prefixes["model"]  # one input: its stack is the model
        report.frozen_blocks = [f"the {freeze} input's blocks"]
    for name, param in model.named_parameters():
        if name.startswith(tuple(chosen)):
            param.requires_grad_(False)
    for name, module in model.named_modules():
        if isinstance(module, _NORMS) and f"{name}.".startswith(tuple(chosen)):
            module.momentum = 0.0  # frozen: its running statistics stay the source run's


def param_groups(model: nn.Module, report: InitReport | None, factor: float, lr: float) -> list[dict[str, Any]] | None:
    """Optimizer groups giving loaded weights ``factor`` × ``lr``; None when every weight learns at ``lr``."""
    if report is None or factor >= 1.0:
        return None
    loaded = set(report.loaded)
    old = [p for n, p in model.named_parameters() if p.requires_grad and n in loaded]
    new = [p for n, p in model.named_parameters() if p.requires_grad and n not in loaded]
    groups = [{"params": new}] if new else []
    if old:
        groups.append({"params": old, "lr": lr * factor})
    return groups
