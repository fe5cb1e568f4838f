"""Series a person might hand the studio: too short for the window, a time that is no time, text in a series,
gaps where they were refused, two rows for one step, a window of nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.corpus.corpus import case, train_argv
from tests.corpus.workspace import Workspace


def _steps(n: int = 60) -> pd.DataFrame:
    t = np.arange(n)
    return pd.DataFrame({"day": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
                         "visits": (50 + 10 * np.sin(t / 3)).round(2)})


def _series(ws: Workspace, frame: pd.DataFrame, **series: object) -> list[str]:
    csv = ws.csv("steps.csv", frame)
    raw = {"schema_version": 1, "name": "corpus-series",
           "data": {"source": f"csv:{csv.name}", "target": "visits",
                    "series": {"time": "day", "window": 7, **series}},
           "model": [{"kind": "flatten"}, {"kind": "dense", "units": 8}], "training": {"epochs": 2}}
    return train_argv(ws.write_json("recipe.json", raw))


@case("csv/series-shorter-than-window", "5 steps", "window of 7")
def _(ws):
    return _series(ws, _steps(5))


@case("csv/series-time-not-dates", "time column", "'day'", "soon")
def _(ws):
    return _series(ws, _steps().assign(day=lambda f: f["day"].where(f.index != 4, "soon")))


@case("csv/series-text-column", "'visits'", "not numbers", "lots")
def _(ws):
    return _series(ws, _steps().assign(visits=lambda f: f["visits"].astype(object).where(f.index != 9, "lots")))


@case("csv/series-gaps-refused", "missing", "interpolate")
def _(ws):
    return _series(ws, _steps().assign(visits=lambda f: f["visits"].where(f.index % 10 != 3)), missing="refuse")


@case("csv/series-two-rows-one-day", "appears 2 times", "'day'")
def _(ws):
    return _series(ws, _steps().assign(day=lambda f: f["day"].where(f.index != 8, f["day"][7])))


@case("csv/series-window-zero", "window", "received 0")
def _(ws):
    return _series(ws, _steps(), window=0)
