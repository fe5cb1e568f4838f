"""Column steps that keep the columns' meaning: one_hot, impute, clip_outliers, drop_constant, scale.

impute, clip_outliers and scale act on the value columns (not on one-hot indicators); drop_constant
looks at every column. Each is fit with scikit-learn (or pandas) and keeps only the fitted numbers.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field
from sklearn.feature_selection import VarianceThreshold
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

from studio.errors import RecipeError
from studio.preprocess.base import STEPS, ColumnState, Step, StepResult, keep_all
from studio.preprocess.encoder import EncoderSpec
from studio.preprocess.ops import Affine, Clip, FillNaN, Select
from studio.preprocess.row_filters import DropOutliersParams, outlier_bounds
from studio.registry import Params


def _cols(n: int) -> str:
    return f"{n} column" if n == 1 else f"{n} columns"


class OneHotParams(Params):
    max_categories: int = Field(
        20,
        ge=2,
        le=1000,
        description="Most indicator columns per categorical column; rarer categories share one 'other' column.",
    )


@STEPS.register("one_hot", OneHotParams, "Turn each categorical column into 0/1 indicator columns.")
class OneHot(Step):
    """The indicators are made by the encoder (stage 1); this step sets its options and reports."""

    params: OneHotParams

    def configure(self, spec: EncoderSpec) -> None:
        spec.max_categories = self.params.max_categories

    def fit(self, state: ColumnState) -> StepResult:
        added = [n for n, ind in zip(state.names, state.indicator, strict=True) if ind]
        cats = [c for c in state.table.features if state.table.column_types.get(c) == "categorical"]
        if not cats:
            return keep_all(state, "found no categorical column to encode")
        which = ", ".join(repr(c) for c in cats)
        result = keep_all(state, f"added {len(added)} one-hot columns for {which}")
        result.added = added
        return result


class ImputeParams(Params):
    strategy: Literal["median", "mean", "most_frequent", "constant"] = Field(
        "median", description="What fills a missing number: a statistic of the training rows, or fill_value."
    )
    fill_value: float = Field(0.0, description="The number used with strategy 'constant'.")
    categorical: bool = Field(
        True,
        description="Also fill missing categories: with the category categorical_fill (an explicit 'missing'), or "
        "the most frequent one with strategy 'most_frequent'; off, a missing category becomes a row of zeros.",
    )
    categorical_fill: str = Field("missing", min_length=1, description="The category a missing one becomes.")


@STEPS.register("impute", ImputeParams, "Fill missing values with a statistic of the training rows.")
class Impute(Step):
    fills_missing = True
    params: ImputeParams

    def configure(self, spec: EncoderSpec) -> None:
        p = self.params
        if p.categorical and spec.fill is None:  # the first impute step decides
            # a gap stays visible as its own category; inventing the commonest value is asked for by name
            spec.fill = "most_frequent" if p.strategy == "most_frequent" else "constant"
            spec.fill_value = p.categorical_fill

    def fit(self, state: ColumnState) -> StepResult:
        p = self.params
        cols = state.value_columns()
        x = state.matrix[:, cols].astype(np.float64)
        imputer = SimpleImputer(strategy=p.strategy, fill_value=p.fill_value, keep_empty_features=True)
        stats = imputer.fit(x).statistics_ if cols else np.zeros(0)
        n_missing, n_cols = int(np.isnan(x).sum()), int(np.isnan(x).any(axis=0).sum())
        summary = f"filled {n_missing} missing values in {_cols(n_cols)} ({p.strategy})"
        cats = [c for c in state.table.features if state.table.column_types.get(c) == "categorical"]
        if cats and p.categorical:
            n_cat = int(state.rows[cats].isna().sum().sum())
            summary += f" and {n_cat} missing categories"
        return keep_all(state, summary, [FillNaN(len(state.names), cols, stats)])


class ClipOutliersParams(DropOutliersParams):
    """Same bounds as drop_outliers, but values are clipped to them instead of rows removed."""


@STEPS.register("clip_outliers", ClipOutliersParams, "Clip extreme values to bounds fit on the training rows.")
class ClipOutliers(Step):
    params: ClipOutliersParams

    def fit(self, state: ColumnState) -> StepResult:
        p = self.params
        values = pd.DataFrame(state.matrix[:, state.value_columns()].astype(np.float64))
        lo, hi = outlier_bounds(values, p.method, p.threshold, p.factor)
        ok = np.isfinite(lo.to_numpy()) & np.isfinite(hi.to_numpy())  # an all-missing column has none
        cols = [c for c, keep in zip(state.value_columns(), ok, strict=True) if keep]
        lo_v, hi_v = lo.to_numpy()[ok], hi.to_numpy()[ok]
        x = state.matrix[:, cols]
        n = int(((x < lo_v) | (x > hi_v)).sum())
        how = f"{p.threshold} std" if p.method == "zscore" else f"{p.factor} × IQR"
        op = Clip(len(state.names), cols, lo_v, hi_v)
        return keep_all(state, f"clipped {n} values in {_cols(len(cols))} to {how}", [op])


class DropConstantParams(Params):
    """No options: a column is constant when it has one value (or none) on the training rows."""


@STEPS.register("drop_constant", DropConstantParams, "Remove columns that have one value on the training rows.")
class DropConstant(Step):
    def fit(self, state: ColumnState) -> StepResult:
        keep = VarianceThreshold(0.0).fit(state.matrix.astype(np.float64)).get_support(indices=True).tolist()
        if not keep:
            raise RecipeError(f"{state.where} would remove every column: all of them are constant")
        removed = [n for i, n in enumerate(state.names) if i not in set(keep)]
        return StepResult(
            ops=[Select(len(state.names), keep)],
            names=[state.names[i] for i in keep],
            indicator=[state.indicator[i] for i in keep],
            summary=f"removed {_cols(len(removed))} with a single value",
            removed=removed,
        )


class ScaleParams(Params):
    method: Literal["standard", "minmax", "robust"] = Field(
        "standard",
        description="standard: mean 0 and std 1; minmax: into [0, 1]; robust: median 0 and IQR 1.",
    )


def _standard(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = StandardScaler().fit(x)
    return s.mean_, s.scale_


def _minmax(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m = MinMaxScaler().fit(x)  # x * scale_ + min_ == (x - data_min_) / (1 / scale_)
    return m.data_min_, 1.0 / m.scale_


def _robust(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r = RobustScaler().fit(x)
    return r.center_, r.scale_


_SCALERS = {"standard": _standard, "minmax": _minmax, "robust": _robust}


def _sub_div(method: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fit the scikit-learn scaler and read it as ``(x - sub) / div`` (zero spread gives div 1)."""
    sub, div = _SCALERS[method](x)
    sub = np.where(np.isfinite(sub), sub, 0.0)  # a column with no value on the training rows
    div = np.where(np.isfinite(div) & (div != 0), div, 1.0)
    return sub, div


@STEPS.register("scale", ScaleParams, "Scale numeric columns with statistics of the training rows.")
class Scale(Step):
    params: ScaleParams

    def fit(self, state: ColumnState) -> StepResult:
        cols = state.value_columns()
        if not cols:
            return keep_all(state, "found no numeric column to scale")
        sub, div = _sub_div(self.params.method, state.matrix[:, cols].astype(np.float64))
        op = Affine(len(state.names), cols, sub, div)
        return keep_all(state, f"scaled {_cols(len(cols))} ({self.params.method})", [op])
