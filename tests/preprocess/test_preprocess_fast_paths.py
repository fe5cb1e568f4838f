"""The fast paths of preprocessing give exactly what the plain ones gave.

The plain versions are kept here as references: keying every value in Python, scikit-learn's
``OneHotEncoder`` and ``SimpleImputer``, pandas ``apply`` of ``to_numbers`` then a concatenation, and
fitting then transforming the training rows a second time. Comparisons are bitwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder

from studio.data.numbers import to_numbers
from studio.preprocess import fit_preprocessor, fit_transform
from studio.preprocess.codes import category_codes, category_strings, numbers_into
from studio.preprocess.column_steps import _medians
from studio.preprocess.encoder import (
    CategoricalColumn,
    Encoder,
    EncoderSpec,
    _fit_column,
)
from studio.preprocess.ops import Affine, Clip, FillNaN, Power, Project, Select


def plain_strings(series: pd.Series) -> pd.Series:
    def key(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        return str(v)

    return series.astype(object).map(key)


def plain_fit_column(name: str, series: pd.Series, spec: EncoderSpec) -> CategoricalColumn:
    values = plain_strings(series)
    fill = None
    if spec.fill == "constant":
        fill = spec.fill_value
    elif spec.fill == "most_frequent" and values.notna().any():
        fill = str(values.value_counts().index[0])
    if fill is not None:
        values = values.fillna(fill)
    seen = values.dropna().to_numpy(dtype=object).reshape(-1, 1)
    if len(seen) == 0:
        return CategoricalColumn(name, [], [], fill)
    enc = OneHotEncoder(handle_unknown="ignore", max_categories=spec.max_categories).fit(seen)
    grouped = enc.infrequent_categories_[0] if spec.max_categories is not None else None
    grouped_list = [] if grouped is None else [str(c) for c in grouped]
    kept = [str(c) for c in enc.categories_[0] if str(c) not in set(grouped_list)]
    return CategoricalColumn(name, kept, grouped_list, fill)


def plain_encode(column: CategoricalColumn, series: pd.Series) -> np.ndarray:
    values = plain_strings(series)
    if column.fill is not None:
        values = values.fillna(column.fill)
    codes = pd.Index([*column.categories, *column.grouped], dtype=object).get_indexer(values)
    col = np.minimum(codes, len(column.categories))
    out = np.zeros((len(series), len(column.indicator_names)), dtype=np.float32)
    rows = np.flatnonzero(codes >= 0)
    out[rows, col[rows]] = 1.0
    return out


def _series() -> dict[str, pd.Series]:
    rng = np.random.default_rng(3)
    words = np.array(["paris", "rome", "oslo", "lima", "kiev", "x y", ""], dtype=object)
    text = words[rng.integers(0, len(words), 400)]
    text[::11] = None
    text[5::13] = np.nan
    floats = rng.integers(0, 6, 300).astype(np.float64)
    floats[::7] = np.nan
    floats[3] = 2.5
    return {
        "text with None and NaN": pd.Series(text, dtype=object),
        "arrow strings": pd.Series(text, dtype="string"),
        "floats that are whole numbers": pd.Series(floats),
        "float32": pd.Series(np.array([0.1, 0.1, 2.0, np.nan, 1e-8], dtype=np.float32)),
        "ints": pd.Series(rng.integers(-3, 3, 50)),
        "booleans": pd.Series(rng.integers(0, 2, 30).astype(bool)),
        "mixed objects": pd.Series([1, True, 1.0, "1", "True", None, 3.0, 3, pd.NaT, np.nan, 0, False], dtype=object),
        "only missing": pd.Series([None, np.nan, None], dtype=object),
        "empty": pd.Series([], dtype=object),
        "non-default index": pd.Series(["b", "a", None, "b"], index=[10, 3, 7, 1], dtype=object),
    }


@pytest.mark.parametrize("name", list(_series()))
def test_category_codes_match_keying_every_value(name: str) -> None:
    series = _series()[name]
    codes, keys = category_codes(series)
    fast = [keys[c] if c >= 0 else None for c in codes]
    plain = [None if pd.isna(v) else v for v in plain_strings(series)]
    assert fast == plain
    assert len(set(keys)) == len(keys)  # one code per category
    assert category_strings(series).equals(plain_strings(series))


@pytest.mark.parametrize("name", list(_series()))
@pytest.mark.parametrize("spec", [
    EncoderSpec(), EncoderSpec(max_categories=3), EncoderSpec(max_categories=2, fill="most_frequent"),
    EncoderSpec(fill="constant", fill_value="missing"), EncoderSpec(max_categories=4, fill="constant", fill_value="1"),
])
def test_fitted_categories_and_indicators_match_scikit_learn(name: str, spec: EncoderSpec) -> None:
    series = _series()[name]
    fast, plain = _fit_column("c", series, spec), plain_fit_column("c", series, spec)
    assert fast == plain
    unseen = pd.concat([series.iloc[::-1], pd.Series(["tokyo", None, 99.5], dtype=object)], ignore_index=True)
    for rows in (series, unseen):
        assert np.array_equal(fast.encode(rows), plain_encode(plain, rows))


def test_tied_counts_group_and_fill_as_scikit_learn_and_pandas_do() -> None:
    """Rare categories with equal counts (scikit-learn's stable sort) and the most frequent of equally
    frequent categories (pandas' value_counts order) are the plain ones."""
    rng = np.random.default_rng(0)
    for trial in range(60):
        k = int(rng.integers(2, 12))
        values = rng.choice([f"v{i}" for i in range(k)], size=int(rng.integers(5, 40))).astype(object)
        values[rng.random(len(values)) < 0.2] = None
        series = pd.Series(values, dtype=object)
        spec = EncoderSpec(max_categories=int(rng.integers(2, 8)), fill="most_frequent" if trial % 2 else None)
        assert _fit_column("c", series, spec) == plain_fit_column("c", series, spec), trial


def test_fitting_and_encoding_together_equals_fitting_then_encoding(train, table) -> None:
    spec = EncoderSpec(max_categories=3, fill="most_frequent")
    encoder, matrix = Encoder.fit_encode(train, table, spec)
    assert encoder == Encoder.fit(train, table, spec)
    assert np.array_equal(matrix, encoder.encode(train), equal_nan=True)


def test_medians_match_simple_imputer_bitwise() -> None:
    rng = np.random.default_rng(1)
    for n in (1, 2, 7, 40, 1200):
        x = rng.normal(size=(n, 5)).astype(np.float32)
        x[:, 1] = np.round(x[:, 1], 1)
        x[rng.random(x.shape) < 0.3] = np.nan
        x[:, 3] = np.nan  # a column with no value: 0, as keep_empty_features gives
        cols = [0, 1, 3, 4]
        stats, n_missing, n_cols = _medians(x, cols)
        ref = x[:, cols].astype(np.float64)
        expected = SimpleImputer(strategy="median", keep_empty_features=True).fit(ref).statistics_
        assert np.array_equal(stats, expected) and stats.dtype == expected.dtype
        assert (n_missing, n_cols) == (int(np.isnan(ref).sum()), int(np.isnan(ref).any(axis=0).sum()))


@pytest.mark.parametrize("op", [
    FillNaN(4, [0, 2], [1.5, -2.0]), FillNaN(4, [], []), Clip(4, [1, 3], [-0.5, 0.0], [0.5, 2.0]),
    Affine(4, [0, 1, 3], [1.0, 2.0, 0.5], [3.0, 0.7, 1.0]), Affine(4, [2], [0.25], [4.0]),
    Select(4, [3, 0]), Project(4, [0.1, 0.2, 0.3, 0.4], [[1.0, 0.0, 0.5, 0.2]]), Power(4, [[2, 0, 0, 0], [1, 1, 0, 0]]),
])
def test_ops_in_place_give_the_same_numbers(op) -> None:
    x = np.random.default_rng(2).normal(size=(30, 4)).astype(np.float32)
    x[::4, 0] = np.nan
    x[1, 1] = np.inf
    x[2, 2] = -np.inf
    x[3, 3] = -0.0
    with np.errstate(invalid="ignore"):  # NaN and inf through a product
        expected = op.apply(x.copy())
        got = op.apply_inplace(x.copy())
    assert got.dtype == expected.dtype == np.float32
    assert np.array_equal(got.view(np.uint32), expected.view(np.uint32))  # bitwise: -0.0 and NaN included


def test_encoding_a_frame_matches_converting_column_by_column(train, table) -> None:
    pre, _, _ = fit_preprocessor([], train, table)
    frame = train.copy()
    frame["a"] = frame["a"].astype(object)
    frame.loc[frame.index[:3], "a"] = ["1,234", "$5", "n/a"]  # text numbers: the column goes through to_numbers
    frame.loc[frame.index[4], "b"] = np.inf
    frame["d"] = frame["d"].astype(np.float32)
    frame.loc[frame.index[0], "city"] = "tokyo"
    enc = pre.encoder
    num = frame[enc.numeric].apply(to_numbers).to_numpy(np.float32, na_value=np.nan)
    num = np.where(np.isfinite(num), num, np.float32(np.nan))
    expected = np.concatenate([num, *(plain_encode(c, frame[c.name]) for c in enc.categorical)], axis=1)
    assert np.array_equal(pre.encode(frame), expected, equal_nan=True)


STEP_LISTS = [
    [],
    [{"kind": "impute", "strategy": "median"}, {"kind": "scale"}],
    [{"kind": "impute", "strategy": "mean", "categorical": False}, {"kind": "clip_outliers"},
     {"kind": "scale", "method": "robust"}],
    [{"kind": "one_hot", "max_categories": 3}, {"kind": "impute", "strategy": "constant", "fill_value": -1.0},
     {"kind": "drop_constant"}, {"kind": "scale", "method": "minmax"}],
    [{"kind": "drop_missing", "max_missing_share": 0.3}, {"kind": "impute"}, {"kind": "pca", "n_components": 3}],
    [{"kind": "impute", "strategy": "most_frequent"}, {"kind": "polynomial", "degree": 2}],
]


@pytest.mark.parametrize("steps", STEP_LISTS, ids=range(len(STEP_LISTS)))
def test_fit_transform_equals_fit_then_transform(steps, train, val, table) -> None:
    pre, rows, _, x = fit_transform(steps, train, table)
    again, rows_again, _ = fit_preprocessor(steps, train, table)
    assert rows.index.equals(rows_again.index)
    assert np.array_equal(x, again.transform(rows), equal_nan=True)
    assert x.dtype == np.float32 and x.shape == (len(rows), pre.n_features)
    assert pre.to_dict() == again.to_dict()
    # val has missing values and a category never seen in training; transform leaves the frame alone
    before = val.copy()
    assert np.array_equal(pre.transform(val), again.apply_ops(again.encode(val)), equal_nan=True)
    pd.testing.assert_frame_equal(val, before)


@pytest.mark.parametrize("rows", [50, 70_000])  # a block of columns at a time; column by column (long tables)
def test_numbers_match_to_numbers_column_by_column(rows: int) -> None:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({
        "f64": rng.normal(size=rows) * 1e39,  # beyond float32: inf, then missing
        "i64": rng.integers(2**60, 2**62, rows),  # rounded through float64 first, as to_numbers does
        "bool": rng.integers(0, 2, rows).astype(bool),
        "f32": rng.normal(size=rows).astype(np.float32),
        "nullable": pd.array(rng.integers(0, 9, rows), dtype="Int64"),
        "text": rng.choice(["1,234", "$5", "x", "", "2.5"], rows).astype(object),
    })
    frame.loc[::5, "f64"] = np.inf
    frame.loc[::7, "nullable"] = pd.NA
    names = ["text", "f64", "i64", "bool", "nullable", "f32"]
    out = np.empty((rows, len(names)), dtype=np.float32)
    numbers_into(frame, names, out)
    num = frame[names].apply(to_numbers).to_numpy(np.float32, na_value=np.nan)
    expected = np.where(np.isfinite(num), num, np.float32(np.nan))
    assert np.array_equal(out, expected, equal_nan=True)
