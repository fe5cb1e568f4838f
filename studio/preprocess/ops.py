"""Numeric ops: the fitted part of preprocessing, as plain JSON numbers, numpy and torch.

Each op maps a float32 matrix (n, width) to (n, width_out) and exists three ways that must agree:
``to_dict`` (JSON, finite floats only), ``apply`` (numpy, used by ``Preprocessor.transform``) and
``module`` (a torch module built from buffers, with no data-dependent Python control flow, so that
``torch.onnx.export(..., dynamo=True)`` can trace it). Ops that touch some columns only store those
columns; the others get identity values (NaN fill = keep, ±inf clip, 0/1 scale) when the full-width
vectors are built.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

OPS: dict[str, type[Op]] = {}


def _register(cls: type[Op]) -> type[Op]:
    OPS[cls.kind] = cls
    return cls


def _floats(values: Any) -> list[float]:
    out = [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]
    if not all(np.isfinite(out)):
        raise ValueError("fitted preprocessing values must be finite")
    return out


def _full(width: int, cols: list[int], values: list[float], identity: float) -> np.ndarray:
    vec = np.full(width, identity, dtype=np.float32)
    vec[cols] = np.asarray(values, dtype=np.float32)
    return vec


def _span(cols: list[int]) -> slice:
    """The columns from the first to the last of ``cols``: in place, an op touches only those (the
    identity values of the others in between leave them bitwise as they are)."""
    return slice(min(cols), max(cols) + 1) if cols else slice(0, 0)


def _buffer(module: nn.Module, name: str, value: np.ndarray) -> None:
    module.register_buffer(name, torch.from_numpy(np.ascontiguousarray(value)))


class Op:
    """Base of the numeric ops; ``kind`` names it in JSON."""

    kind: ClassVar[str] = ""
    width: int

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.kind, **self.__dict__}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Op:
        fields = {k: v for k, v in raw.items() if k != "op"}
        return OPS[raw["op"]](**fields)

    @property
    def width_out(self) -> int:
        return self.width

    def apply(self, x: np.ndarray) -> np.ndarray:  # (n, width) -> (n, width_out), float32
        raise NotImplementedError

    def apply_inplace(self, x: np.ndarray) -> np.ndarray:
        """``apply(x)``, writing into ``x`` (float32, owned by the caller) when the op keeps the width:
        the same numbers without a second matrix of a million rows. Returns the result."""
        return self.apply(x)

    def module(self) -> nn.Module:
        raise NotImplementedError


class _Elementwise(nn.Module):
    """Holds one or two full-width vectors; subclasses say what to do with them."""

    def __init__(self, a: np.ndarray, b: np.ndarray | None = None) -> None:
        super().__init__()
        _buffer(self, "a", a)
        _buffer(self, "b", a if b is None else b)


class _FillModule(_Elementwise):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(torch.isnan(x), self.a, x)


class _ClipModule(_Elementwise):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.minimum(torch.maximum(x, self.a), self.b)


class _AffineModule(_Elementwise):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.a) / self.b


@_register
class FillNaN(Op):
    """Replace NaN in column ``cols[i]`` by ``values[i]``."""

    kind = "fill"

    def __init__(self, width: int, cols: list[int], values: list[float]) -> None:
        self.width, self.cols, self.values = width, list(cols), _floats(values)

    def _fill(self) -> np.ndarray:
        return _full(self.width, self.cols, self.values, np.nan)  # NaN fill keeps NaN: identity

    def apply(self, x: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(x), self._fill(), x).astype(np.float32)

    def apply_inplace(self, x: np.ndarray) -> np.ndarray:
        span = _span(self.cols)
        part = x[:, span]  # a view
        np.copyto(part, self._fill()[span], where=np.isnan(part))  # NaN where the fill is NaN: the identity
        return x

    def module(self) -> nn.Module:
        return _FillModule(self._fill())


@_register
class Clip(Op):
    """Clip column ``cols[i]`` to ``[lo[i], hi[i]]``."""

    kind = "clip"

    def __init__(self, width: int, cols: list[int], lo: list[float], hi: list[float]) -> None:
        self.width, self.cols, self.lo, self.hi = width, list(cols), _floats(lo), _floats(hi)

    def _bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return _full(self.width, self.cols, self.lo, -np.inf), _full(self.width, self.cols, self.hi, np.inf)

    def apply(self, x: np.ndarray) -> np.ndarray:
        lo, hi = self._bounds()
        return np.minimum(np.maximum(x, lo), hi).astype(np.float32)

    def apply_inplace(self, x: np.ndarray) -> np.ndarray:
        lo, hi = self._bounds()
        span = _span(self.cols)
        part = x[:, span]
        np.maximum(part, lo[span], out=part)
        np.minimum(part, hi[span], out=part)
        return x

    def module(self) -> nn.Module:
        return _ClipModule(*self._bounds())


@_register
class Affine(Op):
    """``(x - sub) / div`` on column ``cols[i]`` (``div`` is never 0: sklearn replaces it by 1)."""

    kind = "affine"

    def __init__(self, width: int, cols: list[int], sub: list[float], div: list[float]) -> None:
        self.width, self.cols, self.sub, self.div = width, list(cols), _floats(sub), _floats(div)

    def _vectors(self) -> tuple[np.ndarray, np.ndarray]:
        return _full(self.width, self.cols, self.sub, 0.0), _full(self.width, self.cols, self.div, 1.0)

    def apply(self, x: np.ndarray) -> np.ndarray:
        sub, div = self._vectors()
        return ((x - sub) / div).astype(np.float32)

    def apply_inplace(self, x: np.ndarray) -> np.ndarray:
        sub, div = self._vectors()
        span = _span(self.cols)
        part = x[:, span]
        np.subtract(part, sub[span], out=part)
        np.divide(part, div[span], out=part)
        return x

    def module(self) -> nn.Module:
        return _AffineModule(*self._vectors())


class _SelectModule(nn.Module):
    def __init__(self, keep: np.ndarray) -> None:
        super().__init__()
        _buffer(self, "keep", keep)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.index_select(1, self.keep)


@_register
class Select(Op):
    """Keep the columns ``keep``, in that order."""

    kind = "select"

    def __init__(self, width: int, keep: list[int]) -> None:
        self.width, self.keep = width, [int(k) for k in keep]

    @property
    def width_out(self) -> int:
        return len(self.keep)

    def apply(self, x: np.ndarray) -> np.ndarray:
        return x[:, self.keep]

    def module(self) -> nn.Module:
        return _SelectModule(np.asarray(self.keep, dtype=np.int64))


class _ProjectModule(nn.Module):
    def __init__(self, mean: np.ndarray, components_t: np.ndarray) -> None:
        super().__init__()
        _buffer(self, "mean", mean)
        _buffer(self, "components_t", components_t)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) @ self.components_t  # (B, w) @ (w, k) -> (B, k)


@_register
class Project(Op):
    """``(x - mean) @ components.T``: a fitted PCA, components (k, width)."""

    kind = "project"

    def __init__(self, width: int, mean: list[float], components: list[list[float]]) -> None:
        self.width, self.mean = width, _floats(mean)
        self.components = [_floats(row) for row in components]

    @property
    def width_out(self) -> int:
        return len(self.components)

    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        mean = np.asarray(self.mean, dtype=np.float32)
        comp_t = np.asarray(self.components, dtype=np.float32).reshape(-1, self.width).T
        return mean, np.ascontiguousarray(comp_t)

    def apply(self, x: np.ndarray) -> np.ndarray:
        mean, comp_t = self._arrays()
        return ((x - mean) @ comp_t).astype(np.float32)

    def module(self) -> nn.Module:
        return _ProjectModule(*self._arrays())


class _PowerModule(nn.Module):
    def __init__(self, factors: np.ndarray) -> None:
        super().__init__()
        _buffer(self, "factors", factors)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        padded = torch.cat([x, torch.ones_like(x[:, :1])], dim=1)  # (B, w + 1), last column = 1
        return torch.prod(padded[:, self.factors], dim=2)  # (B, m, degree) -> (B, m)


@_register
class Power(Op):
    """Monomials: output j is the product over columns i of ``x[:, i] ** powers[j][i]``.

    Computed as a product of gathered factors, ``factors[j]`` listing column i ``powers[j][i]``
    times and padded with a column of ones, so memory is (n, m, degree) rather than (n, m, width).
    """

    kind = "power"

    def __init__(self, width: int, powers: list[list[int]]) -> None:
        self.width, self.powers = width, [[int(p) for p in row] for row in powers]

    @property
    def width_out(self) -> int:
        return len(self.powers)

    def _factors(self) -> np.ndarray:
        degree = max((sum(row) for row in self.powers), default=1)
        factors = np.full((len(self.powers), degree), self.width, dtype=np.int64)  # width -> the ones
        for j, row in enumerate(self.powers):
            cols = [i for i, p in enumerate(row) for _ in range(p)]
            factors[j, : len(cols)] = cols
        return factors

    def apply(self, x: np.ndarray) -> np.ndarray:
        padded = np.concatenate([x, np.ones((len(x), 1), dtype=np.float32)], axis=1)
        return np.prod(padded[:, self._factors()], axis=2).astype(np.float32)

    def module(self) -> nn.Module:
        return _PowerModule(self._factors())
