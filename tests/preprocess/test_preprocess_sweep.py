"""Every registered step, one knob at a time: fit on train, transform train and val, JSON round
trip, torch module equal to numpy on frames with missing values."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from studio.preprocess import STEPS, Preprocessor, fit_preprocessor

CASES = [
    ("drop_duplicates", {}),
    ("drop_missing", {}),
    ("drop_missing", {"max_missing_share": 0.3}),
    ("drop_outliers", {}),
    ("drop_outliers", {"method": "iqr", "factor": 1.0}),
    ("one_hot", {}),
    ("one_hot", {"max_categories": 3}),
    ("impute", {}),
    ("impute", {"strategy": "mean"}),
    ("impute", {"strategy": "most_frequent"}),
    ("impute", {"strategy": "constant", "fill_value": -1.0, "categorical_fill": "none"}),
    ("impute", {"categorical": False}),
    ("clip_outliers", {}),
    ("clip_outliers", {"method": "iqr"}),
    ("drop_constant", {}),
    ("scale", {}),
    ("scale", {"method": "minmax"}),
    ("scale", {"method": "robust"}),
    ("pca", {"n_components": 3}),
    ("pca", {"n_components": 0.9}),
    ("polynomial", {}),
    ("polynomial", {"interaction_only": True}),
    ("polynomial", {"degree": 3}),
]


def test_sweep_covers_every_registered_step():
    # tokenize belongs to the text inputs (the table's fitting skips it): tests/text sweeps it
    assert {kind for kind, _ in CASES} == set(STEPS.names()) - {"tokenize"}


def _id(case: tuple) -> str:
    kind, params = case
    return kind + "".join(f"-{k}={v}" for k, v in params.items())


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
@pytest.mark.parametrize("then_scale", [False, True], ids=["alone", "then_scale"])
def test_step_fits_transforms_round_trips_and_matches_torch(case, then_scale, train, val, table):
    kind, params = case
    steps = [{"kind": kind, **params}] + ([{"kind": "scale"}] if then_scale else [])
    pre, kept, reports = fit_preprocessor(steps, train, table)

    assert 0 < len(kept) <= len(train) and set(kept.columns) == set(train.columns)
    assert all(r.summary and r.rows_after <= r.rows_before for r in reports)
    for frame in (kept, val):
        out = pre.transform(frame)
        assert out.dtype == np.float32 and out.shape == (len(frame), pre.n_features)
        assert np.isfinite(out).all(), "transform must never return NaN"
    assert len(pre.feature_names) == pre.n_features
    assert len(pre.encoded_names) == pre.encode(val).shape[1]

    restored = Preprocessor.from_dict(json.loads(json.dumps(pre.to_dict(), allow_nan=False)))
    np.testing.assert_array_equal(restored.transform(val), pre.transform(val))
    assert restored.feature_names == pre.feature_names

    encoded = pre.encode(val)
    assert np.isnan(encoded).any(), "the parity check must see missing values"
    with torch.no_grad():
        got = pre.to_torch()(torch.from_numpy(encoded)).numpy()
    np.testing.assert_allclose(got, pre.transform(val), rtol=1e-5, atol=1e-5)
