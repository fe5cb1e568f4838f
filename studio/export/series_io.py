"""A series model's inputs and answers in onnxruntime alone: rows of steps -> windows -> forecasts.

``studio predict`` on a CSV of steps (the time column, if the model has one, and its series)
orders and cleans them as training did, then forecasts the next ``horizon`` values from the last
window (one row per step ahead, with its time when the steps are regular), or classifies every
complete window (one row per window, at its last step).
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pandas as pd

from studio.data.series import SeriesInfo
from studio.data.series_rows import clean_steps, future_times, sample_frame
from studio.errors import ExportError
from studio.export.schema import ModelSchema, SeriesInputSpec


def info_of(spec: SeriesInputSpec) -> SeriesInfo:
    return SeriesInfo(tuple(spec.columns), spec.window, spec.horizon, spec.task, spec.target, spec.time,
                      spec.time_kind, spec.step)


def series_windows(spec: SeriesInputSpec, frame: pd.DataFrame, notes: list[str] | None = None) -> np.ndarray:
    """Every complete window of raw steps, float32 (n, window, series), as the graph takes them."""
    info = info_of(spec)
    return sample_frame(clean_steps(frame, info, notes if notes is not None else []), info, with_targets=False)[1]


def predict_series(session: ort.InferenceSession, schema: ModelSchema, frame: pd.DataFrame,
                   where: str = "the model") -> pd.DataFrame:
    """Forecast from the last window of ``frame``'s steps, or classify each of its windows."""
    spec = schema.series
    assert spec is not None
    info = info_of(spec)
    notices: list[str] = []
    steps = clean_steps(frame, info, notices)
    anchors, windows = sample_frame(steps, info, with_targets=False)
    if info.forecast:
        windows, anchors = windows[-1:], anchors.iloc[-1:]
    try:
        out = session.run([schema.output], {spec.name: windows})[0]
    except Exception as err:  # onnxruntime raises its own Fail/InvalidArgument types
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ExportError(f"onnxruntime could not run {where} on these steps ({first[:150]}); "
                          "export the run again") from None
    if info.forecast:
        result = pd.DataFrame({"step": [f"t+{k}" for k in range(1, info.horizon + 1)]})
        times = future_times(steps, info, info.horizon)
        if times is not None:
            result[info.time] = times
        result["prediction"] = out[0].astype(np.float64)
        last = f" after {steps[info.time].iloc[-1]}" if info.time else f" after step {len(steps)}"
        notices.append(f"forecast of {info.target!r} for the {info.horizon} step(s){last}, from the last "
                       f"{info.window} steps")
    else:
        labels = schema.class_labels or []
        result = anchors.copy() if info.time else pd.DataFrame({"step": np.arange(info.window, len(steps) + 1)})
        result["prediction"] = np.asarray(labels, dtype=object)[out.argmax(axis=1)]
        for k, label in enumerate(labels):
            result[f"proba_{label}"] = out[:, k].astype(np.float64)
    result.attrs["notices"] = notices
    return result
