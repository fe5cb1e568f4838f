"""Optuna's own figures of a sweep (plotly): parallel coordinates and parameter importances.

Pure functions: a study in, a Figure (or None when there is not enough to draw) out.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

log = logging.getLogger(__name__)


def _completed(study: Any) -> int:
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))


def parallel_coordinates(study: Any) -> Any | None:
    """Each completed trial as a line through its values and its result; None before one completed."""
    if _completed(study) < 1:
        return None
    from optuna.visualization import plot_parallel_coordinate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return plot_parallel_coordinate(study)


def importances(study: Any) -> Any | None:
    """How much each searched field mattered (fANOVA); None before two trials completed or with one field."""
    if _completed(study) < 2 or len(study.best_trial.params) < 2:
        return None
    from optuna.visualization import plot_param_importances

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return plot_param_importances(study)
    except (RuntimeError, ValueError) as err:  # e.g. every completed trial drew the same values
        log.info("no importance figure: %s", err)
        return None
