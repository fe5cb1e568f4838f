"""What every block is: shape inference, a torch builder and a MAC count, behind one registry.

Shapes never include the batch dimension: ``(64,)`` is a flat vector of 64 features, ``(1, 8, 8)``
is a one-channel 8x8 image. ``where`` strings locate a block in messages, e.g. ``"block 3 conv2d"``
or ``"block 4 (residual) inner block 2 conv2d"`` (1-based).

MACs are multiply-accumulates per sample: dense, conv2d and projections count their products;
normalization counts one per element (its scale-and-shift); everything else counts zero.
"""

from __future__ import annotations

import math
from contextvars import ContextVar
from typing import Any, ClassVar

from torch import nn

from studio.errors import ShapeError
from studio.registry import Explanation, Params, Registry

Shape = tuple[int, ...]

# Position of the item being validated by BLOCKS.parse, so that a residual block can name its
# inner blocks as "model block 4 (residual) inner block 2" (see residual.py).
PARSING_WHERE: ContextVar[str | None] = ContextVar("PARSING_WHERE", default=None)


class Block:
    """A block kind. Subclasses override the classmethods; ``p`` is the kind's params model."""

    kind: ClassVar[str] = ""

    @classmethod
    def out_shape(cls, p: Any, shape: Shape, where: str) -> Shape:
        """The output shape for input ``shape``; raise :class:`ShapeError` naming ``where`` if impossible."""
        return shape

    @classmethod
    def build(cls, p: Any, shape: Shape) -> nn.Module:
        """The torch module for a (valid) input ``shape``, initialised with torch's defaults."""
        raise NotImplementedError

    @classmethod
    def macs(cls, p: Any, shape: Shape) -> int:
        """Multiply-accumulates per sample for a (valid) input ``shape``."""
        return 0

    @classmethod
    def label(cls, p: Any) -> str:
        """A short name for tables, e.g. ``"conv2d 16@3x3"``."""
        return cls.kind


class BlockRegistry(Registry[type[Block]]):
    """The block registry; :meth:`parse` also records the position being validated."""

    def register(self, name: str, params: type[Params], description: str = "",
                 explain: Explanation | None = None) -> Any:
        inner = super().register(name, params, description, explain)

        def decorate(impl: type[Block]) -> type[Block]:
            impl.kind = name
            return inner(impl)

        return decorate

    def parse(self, raw: Any, where: str) -> Params:
        token = PARSING_WHERE.set(where)
        try:
            return super().parse(raw, where)
        finally:
            PARSING_WHERE.reset(token)


BLOCKS = BlockRegistry("block")


# -- shape helpers ------------------------------------------------------------------------------


def fmt(shape: Shape) -> str:
    """``(64,)`` / ``(16, 8, 8)``: how shapes appear in messages."""
    return str(tuple(shape))


def numel(shape: Shape) -> int:
    return math.prod(shape)


def require_flat(where: str, shape: Shape) -> int:
    """The feature count of a 1-D input, or a ShapeError saying to flatten first."""
    if len(shape) != 1:
        raise ShapeError(
            f"{where} needs a flat input (features,) but gets {fmt(shape)}: "
            "add a flatten (or global_avg_pool) block before it"
        )
    return shape[0]


def require_image(where: str, shape: Shape) -> tuple[int, int, int]:
    """``(C, H, W)`` of a 3-D input, or a ShapeError saying to reshape first."""
    if len(shape) != 3:
        raise ShapeError(
            f"{where} needs input (C, H, W) but gets {fmt(shape)}: add a reshape block before it"
        )
    c, h, w = shape
    return c, h, w


def window_out(side: int, kernel: int, stride: int, padding: int) -> int:
    """Output length of a sliding window (conv or pool) along one side."""
    return (side + 2 * padding - kernel) // stride + 1
