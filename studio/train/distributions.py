"""What the pages draw from recorded histograms (:mod:`studio.train.histograms`): one layer's values over
epochs on one scale, and every layer's gradient norm over epochs with the diagnoses' limits.

Input is the plain data of a ``histograms`` event or of histograms.json (the same dict). Pure numpy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from studio.train.diagnose import EXPLODING_NORM, vanishing_limit

KINDS = ("weights", "gradients", "activations")
GRID = 40  # bins of the common scale of one layer's readings


@dataclass(frozen=True)
class Distribution:
    """One layer's values over readings: ``shares[b, r]`` is the share of reading r's finite values in
    the bin from ``edges[b]`` to ``edges[b + 1]``; ``nonfinite`` counts the values left out (NaN, ±inf)."""

    epochs: list[int]
    finals: list[bool]
    edges: np.ndarray  # (GRID + 1,)
    shares: np.ndarray  # (GRID, readings)
    nonfinite: int


@dataclass(frozen=True)
class GradientNorms:
    """``norms[layer][r]``: that layer's gradient norm at reading r (NaN: no gradient). ``vanishing[r]``:
    the diagnoses' limit below which the first layer's gradient is vanishing (None: not judged);
    ``exploding``: the norm above which a layer's gradient is exploding."""

    epochs: list[int]
    finals: list[bool]
    layers: list[str]
    norms: list[list[float]]
    vanishing: list[float | None]
    exploding: float = EXPLODING_NORM


def problem(raw: Any) -> str | None:
    """What is wrong with histograms data (None: nothing), so a damaged file is one clear sentence."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("readings"), list):
        return "no list of readings"
    layers, bins = raw.get("layers"), raw.get("bins")
    if not isinstance(layers, list) or not isinstance(bins, int) or bins < 1:
        return "no layers or bins"
    n = len(layers)
    for r in raw["readings"]:
        if not isinstance(r, Mapping) or not isinstance(r.get("epoch"), int):
            return "a reading without its epoch"
        if not isinstance(r.get("grad_norms"), list) or len(r["grad_norms"]) != n:
            return f"a reading without {n} gradient norms"
        for kind in KINDS:
            part = r.get(kind)
            if not isinstance(part, Mapping) or any(not isinstance(part.get(k), list) or len(part[k]) != n
                                                    for k in ("lo", "hi", "counts", "nonfinite")):
                return f"a reading without {kind} for {n} layers"
            if any(c is not None and (not isinstance(c, list) or len(c) != bins) for c in part["counts"]):
                return f"{kind} counts that are not {bins} bins"
    return None


def layer_labels(data: Mapping[str, Any]) -> list[str]:
    """"layer 1 · Linear · 16×2" per layer (the names the diagnoses use, the module, the weight's shape)."""
    modules, shapes = data.get("modules") or [], data.get("shapes") or []
    out = []
    for i, name in enumerate(data["layers"]):
        module = f" · {modules[i]}" if i < len(modules) else ""
        shape = f" · {'×'.join(str(s) for s in shapes[i])}" if i < len(shapes) else ""
        out.append(f"{name}{module}{shape}")
    return out


def distribution(data: Mapping[str, Any], layer: int, kind: str, grid: int = GRID) -> Distribution | None:
    """``layer``'s ``kind`` ("weights" | "gradients" | "activations") over the readings, on a common
    scale from the smallest ``lo`` to the largest ``hi`` of them: each reading's bin counts are spread
    evenly over their bins' width (its CDF interpolated linearly at the grid's edges), then divided by
    the reading's finite values. None when no reading has a finite value of it."""
    readings = [r for r in data["readings"] if r[kind]["counts"][layer] is not None
                and r[kind]["lo"][layer] is not None]
    if not readings:
        return None
    lows = [float(r[kind]["lo"][layer]) for r in readings]
    highs = [float(r[kind]["hi"][layer]) for r in readings]
    edges = np.linspace(min(lows), max(highs), grid + 1)
    shares = np.zeros((grid, len(readings)))
    for j, (r, lo, hi) in enumerate(zip(readings, lows, highs, strict=True)):
        counts = np.asarray(r[kind]["counts"][layer], dtype=np.float64)
        total = counts.sum()
        if total <= 0:
            continue
        own = np.linspace(lo, hi, len(counts) + 1)
        cdf = np.concatenate([[0.0], np.cumsum(counts)])
        shares[:, j] = np.diff(np.interp(edges, own, cdf)) / total
    nonfinite = sum(int(r[kind]["nonfinite"][layer] or 0) for r in data["readings"])
    return Distribution([int(r["epoch"]) for r in readings], [bool(r.get("final")) for r in readings], edges,
                        shares, nonfinite)


def gradient_norms(data: Mapping[str, Any]) -> GradientNorms:
    """Every layer's gradient norm per reading, with the diagnoses' vanishing and exploding limits."""
    readings = data["readings"]
    norms = [[_number(r["grad_norms"][i]) for r in readings] for i in range(len(data["layers"]))]
    vanishing = [vanishing_limit([_number(v) for v in r["grad_norms"]]) for r in readings]
    return GradientNorms([int(r["epoch"]) for r in readings], [bool(r.get("final")) for r in readings],
                         list(data["layers"]), norms, vanishing)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan
