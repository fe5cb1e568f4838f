"""Row filters: drop training rows before anything is fit. They never run at transform time."""

from __future__ import annotations

from typing import Literal

import pandas as pd
from pydantic import Field

from studio.data.numbers import to_numbers
from studio.data.table import Table
from studio.preprocess.base import STEPS, Step
from studio.registry import Params


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


class DropDuplicatesParams(Params):
    """No options: a row is dropped when every feature (text included) equals those of an earlier row."""


@STEPS.register("drop_duplicates", DropDuplicatesParams, "Remove training rows whose features repeat an earlier row.")
class DropDuplicates(Step):
    role = "rows"

    def filter_rows(self, rows: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, str]:
        # every feature the rows carry: the table's, and the text (or picture) columns the table's
        # preprocessing does not encode; two reviews that differ only in their text are not duplicates
        features = [c for c in rows.columns if c != table.target]
        dup = rows.duplicated(subset=features, keep="first")
        return rows[~dup], f"removed {_rows(int(dup.sum()))} with duplicate features"


class DropMissingParams(Params):
    max_missing_share: float = Field(
        0.0,
        ge=0.0,
        lt=1.0,
        description="Drop a row when more than this share of its features is missing (0: any missing).",
        json_schema_extra={"ui": "slider"},
    )


@STEPS.register("drop_missing", DropMissingParams, "Remove training rows with missing feature values.")
class DropMissing(Step):
    role = "rows"
    params: DropMissingParams

    def filter_rows(self, rows: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, str]:
        share = rows[table.features].isna().mean(axis=1)
        drop = share > self.params.max_missing_share
        return rows[~drop], f"removed {_rows(int(drop.sum()))} with missing values"


class DropOutliersParams(Params):
    method: Literal["zscore", "iqr"] = Field(
        "zscore", description="zscore: beyond mean ± threshold·std; iqr: beyond the quartiles ± factor·IQR."
    )
    threshold: float = Field(3.0, gt=0.0, le=20.0, description="How many standard deviations (zscore).")
    factor: float = Field(1.5, gt=0.0, le=20.0, description="How many interquartile ranges (iqr).")


def outlier_bounds(values: pd.DataFrame, method: str, threshold: float, factor: float) -> tuple:
    """Per-column (low, high) bounds of the values not counted as outliers; NaN is ignored."""
    if method == "zscore":
        mean, std = values.mean(), values.std(ddof=0)
        return mean - threshold * std, mean + threshold * std
    q1, q3 = values.quantile(0.25), values.quantile(0.75)
    return q1 - factor * (q3 - q1), q3 + factor * (q3 - q1)


@STEPS.register("drop_outliers", DropOutliersParams, "Remove training rows with an extreme numeric value.")
class DropOutliers(Step):
    role = "rows"
    params: DropOutliersParams

    def filter_rows(self, rows: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, str]:
        numeric = [c for c in table.features if table.column_types.get(c) != "categorical"]
        values = rows[numeric].apply(to_numbers)
        p = self.params
        lo, hi = outlier_bounds(values, p.method, p.threshold, p.factor)
        drop = ((values < lo) | (values > hi)).any(axis=1)  # NaN compares False: not an outlier
        how = f"beyond {p.threshold} std" if p.method == "zscore" else f"beyond {p.factor} × IQR"
        return rows[~drop], f"removed {_rows(int(drop.sum()))} with a value {how}"
