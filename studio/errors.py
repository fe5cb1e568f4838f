"""The project's own exceptions: each carries one sentence a person can act on.

The UI shows ``str(err)``; the CLI prints it and exits with status 2. Anything that is not a
``StudioError`` is a bug and is reported as such.
"""


class StudioError(Exception):
    """Base of every error a person can cause (bad file, bad value, impossible model...)."""


class RecipeError(StudioError):
    """A recipe field or block has an invalid value; the message names it and what is valid."""


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
