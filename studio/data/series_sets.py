"""Built-in series: yearly sunspot numbers (shipped by statsmodels, offline) and a generated monthly demand.

Both load as Tables of time steps (:func:`studio.data.series.series_table`) with a default
``data.series`` (window, horizon); a recipe's own ``data.series`` replaces it
(:func:`builtin_series`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from studio.data.datasets import DATASETS, NoParams
from studio.data.overrides import parse_overrides
from studio.data.series import series_table
from studio.data.table import Table
from studio.errors import DataError, quote
from studio.recipe import DataConfig, SeriesConfig
from studio.registry import Params


@DATASETS.register("sunspots", NoParams, "Sunspots: yearly mean sunspot numbers 1700-2008 (309 steps, from "
                                         "statsmodels); forecast next year's from the last 20.")
def load_sunspots(params: NoParams, seed: int) -> Table:
    from statsmodels.datasets import sunspots

    raw = sunspots.load_pandas().data
    frame = pd.DataFrame({"year": raw["YEAR"].astype(np.int64), "sunspots": raw["SUNACTIVITY"].astype(np.float64)})
    return series_table(frame, SeriesConfig(time="year", window=20, horizon=1), "sunspots", "sunspots",
                        where="the built-in dataset 'sunspots'")


class SeasonalParams(Params):
    n_steps: int = Field(240, ge=48, le=100_000, description="Number of months generated.",
                         json_schema_extra={"ui": "slider"})
    noise: float = Field(0.3, ge=0.0, le=2.0, description="Standard deviation of the noise, in units of the "
                                                          "seasonal swing.", json_schema_extra={"ui": "slider"})


@DATASETS.register("seasonal", SeasonalParams, "Monthly demand (generated, seeded): a trend, a yearly season, "
                                               "a temperature that drives it and noise; forecast the next 3 months "
                                               "from the last 24.")
def load_seasonal(params: SeasonalParams, seed: int) -> Table:
    rng = np.random.default_rng(seed)
    n = params.n_steps
    t = np.arange(n, dtype=np.float64)
    season = np.sin(2 * np.pi * t / 12.0)
    temperature = 12.0 + 8.0 * np.sin(2 * np.pi * (t - 3) / 12.0) + rng.normal(0.0, 1.5, n)
    demand = 100.0 + 0.15 * t + 10.0 * season + 0.8 * (temperature - 12.0) + rng.normal(0.0, 10.0 * params.noise, n)
    months = pd.date_range("2000-01-01", periods=n, freq="MS").strftime("%Y-%m-%d")
    frame = pd.DataFrame({"month": months, "temperature": temperature.round(2), "demand": demand.round(2)})
    return series_table(frame, SeriesConfig(time="month", window=24, horizon=3), "demand", "seasonal",
                        where="the built-in dataset 'seasonal'")


def builtin_series(table: Table, data: DataConfig) -> Table:
    """A built-in set read as a series: its own default ``data.series`` unless the recipe gives one."""
    source = f"the built-in dataset {table.name!r}"
    info = table.series
    config = data.series or SeriesConfig(time=info.time, window=info.window, horizon=info.horizon,
                                         task=info.task)
    columns = list(table.frame.columns)
    target = data.target or table.target
    if target not in columns:
        raise DataError(f"data.target {quote(target)} is not a column of {source}; valid: "
                        f"{', '.join(quote(c, 30) for c in columns)}")
    overrides = parse_overrides(data.columns, [c for c in columns if c != target], target, source)
    frame = table.frame.drop(columns=sorted(overrides.ignored))
    return series_table(frame, config, target, table.name, list(table.notes), source)
