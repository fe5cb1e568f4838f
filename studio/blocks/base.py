"""What every block is: shape inference, a torch builder and a MAC count, behind one registry.

Shapes never include the batch dimension: ``(64,)`` is a flat vector of 64 features, ``(1, 8, 8)``
is a one-channel 8x8 image. ``where`` strings locate a block in messages, e.g. ``"block 3 conv2d"``
or ``"block 4 (residual) inner block 2 conv2d"`` (1-based).

Sequences have two shape classes (tuples all the same, so sizes read as before): :class:`Tokens`,
the token ids of a text input, and :class:`Steps`, a sequence of L steps of D features that travels
between modules as a :class:`~studio.blocks.sequence_base.Seq` (features and a padding mask). A block
that does not say it takes sequences refuses them with the fix (:func:`refuse_sequence`).

MACs are multiply-accumulates per sample: dense, conv2d, projections, attention and recurrences
count their products; normalization counts one per element (its scale-and-shift); everything else
counts zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any, ClassVar

from torch import nn

from studio.errors import ShapeError
from studio.registry import Explanation, Params, Registry

Shape = tuple[int, ...]

# Position of the item being validated by BLOCKS.parse, so that a residual block can name its
# inner blocks as "model block 4 (residual) inner block 2" (see residual.py).
PARSING_WHERE: ContextVar[str | None] = ContextVar("PARSING_WHERE", default=None)


class Tokens(tuple):
    """``(L,)``: token ids, int64 (B, L) at run time, PAD (0) after the text; ``vocab`` ids in all."""

    vocab: int

    def __new__(cls, length: int, vocab: int) -> Tokens:
        obj = super().__new__(cls, (length,))
        obj.vocab = vocab
        return obj

    def __getnewargs__(self) -> tuple[int, int]:  # pickle and copy rebuild it through __new__
        return self[0], self.vocab

    def __repr__(self) -> str:
        return f"Tokens({self[0]}, vocab={self.vocab})"


class Steps(tuple):
    """``(L, D)``: a sequence of L steps of D features, a ``Seq(x (B, L, D), mask (B, L))`` at run time."""

    def __new__(cls, length: int | Iterable[int], dim: int | None = None) -> Steps:
        # Steps((L, D)) too: dataclasses.asdict and copy rebuild tuples from their items
        return super().__new__(cls, (length, dim) if dim is not None else tuple(length))  # type: ignore[arg-type]

    def __getnewargs__(self) -> tuple[int, int]:
        return self[0], self[1]

    def __repr__(self) -> str:
        return f"Steps({self[0]}, {self[1]})"


def is_sequence(shape: Shape) -> bool:
    return isinstance(shape, (Tokens, Steps))


class Block:
    """A block kind. Subclasses override the classmethods; ``p`` is the kind's params model.

    Sequences: a kind with ``takes_sequences`` handles :class:`Tokens` / :class:`Steps` in its own
    methods; one with ``on_steps`` acts on each step's features, so on a Steps input it is built on
    ``(L, D)`` and wrapped to pass the mask on (dropout, activation, layernorm); any other kind is
    refused a sequence with ``needs`` and the fix.
    """

    kind: ClassVar[str] = ""
    takes_sequences: ClassVar[bool] = False
    on_steps: ClassVar[bool] = False
    needs: ClassVar[str] = "a flat input (features,) or an image (C, H, W)"
    steps_fix: ClassVar[str] = "add a seq_pool block first"

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
    """``(64,)`` / ``(16, 8, 8)`` / ``token ids (32,)`` / ``a sequence (32, 64)``: shapes in messages."""
    if isinstance(shape, Tokens):
        return f"token ids {tuple(shape)}"
    if isinstance(shape, Steps):
        return f"a sequence {tuple(shape)}"
    return str(tuple(shape))


EMBED_FIX = "add an embedding block first"


def refuse_sequence(where: str, needs: str, shape: Shape, steps_fix: str = "add a seq_pool block first") -> ShapeError:
    """The error for a block that cannot take the sequence ``shape``, with the fix."""
    fix = EMBED_FIX if isinstance(shape, Tokens) else steps_fix
    return ShapeError(f"{where} needs {needs} but gets {fmt(shape)}: {fix}")


def numel(shape: Shape) -> int:
    return math.prod(shape)


def require_flat(where: str, shape: Shape) -> int:
    """The feature count of a 1-D input, or a ShapeError saying to flatten (or pool) first."""
    if is_sequence(shape):
        raise refuse_sequence(where, "a flat input (features,)", shape)
    if len(shape) != 1:
        raise ShapeError(
            f"{where} needs a flat input (features,) but gets {fmt(shape)}: "
            "add a flatten (or global_avg_pool) block before it"
        )
    return shape[0]


def require_image(where: str, shape: Shape) -> tuple[int, int, int]:
    """``(C, H, W)`` of a 3-D input, or a ShapeError saying to reshape first."""
    if is_sequence(shape):
        raise refuse_sequence(where, "input (C, H, W)", shape)
    if len(shape) != 3:
        raise ShapeError(
            f"{where} needs input (C, H, W) but gets {fmt(shape)}: add a reshape block before it"
        )
    c, h, w = shape
    return c, h, w


def window_out(side: int, kernel: int, stride: int, padding: int) -> int:
    """Output length of a sliding window (conv or pool) along one side."""
    return (side + 2 * padding - kernel) // stride + 1
