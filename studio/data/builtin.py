"""scikit-learn's shipped datasets (no download), with readable column names and class labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn import datasets as skd

from studio.data.datasets import DATASETS, NoParams
from studio.data.table import Table


def _snake(name: str) -> str:
    """'sepal length (cm)' -> 'sepal_length_cm' (names become column and ONNX metadata names)."""
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def _from_bunch(name: str, bunch: Any, target: str, feature_names: list[str] | None = None) -> Table:
    features = feature_names or [_snake(f) for f in bunch.feature_names]
    frame = pd.DataFrame(np.asarray(bunch.data, dtype=np.float64), columns=features)
    labels: list[str] | None = None
    if hasattr(bunch, "target_names"):
        # Classification: the frame holds the label itself; code order follows scikit-learn.
        labels = [str(t) for t in bunch.target_names]
        frame[target] = pd.Series(np.asarray(labels, dtype=object)[bunch.target], dtype=object)
    else:
        frame[target] = np.asarray(bunch.target, dtype=np.float64)
    return Table(
        name=name,
        frame=frame,
        target=target,
        features=features,
        column_types=dict.fromkeys(features, "numeric"),
        task="classification" if labels else "regression",
        class_labels=labels,
    )


def _simple(name: str, load: Callable[[], Any], target: str, description: str) -> None:
    def loader(params: NoParams, seed: int) -> Table:
        return _from_bunch(name, load(), target)

    DATASETS.register(name, NoParams, description)(loader)


_simple("iris", skd.load_iris, "species", "Iris flowers: 150 rows, 4 measurements, 3 species.")
_simple("wine", skd.load_wine, "cultivar", "Wines: 178 rows, 13 chemical measurements, 3 cultivars.")
_simple(
    "breast_cancer",
    skd.load_breast_cancer,
    "diagnosis",
    "Breast tumours: 569 rows, 30 cell measurements, malignant or benign.",
)
_simple(
    "diabetes",
    skd.load_diabetes,
    "progression",
    "Diabetes: 442 patients, 10 baseline values, disease progression after a year (regression).",
)


@DATASETS.register("digits", NoParams, "Handwritten digits: 1,797 pictures of 8x8 grey pixels, 10 classes.")
def load_digits(params: NoParams, seed: int) -> Table:
    from studio.data.images.tables import generated_table

    bunch = skd.load_digits()
    pixels = np.clip(np.asarray(bunch.images) * 16.0, 0, 255).astype(np.uint8)[:, None]  # 0-16 -> (N, 1, 8, 8)
    # The digit stays an integer, so the target is also usable for a regression demo.
    table = generated_table("digits", "builtin:digits", pixels, [], np.asarray(bunch.target, dtype=np.int64),
                            "digit", "1,797 handwritten digits from scikit-learn, 8x8 grey pixels")
    return table
