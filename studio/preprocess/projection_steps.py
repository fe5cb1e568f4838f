"""Column steps that make new columns from all current ones: pca and polynomial.

Both take every column (one-hot indicators included) and cannot take missing values, so the fitting
driver requires an impute step before them (one is added automatically when the recipe has none).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator
from sklearn.decomposition import PCA
from sklearn.preprocessing import PolynomialFeatures

from studio.errors import RecipeError
from studio.preprocess.base import STEPS, ColumnState, Step, StepResult
from studio.preprocess.ops import Power, Project
from studio.registry import Params

MAX_POLYNOMIAL_COLUMNS = 5000


class PCAParams(Params):
    n_components: int | float = Field(
        0.95,
        gt=0,
        description="A whole number of components, or a share of the variance to keep (between 0 and 1).",
    )

    @field_validator("n_components")
    @classmethod
    def _count_or_share(cls, v: int | float) -> int | float:
        if isinstance(v, float) and not 0.0 < v < 1.0:
            raise ValueError("a share of variance must be between 0 and 1; use a whole number for a count")
        return v


@STEPS.register("pca", PCAParams, "Project the columns onto their principal components.")
class PCAStep(Step):
    needs_complete = True
    params: PCAParams

    def fit(self, state: ColumnState) -> StepResult:
        n, w = state.matrix.shape
        k = self.params.n_components
        if isinstance(k, int) and k > min(n, w):
            raise RecipeError(
                f"{state.where}: n_components {k} is more than the {w} columns and {n} training rows it "
                f"receives; use at most {min(n, w)}, or a share of variance such as 0.95"
            )
        pca = PCA(n_components=k, svd_solver="full").fit(state.matrix.astype(np.float64))
        names = [f"pc{i + 1}" for i in range(pca.n_components_)]
        share = 100.0 * float(pca.explained_variance_ratio_.sum())
        return StepResult(
            ops=[Project(w, pca.mean_, pca.components_)],
            names=names,
            indicator=[False] * len(names),
            summary=f"kept {len(names)} principal components of {w} columns ({share:.1f}% of the variance)",
            added=names,
            removed=list(state.names),
        )


class PolynomialParams(Params):
    degree: int = Field(2, ge=2, le=3, description="Highest total power of the products.")
    interaction_only: bool = Field(
        False, description="Only products of different columns (no squares), as in a·b but not a²."
    )


@STEPS.register("polynomial", PolynomialParams, "Add products of the columns (a², a·b, ...).")
class PolynomialStep(Step):
    needs_complete = True
    params: PolynomialParams

    def fit(self, state: ColumnState) -> StepResult:
        w = len(state.names)
        poly = PolynomialFeatures(self.params.degree, interaction_only=self.params.interaction_only,
                                  include_bias=False).fit(np.zeros((1, w)))
        if poly.n_output_features_ > MAX_POLYNOMIAL_COLUMNS:
            raise RecipeError(
                f"{state.where} would make {poly.n_output_features_} columns from {w}; the limit is "
                f"{MAX_POLYNOMIAL_COLUMNS}: reduce the columns first (pca, drop_constant) or lower the degree"
            )
        names = [str(n) for n in poly.get_feature_names_out(state.names)]
        first = poly.powers_.sum(axis=1) == 1  # degree-1 terms keep their column's kind
        indicator = [
            bool(state.indicator[int(np.argmax(row))]) if f else False
            for row, f in zip(poly.powers_, first, strict=True)
        ]
        added = [n for n, f in zip(names, first, strict=True) if not f]
        return StepResult(
            ops=[Power(w, poly.powers_)],
            names=names,
            indicator=indicator,
            summary=f"added {len(added)} product columns of degree up to {self.params.degree}",
            added=added,
        )
