"""A forecast run's predictions on its own test windows, for the Evaluate page's actual-vs-forecast plot."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from studio.errors import RunError, quote


def test_forecasts(run: Any) -> pd.DataFrame:
    """One row per test window of a forecast ``run`` (a :class:`~studio.runs.LoadedRun`), in time order.

    Columns: the time of the window's last step (when the series has a time column), then for each step
    ahead k the actual value ``<target>[t+k]`` and the forecast ``predicted[t+k]``, in the target's units;
    the same windows and numbers as the test metrics of ``summary.json``.

    Raises:
        RunError: the run is not a forecast of a series.
    """
    series = getattr(run, "series", None)
    if series is None or not series.forecast:
        raise RunError(f"run {quote(run.run.id)} is not a forecast of a series")
    from studio.data.series_rows import sample_frame

    frame, windows = sample_frame(run.test_frame(), series)
    name = next(i.name for i in run.inputs if i.kind == "series")
    predicted = np.asarray(run.predict_frame(frame, {name: windows}), dtype=np.float64).reshape(len(frame), -1)
    for k in range(series.horizon):
        frame[f"predicted[t+{k + 1}]"] = predicted[:, k]
    return frame


test_forecasts.__test__ = False  # type: ignore[attr-defined]  # a test runner must not collect it by its name
