"""Integrated Gradients (captum) of one or a few predictions, summed back onto the raw input columns.

The path runs through the whole inference module (:meth:`LoadedRun.inference_module`): from the
reference input (:mod:`studio.explain.baseline`) to the row, through the fitted preprocessing, the
network and the softmax. So an attribution is in the output's own units: probability of the
explained class (classification) or the target's units (regression), and the attributions of a
row add up to ``output - baseline_output`` (completeness; ``deltas`` says how far the integral's
32-step approximation is from that).

A table input's attribution is per encoded slot; the slots of one raw column (the indicators of a
category, the parts of a date) are summed into that column. A picture's attribution is per pixel
and channel; its heatmap is the absolute value summed over channels, (H, W). A text's token ids
cannot move along a path, so a model with text inputs goes through captum's LayerIntegratedGradients
at each text input's embedding (from as many unknown words, ``UNK``, to the text's own), one
attribution per token; its other inputs join the same path through identity layers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from studio.errors import RunError, quote
from studio.explain.baseline import encoded_baseline, image_baseline
from studio.explain.columns import RawColumn, raw_columns
from studio.text.spec import PAD, UNK

N_STEPS = 32  # points on the path: fast on a CPU, completeness within a few % of the output
BATCH = 1024  # rows x steps per forward pass


@dataclass
class Attributions:
    """Attributions of ``n`` predictions to their raw columns.

    Attributes:
        targets: what was explained, per row: the class label, or the target's name (regression).
        outputs: f(row) for that class or value, (n,).
        base_outputs: f(baseline), (n,).
        deltas: sum of attributions - (outputs - base_outputs), (n,): the integral's error.
        table: raw column -> attribution, one row per explained row (every raw column, pictures too:
            a picture's entry is the sum over its pixels).
        values: the raw value of each table column in each row, as text.
        kinds: raw column -> kind ("numeric", "categorical", "date", "image", ...).
        heatmaps: image column -> float32 (n, H, W), absolute attribution summed over channels.
        tokens: text column -> per row, (token, attribution) of each token the model read (summed over the
            embedding's features; pads have none).
        baseline: a sentence saying what the reference input was.
    """

    targets: list[str]
    outputs: np.ndarray
    base_outputs: np.ndarray
    deltas: np.ndarray
    table: pd.DataFrame
    values: pd.DataFrame
    kinds: dict[str, str]
    heatmaps: dict[str, np.ndarray] = field(default_factory=dict)
    tokens: dict[str, list[list[tuple[str, float]]]] = field(default_factory=dict)
    baseline: str = ""

    def row(self, i: int) -> pd.DataFrame:
        """Row ``i``'s attributions: ``column``, ``kind``, ``value``, ``attribution``; largest |attribution| first."""
        out = pd.DataFrame({"column": list(self.table.columns), "kind": [self.kinds[c] for c in self.table.columns],
                            "value": [self.values.iloc[i].get(c, "") for c in self.table.columns],
                            "attribution": self.table.iloc[i].to_numpy(dtype=np.float64)})
        return out.reindex(out["attribution"].abs().sort_values(ascending=False, kind="stable").index) \
            .reset_index(drop=True)


def attribute(run: Any, frame: pd.DataFrame, images: dict[str, np.ndarray] | None = None, *,
              target: list[int] | None = None, n_steps: int = N_STEPS, image_baseline_kind: str = "black") \
        -> Attributions:
    """Integrated Gradients of the predictions of ``frame``'s rows (raw rows, as :meth:`LoadedRun.predict_frame`
    takes them; ``images``: image column -> uint8 (n, C, H, W)).

    Args:
        target: the class index explained per row; None: the predicted class (ignored for a regression).
        n_steps: points on the straight path from the baseline to the row.
        image_baseline_kind: "black" or "mean" (the training pictures' mean colour).

    Raises:
        RunError: the model has an input of a kind that cannot be explained, a text input without an
            embedding, or no rows.
    """
    unsupported = [i for i in run.inputs if i.kind not in ("table", "image", "text")]
    if unsupported:
        raise RunError(f"attributions are not available for a {unsupported[0].kind} input "
                       f"({quote(unsupported[0].name, 30)}); the table, picture and text inputs can be explained")
    if len(frame) == 0:
        raise RunError("there is no row to explain; give at least one row")
    n = len(frame)
    xs = [torch.from_numpy(np.asarray(a)) for a in run.raw_inputs(frame, images)]
    xs = [x if inp.kind == "text" else x.to(torch.float32) for inp, x in zip(run.inputs, xs, strict=True)]
    bases, words = _baselines(run, xs, image_baseline_kind)
    model = run.inference_module()
    for p in model.parameters():
        p.requires_grad_(False)  # gradients with respect to the inputs only
    with torch.no_grad():
        outputs = model(*xs)  # (n, K) or (n, 1)
        base_out = model(*bases)
    if run.task == "classification":
        classes = outputs.argmax(dim=1).tolist() if target is None else [int(t) for t in target]
        labels = [str(run.class_labels[c]) for c in classes]
    else:
        classes, labels = [0] * n, [str(run.meta["target"])] * n
    options = {"target": classes, "n_steps": int(n_steps), "return_convergence_delta": True,
               "internal_batch_size": BATCH if n * int(n_steps) > BATCH else None}
    if any(inp.kind == "text" for inp in run.inputs):
        attr, delta = _layer_ig(run, model, xs, bases, options)
    else:
        from captum.attr import IntegratedGradients

        attr, delta = IntegratedGradients(model).attribute(tuple(xs), baselines=tuple(bases), **options)
    index = torch.arange(n)
    return _gather(run, frame, [a.detach().numpy() for a in attr], labels,
                   outputs[index, classes].numpy(), base_out[index, classes].numpy(),
                   delta.detach().numpy(), " and ".join(words))


class _Tapped(nn.Module):
    """``module(*inputs)`` with each input first through an identity layer: a layer whose output *is* the input,
    so Integrated Gradients of a layer there is Integrated Gradients of the input."""

    def __init__(self, module: nn.Module, n_inputs: int) -> None:
        super().__init__()
        self.module = module
        self.taps = nn.ModuleList(nn.Identity() for _ in range(n_inputs))

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return self.module(*(tap(x) for tap, x in zip(self.taps, inputs, strict=True)))


def _layer_ig(run: Any, model: nn.Module, xs: list[torch.Tensor], bases: list[torch.Tensor],
              options: dict[str, Any]) -> tuple[list[torch.Tensor], torch.Tensor]:
    """captum's LayerIntegratedGradients for a model with text inputs: token ids cannot move along a path, their
    embeddings can. The layers are each text input's embedding (its output, (B, L, D)) and an identity tap on
    every other input, all moved together from the baseline to the row, so completeness holds for the whole."""
    from captum.attr import LayerIntegratedGradients

    tapped = _Tapped(model, len(xs))
    layers = [_embedding(run, pos) if inp.kind == "text" else tapped.taps[pos] for pos, inp in enumerate(run.inputs)]
    with warnings.catch_warnings():  # "each layer is not solely dependent on another": taps and tables are not
        warnings.filterwarnings("ignore", message="Multiple layers provided")
        lig = LayerIntegratedGradients(tapped, layers)
    attr, delta = lig.attribute(tuple(xs), baselines=tuple(bases), **options)
    return list(attr), delta


def _embedding(run: Any, position: int) -> nn.Module:
    """The embedding table that reads the text input at ``position`` (the first nn.Embedding of its stack)."""
    encoders = getattr(run.model, "encoders", None)
    stack = encoders[position] if encoders is not None and len(encoders) == len(run.inputs) else run.model
    found = next((m for m in stack.modules() if isinstance(m, nn.Embedding)), None)
    if found is None:
        name = run.inputs[position].name
        raise RunError(f"the text input {quote(name, 30)} has no embedding block, so its words cannot be "
                       "attributed; its model reads the token ids some other way")
    return found


def _baselines(run: Any, xs: list[torch.Tensor], image_kind: str) -> tuple[list[torch.Tensor], list[str]]:
    """The reference input of each network input, broadcast to the batch; NaN in a table row (a missing
    number) is first filled as the model's own imputation fills it, else with the reference's value."""
    bases: list[torch.Tensor] = []
    words: list[str] = []
    for inp, x in zip(run.inputs, xs, strict=True):
        if inp.kind == "table":
            base, _, said = encoded_baseline(run)
            filled = x.numpy()
            for op in run.preprocessor.ops:
                if op.kind != "fill":
                    break
                filled = op.apply(filled)
            filled = np.where(np.isnan(filled), base[None, :], filled).astype(np.float32)
            x.copy_(torch.from_numpy(filled))
            bases.append(torch.from_numpy(np.broadcast_to(base, filled.shape).copy()))
            words.append(f"for the table columns, {said}")
        elif inp.kind == "text":  # the same number of tokens, each unknown: only the words differ
            bases.append(torch.where(x != PAD, torch.full_like(x, UNK), x))
            words.append(f"for {quote(inp.column, 30)}, as many unknown words")
        else:
            picture, said = image_baseline(inp, image_kind)
            bases.append(torch.from_numpy(np.broadcast_to(picture, tuple(x.shape)).copy()))
            words.append(f"for {quote(inp.column, 30)}, {said}")
    return bases, words


def _gather(run: Any, frame: pd.DataFrame, attr: list[np.ndarray], labels: list[str], outputs: np.ndarray,
            base_outputs: np.ndarray, deltas: np.ndarray, words: str) -> Attributions:
    columns = raw_columns(run)
    by_input = {inp.name: a for inp, a in zip(run.inputs, attr, strict=True)}
    n = len(frame)
    table: dict[str, np.ndarray] = {}
    values: dict[str, list[str]] = {}
    heatmaps: dict[str, np.ndarray] = {}
    tokens: dict[str, list[list[tuple[str, float]]]] = {}
    for col in columns:
        a = by_input[col.input]
        if col.kind == "text":  # (n, L, D) at the embedding
            scores = a.sum(axis=2)  # (n, L): one per token
            table[col.name] = scores.sum(axis=1)
            tokens[col.name] = _tokens(run, col, frame, scores)
            values[col.name] = [str(v) for v in frame[col.name]]
        elif col.kind == "image":  # (n, H, W, C)
            table[col.name] = a.reshape(n, -1).sum(axis=1)
            heatmaps[col.name] = np.abs(a).sum(axis=3).astype(np.float32)
            values[col.name] = ["(picture)"] * n
        else:
            table[col.name] = a[:, list(col.slots)].sum(axis=1)
            values[col.name] = _values(frame, col)
    return Attributions(labels, np.asarray(outputs, dtype=np.float64), np.asarray(base_outputs, dtype=np.float64),
                        np.asarray(deltas, dtype=np.float64), pd.DataFrame(table), pd.DataFrame(values),
                        {c.name: c.kind for c in columns}, heatmaps, tokens, words)


def _tokens(run: Any, col: RawColumn, frame: pd.DataFrame, scores: np.ndarray) -> list[list[tuple[str, float]]]:
    """Each row's tokens as the tokenizer cut them, beside their attributions (as many as the ids kept)."""
    spec = next(i for i in run.inputs if i.name == col.input).spec
    out = []
    for i, text in enumerate(frame[col.name]):
        kept = len(spec.ids(text))
        out.append([(tok, float(scores[i, t])) for t, tok in enumerate(spec.tokens(text)[:kept])])
    return out


def _values(frame: pd.DataFrame, col: RawColumn) -> list[str]:
    """The raw value of ``col`` in each row, as a person would read it (a date: as given, else its parts)."""
    if col.name in frame.columns:
        show = _number if col.kind == "numeric" else str
        return ["" if pd.isna(v) else show(v) for v in frame[col.name]]
    parts = [p for p in col.columns if p in frame.columns]
    return [", ".join(f"{p} {_number(frame[p].iloc[i])}" for p in parts) for i in range(len(frame))]


def _number(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    return "missing" if np.isnan(v) else f"{v:g}"
