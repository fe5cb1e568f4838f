"""The project's own exceptions: each carries one sentence a person can act on.

The UI shows ``str(err)``; the CLI prints it and exits with status 2. Anything that is not a
``StudioError`` is a bug and is reported as such.

An error may also carry a ``location``: where in the recipe the problem is, as a JSON path into
the recipe's data with 0-based list positions, e.g. ``("model", 3)`` for the fourth block,
``("model", 3, "blocks", 1)`` for the second inner block of a residual, ``("preprocessing", 0)``
for the first step, ``("data", "columns", "mode")``. Pages mark the offending item from it;
the sentence itself names the item the way people count ("block 4 residual inner block 2 dense").
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Location = tuple[str | int, ...]

QUOTE_LIMIT = 60  # characters of a received value repeated in a message


class StudioError(Exception):
    """Base of every error a person can cause (bad file, bad value, impossible model...)."""

    def __init__(self, message: str = "", location: Location = ()) -> None:
        super().__init__(message)
        self.location: Location = tuple(location)


class RecipeError(StudioError):
    """A recipe field or block has an invalid value; the message names it and what is valid."""


class LessonError(RecipeError):
    """A lesson file, a lesson's name, or a lesson's locks cannot be used (see studio/lessons.py)."""


class QRCodeError(StudioError):
    """A link cannot be drawn as a QR code (too long for one), or not in the image format asked for."""


class DataError(StudioError):
    """A dataset or CSV cannot be used as given."""


class ShapeError(StudioError):
    """A stack of blocks cannot be built for the input shape it receives."""


class TrainingError(StudioError):
    """Training cannot go on (a loss that became NaN, a device that is not there...)."""


class ExportError(StudioError):
    """A model cannot be exported, or the exported file does not compute what torch computed."""


class RunError(StudioError):
    """A run directory is missing, incomplete or from an incompatible version."""


class JobLimitError(StudioError):
    """A session asked for more training jobs at once than a shared server allows it."""


def with_location(err: StudioError, *prefix: str | int) -> StudioError:
    """``err`` with ``prefix`` put in front of its location (the caller knows the outer path)."""
    err.location = (*prefix, *err.location)
    return err


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """A received value as a message repeats it: ``repr`` for text, :func:`plain` for numbers,
    cut to ``limit`` characters with the full length said, so a 10 MB value is not echoed back."""
    if isinstance(value, bool) or value is None:
        text = repr(value)
    elif isinstance(value, int | float) or _is_numpy_number(value):
        text = plain(value)
    else:
        try:
            text = repr(value if isinstance(value, str) else _plain_container(value))
        except RecursionError:  # lists in lists thousands deep: a message must still be made
            text = f"<{type(value).__name__} nested too deeply to show>"
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}…({len(text):,} characters)"


def plain(value: Any) -> str:
    """A number as a person writes it: ``1e+308``, ``0.001``, ``42``, never ``np.float64(1e+308)``."""
    if isinstance(value, bool):
        return str(value)
    if _is_numpy_number(value):
        value = value.item()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "infinity" if value > 0 else "-infinity"
        return f"{value:.6g}"
    return str(value)


def _is_numpy_number(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", 1) == 0


def _plain_container(value: Any) -> Any:
    """Lists, tuples and dicts with their numpy scalars turned into Python ones (for ``repr``)."""
    if _is_numpy_number(value):
        return value.item()
    if isinstance(value, list | tuple):
        return type(value)(_plain_container(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain_container(v) for k, v in value.items()}
    return value


@contextmanager
def located(*prefix: str | int) -> Iterator[None]:
    """Put ``prefix`` in front of the location of any StudioError raised inside the block."""
    try:
        yield
    except StudioError as err:
        raise with_location(err, *prefix) from None
