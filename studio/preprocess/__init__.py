"""Preprocessing: steps fit on the training split only, stored as JSON, exportable to torch.

Importing this package fills :data:`STEPS` with every step kind.
"""

from studio.preprocess import column_steps, projection_steps, row_filters, text_steps  # noqa: F401  (registers)
from studio.preprocess.base import STEPS, Step, StepReport
from studio.preprocess.encoder import InputColumn
from studio.preprocess.fit import fit_preprocessor, fit_transform
from studio.preprocess.preprocessor import Preprocessor
from studio.preprocess.target import TargetScaler

__all__ = [
    "STEPS",
    "InputColumn",
    "Preprocessor",
    "Step",
    "StepReport",
    "TargetScaler",
    "fit_preprocessor",
    "fit_transform",
]
