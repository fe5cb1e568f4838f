"""The search space of a sweep: recipe fields by dotted path, each with how to draw its values.

The JSON form (``--space SPACE.json``, or the app's widgets)::

    {"optimizer.lr":      {"log_uniform": [1e-4, 1e-1]},
     "model.0.units":     {"choice": [16, 32, 64, 128]},
     "regularization.l2": {"uniform": [0, 0.01]},
     "training.batch_size": {"int_uniform": [16, 128]},
     "optimizer.kind":    {"choice": ["adam", "sgd"]}}

A path is the recipe's JSON path with list positions as numbers (``model.0.units`` is the first
block's units). Parsing here checks only the form of each entry; whether a path names a field of
the recipe and whether the recipe accepts the values is checked by :func:`studio.sweeps.apply.check_space`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from studio.errors import RecipeError, quote
from studio.jsontext import load_json

KINDS = ("log_uniform", "uniform", "int_uniform", "choice")
MAX_CHOICES = 1000


class SpaceError(RecipeError):
    """A search space that cannot be searched: its form, a path, or a value the recipe refuses."""


@dataclass(frozen=True)
class Param:
    """One searched field. ``args``: (low, high) for the ranges, the values for ``choice``."""

    path: str
    kind: str
    args: tuple[Any, ...]

    def distribution(self) -> Any:
        """The Optuna distribution this parameter is drawn from."""
        from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

        if self.kind == "choice":
            return CategoricalDistribution(list(self.args))
        low, high = self.args
        if self.kind == "int_uniform":
            return IntDistribution(int(low), int(high))
        return FloatDistribution(float(low), float(high), log=self.kind == "log_uniform")

    def samples(self) -> list[Any]:
        """Values that stand for the whole range when checking it against the recipe: both ends
        and the middle of a range, every choice."""
        if self.kind == "choice":
            return list(self.args)
        low, high = self.args
        if self.kind == "int_uniform":
            return sorted({int(low), (int(low) + int(high)) // 2, int(high)})
        mid = math.sqrt(low * high) if self.kind == "log_uniform" else (low + high) / 2
        return sorted({float(low), float(mid), float(high)})

    def to_json(self) -> dict[str, list[Any]]:
        return {self.kind: list(self.args)}

    def describe(self) -> str:
        if self.kind == "choice":
            return f"{self.path} one of {', '.join(quote(v, 20) for v in self.args)}"
        low, high = self.args
        how = {"log_uniform": "log-uniform", "uniform": "uniform", "int_uniform": "whole numbers"}[self.kind]
        return f"{self.path} {how} from {quote(low)} to {quote(high)}"


@dataclass(frozen=True)
class Space:
    """The parameters of a sweep, in the order the space names them."""

    params: tuple[Param, ...]

    def distributions(self) -> dict[str, Any]:
        return {p.path: p.distribution() for p in self.params}

    def to_json(self) -> dict[str, dict[str, list[Any]]]:
        return {p.path: p.to_json() for p in self.params}

    @property
    def paths(self) -> list[str]:
        return [p.path for p in self.params]


def space_from_json(data: bytes | str, name: str = "the space") -> Space:
    """Read a space file's text (UTF-8 JSON); any problem is a SpaceError naming ``name``."""
    return parse_space(load_json(data, f"space file {quote(name)}", SpaceError))


def parse_space(raw: Any) -> Space:
    """Check the form of a space: a non-empty object of ``path: {kind: args}``."""
    if not isinstance(raw, dict) or not raw:
        got = "an empty object" if raw == {} else quote(raw)
        raise SpaceError('the space must be a JSON object of recipe paths, e.g. {"optimizer.lr": '
                         f'{{"log_uniform": [0.0001, 0.1]}}}}, got {got}')
    return Space(tuple(_param(path, spec) for path, spec in raw.items()))


def _param(path: Any, spec: Any) -> Param:
    if not isinstance(path, str) or not path.strip() or any(not part for part in path.split(".")):
        raise SpaceError(f"space path {quote(path)} is not a dotted recipe path such as 'optimizer.lr' or "
                         "'model.0.units'")
    if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in KINDS:
        raise SpaceError(f"space {quote(path)} must be one of {{\"log_uniform\": [low, high]}}, "
                         f"{{\"uniform\": [low, high]}}, {{\"int_uniform\": [low, high]}} or {{\"choice\": [...]}}, "
                         f"got {quote(spec)}")
    kind, args = next(iter(spec.items()))
    if kind == "choice":
        return Param(path, kind, _choices(path, args))
    return Param(path, kind, _range(path, kind, args))


def _choices(path: str, args: Any) -> tuple[Any, ...]:
    if not isinstance(args, list) or not args:
        raise SpaceError(f"space {quote(path)}: choice needs a non-empty list of values, got {quote(args)}")
    if len(args) > MAX_CHOICES:
        raise SpaceError(f"space {quote(path)}: choice has {len(args):,} values; give at most {MAX_CHOICES}")
    for value in args:
        if value is not None and not isinstance(value, bool | int | float | str):
            raise SpaceError(f"space {quote(path)}: choice values must be numbers, text, true/false or null, "
                             f"got {quote(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise SpaceError(f"space {quote(path)}: choice values must be finite numbers, got {quote(value)}")
    if len({repr(v) for v in args}) != len(args):
        raise SpaceError(f"space {quote(path)}: choice lists a value twice ({quote(args)}); list each once")
    return tuple(args)


def _range(path: str, kind: str, args: Any) -> tuple[Any, Any]:
    if not isinstance(args, list) or len(args) != 2 or not all(_is_number(v) for v in args):
        raise SpaceError(f"space {quote(path)}: {kind} needs [low, high], two numbers, got {quote(args)}")
    low, high = args
    if not all(math.isfinite(v) for v in args):
        raise SpaceError(f"space {quote(path)}: {kind} bounds must be finite numbers, got {quote(args)}")
    if low > high:
        raise SpaceError(f"space {quote(path)}: {kind} low {quote(low)} is above high {quote(high)}; "
                         "give [low, high]")
    if kind == "log_uniform" and low <= 0:
        raise SpaceError(f"space {quote(path)}: log_uniform bounds must be above 0, got {quote(args)}; "
                         "use uniform for a range that includes 0")
    if kind == "int_uniform" and not all(float(v).is_integer() for v in args):
        raise SpaceError(f"space {quote(path)}: int_uniform needs whole numbers, got {quote(args)}")
    if kind == "int_uniform":
        return int(low), int(high)
    return float(low), float(high)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
