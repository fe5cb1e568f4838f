"""Inputs of several kinds: the table's numeric and categorical columns, and image columns.

Each kind is one module that fits its preprocessing on the training rows, turns rows into the
tensor the network takes, brings the front the model runs first (if any), and saves itself as JSON.
The text issue adds token sequences the same way. Public API: ``FittedInput``, ``fit_inputs``,
``input_from_dict``, ``INPUT_KINDS``; see docs/engine-api.md.
"""

from studio.inputs.base import INPUT_KINDS, FittedInput, input_from_dict
from studio.inputs.fit import FitResult, fit_inputs

__all__ = ["INPUT_KINDS", "FitResult", "FittedInput", "fit_inputs", "input_from_dict"]
