"""What fitting guarantees: train-only statistics, row filters, automatic steps, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studio.errors import DataError, RecipeError
from studio.preprocess import STEPS, TargetScaler, fit_preprocessor


def _column(pre, frame, name):
    return pre.transform(frame)[:, pre.feature_names.index(name)]


def test_scaler_statistics_come_from_train_only(train, val, table):
    pre, _, _ = fit_preprocessor([{"kind": "impute", "strategy": "mean"}, {"kind": "scale"}], train, table)
    for name in ("a", "b"):
        scaled_train = _column(pre, train, name)
        assert abs(scaled_train.mean()) < 1e-5 and abs(scaled_train.std() - 1.0) < 1e-4
        # val is shifted by 100: fit on val (or on train + val) would bring its mean near 0 too
        assert _column(pre, val, name).mean() > 10.0
    affine = next(op for op in pre.ops if op.kind == "affine")
    assert affine.sub[affine.cols.index(1)] == pytest.approx(train["b"].mean(), rel=1e-6)


def test_transform_is_row_by_row(train, val, table):
    """Nothing is learned from the frame being transformed: a row's output ignores its neighbours."""
    steps = [{"kind": "clip_outliers"}, {"kind": "scale", "method": "robust"}, {"kind": "pca", "n_components": 3}]
    pre, _, _ = fit_preprocessor(steps, train, table)
    alone = pre.transform(val.iloc[:5])
    others = val.iloc[5:].copy()
    others[["a", "b", "d"]] = others[["a", "b", "d"]] * 1000.0
    with_others = pre.transform(pd.concat([val.iloc[:5], others]))
    np.testing.assert_array_equal(alone, with_others[:5])
    assert pre.transform(val.iloc[:1]).shape == (1, 3)


def test_row_filters_drop_training_rows_only_and_report_counts(table, messy):
    train = messy(60, seed=0)
    train = pd.concat([train, train.iloc[[10, 11]]], ignore_index=True)  # two duplicates
    steps = [{"kind": "drop_duplicates"}, {"kind": "drop_missing"}, {"kind": "drop_outliers"}]
    pre, kept, reports = fit_preprocessor(steps, train, table)

    dup, miss, out = reports[:3]
    assert (dup.kind, dup.rows_before, dup.rows_after) == ("drop_duplicates", 62, 60)
    assert dup.summary == "removed 2 rows with duplicate features"
    no_dup = train.drop_duplicates(subset=table.features)
    assert miss.rows_after == 60 - int(no_dup[table.features].isna().any(axis=1).sum())
    assert out.rows_before == miss.rows_after and out.rows_after == len(kept)
    assert 3 not in kept.index, "row 3 holds b = 40, a clear outlier"
    assert not kept[table.features].isna().any().any()
    # val/test/predict frames keep every row, missing values and outliers included
    val = messy(30, seed=5)
    assert pre.transform(val).shape[0] == 30


def test_drop_missing_share_threshold(train, table):
    _, kept, _ = fit_preprocessor([{"kind": "drop_missing", "max_missing_share": 0.3}], train, table)
    assert list(train.index.difference(kept.index)) == [0], "only row 0 misses 2 of its 5 features"
    _, kept, _ = fit_preprocessor([{"kind": "drop_missing", "max_missing_share": 0.4}], train, table)
    assert len(kept) == len(train)
    _, kept, _ = fit_preprocessor([{"kind": "drop_missing"}], train, table)
    assert len(kept) == len(train) - int(train[table.features].isna().any(axis=1).sum())


def test_one_hot_unseen_and_missing_categories_are_zero_rows(train, table):
    pre, _, _ = fit_preprocessor([{"kind": "one_hot"}], train, table)
    frame = train.iloc[:3].copy()
    frame["city"] = ["tokyo", None, "rome"]
    enc = pre.encode(frame)
    ind = [i for i, n in enumerate(pre.encoded_names) if n.startswith("city=")]
    np.testing.assert_array_equal(enc[:2, ind], 0.0)
    assert enc[2, pre.encoded_names.index("city=rome")] == 1.0 and enc[2, ind].sum() == 1.0
    assert pre.input_columns[-1].name == "city"
    assert pre.input_columns[-1].categories == ["kiev", "lima", "oslo", "paris", "rome"]


def test_one_hot_groups_rare_categories_as_other(train, table):
    pre, _, reports = fit_preprocessor([{"kind": "one_hot", "max_categories": 3}], train, table)
    city = [n for n in pre.encoded_names if n.startswith("city=")]
    assert city == ["city=paris", "city=rome", "city=other"]
    frame = train.iloc[:2].copy()
    frame["city"] = ["kiev", "oslo"]
    enc = pre.encode(frame)
    assert enc[:, pre.encoded_names.index("city=other")].tolist() == [1.0, 1.0]
    one_hot = next(r for r in reports if r.kind == "one_hot")
    assert one_hot.summary == "added 3 one-hot columns for 'city'" and one_hot.columns_added == city


def test_numeric_looking_categories_match_across_int_and_float(messy, table_of):
    frame = messy(40, seed=2)
    frame["level"] = np.arange(40) % 3  # ints in train
    table = table_of(frame, categorical=("city", "level"))
    pre, _, _ = fit_preprocessor([], frame, table)
    val = frame.iloc[:3].copy()
    val["level"] = [0.0, np.nan, 2.0]  # a column of ints becomes float when it gains a NaN
    enc = pre.encode(val)
    assert enc[0, pre.encoded_names.index("level=0")] == 1.0
    assert enc[2, pre.encoded_names.index("level=2")] == 1.0


def test_impute_fills_categories_with_the_most_frequent_when_asked(train, table):
    pre, _, _ = fit_preprocessor([{"kind": "impute", "strategy": "most_frequent"}], train, table)
    frame = train.iloc[:1].copy()
    frame["city"] = [None]
    top = train["city"].value_counts().index[0]
    assert pre.encode(frame)[0, pre.encoded_names.index(f"city={top}")] == 1.0


def test_a_categorical_gap_is_its_own_missing_category_by_default(train, table):
    """Filling a gap with the commonest value invents data: by default it is an explicit "missing"."""
    gappy = train.copy()
    gappy.loc[gappy.index[::5], "city"] = None
    pre, _, _ = fit_preprocessor([{"kind": "impute"}], gappy, table)
    frame = train.iloc[:1].copy()
    frame["city"] = [None]
    encoded = pre.encode(frame)[0]
    assert encoded[pre.encoded_names.index("city=missing")] == 1.0
    top = gappy["city"].value_counts().index[0]
    assert encoded[pre.encoded_names.index(f"city={top}")] == 0.0


def test_missing_one_hot_and_impute_are_added_and_reported(train, val, table):
    pre, _, reports = fit_preprocessor([{"kind": "scale"}], train, table)
    assert [(r.kind, r.index, r.auto) for r in reports] == [
        ("one_hot", None, True),
        ("impute", None, True),
        ("scale", 0, False),
    ]
    assert reports[0].summary.startswith("added automatically") and "'city'" in reports[0].summary
    assert "median" in reports[1].summary
    assert np.isfinite(pre.transform(val)).all()
    _, _, reports = fit_preprocessor([{"kind": "impute"}, {"kind": "one_hot"}], train, table)
    assert not any(r.auto for r in reports)


def test_all_missing_input_still_gives_numbers(train, table):
    pre, _, _ = fit_preprocessor([{"kind": "scale"}, {"kind": "pca", "n_components": 2}], train, table)
    empty = train.iloc[:2].copy()
    empty[table.features] = np.nan
    empty["a"] = [np.inf, -np.inf]
    assert np.isfinite(pre.transform(empty)).all()


def test_zero_variance_column_is_scaled_without_dividing_by_zero(train, table):
    for method in ("standard", "minmax", "robust"):
        pre, _, _ = fit_preprocessor([{"kind": "scale", "method": method}], train, table)
        assert np.all(_column(pre, train, "c") == 0.0)


def test_drop_constant_removes_the_constant_column(train, table):
    pre, _, reports = fit_preprocessor([{"kind": "drop_constant"}], train, table)
    assert "c" not in pre.feature_names and reports[-1].columns_removed == ["c"]


@pytest.mark.parametrize(
    "raw",
    [
        {"kind": "pca", "n_components": 0},
        {"kind": "pca", "n_components": 1.5},
        {"kind": "scale", "method": "zscore"},
        {"kind": "drop_outliers", "threshold": -1},
        {"kind": "polynomial", "degree": 7},
        {"kind": "one_hot", "max_categories": 1},
        {"kind": "impute", "strategy": "mode"},
        {"kind": "scale", "center": True},
        {"kind": "normalize"},
    ],
)
def test_bad_params_raise_recipe_error(raw):
    with pytest.raises(RecipeError, match="preprocessing step 2"):
        STEPS.parse(raw, "preprocessing step 2")


def test_bad_params_in_a_recipe_name_the_step(train, table):
    with pytest.raises(RecipeError, match=r"preprocessing step 2 \(pca\).*n_components"):
        fit_preprocessor([{"kind": "scale"}, {"kind": "pca", "n_components": 0}], train, table)


def test_too_many_pca_components_names_the_step(train, table):
    with pytest.raises(RecipeError, match=r"preprocessing step 1 \(pca\): n_components 50 is more than"):
        fit_preprocessor([{"kind": "pca", "n_components": 50}], train, table)


def test_pca_before_impute_is_refused(train, table):
    with pytest.raises(RecipeError, match=r"step 1 \(pca\) cannot take missing values"):
        fit_preprocessor([{"kind": "pca", "n_components": 2}, {"kind": "impute"}], train, table)


def test_filter_that_removes_every_row_is_refused(table, messy):
    train = messy(20, seed=0)
    train["a"] = np.nan
    with pytest.raises(RecipeError, match=r"step 1 \(drop_missing\) left 0 training rows of 20") as err:
        fit_preprocessor([{"kind": "drop_missing"}], train, table)
    assert err.value.location == ("preprocessing", 0)


def test_filter_that_leaves_too_few_rows_is_named(table, messy):
    """Two training rows left used to train anyway; the step that removed the rest is named."""
    train = messy(20, seed=0).assign(a=1.0, city="paris")
    train.loc[train.index[2:], "a"] = np.nan
    steps = [{"kind": "drop_duplicates"}, {"kind": "drop_missing"}]
    with pytest.raises(RecipeError, match=r"step 2 \(drop_missing\) left 2 training rows of 20; at least 10") as err:
        fit_preprocessor(steps, train, table)
    assert err.value.location == ("preprocessing", 1)


def test_frame_without_a_needed_column_is_a_data_error(train, table):
    pre, _, _ = fit_preprocessor([], train, table)
    with pytest.raises(DataError, match="lacks the column"):
        pre.transform(train.drop(columns=["b"]))


def test_target_column_is_ignored(train, table):
    pre, _, _ = fit_preprocessor([{"kind": "scale"}], train, table)
    assert "y" not in pre.encoded_names
    assert pre.transform(train.drop(columns=["y"])).shape == (len(train), pre.n_features)


def test_target_scaler_round_trip():
    y = np.array([1.0, 3.0, 5.0, 7.0])
    scaler = TargetScaler().fit(y)
    assert scaler.mean == 4.0 and scaler.std == pytest.approx(np.std(y))
    np.testing.assert_allclose(scaler.transform(y).mean(), 0.0, atol=1e-12)
    again = TargetScaler.from_dict(scaler.to_dict())
    np.testing.assert_allclose(again.inverse(again.transform(y)), y)
    assert TargetScaler().fit(np.full(5, 2.0)).std == 1.0


def test_filter_that_leaves_one_class_is_named(table, messy):
    train = messy(60, seed=0).assign(a=1.0)
    train.loc[train["y"] == "1", "a"] = np.nan
    with pytest.raises(RecipeError, match=r"step 1 \(drop_missing\) left a single class \('0'\)") as err:
        fit_preprocessor([{"kind": "drop_missing"}], train, table)
    assert err.value.location == ("preprocessing", 0)


def test_a_step_that_cannot_be_fit_is_located(train, table):
    with pytest.raises(RecipeError, match="step 2 ") as err:
        fit_preprocessor([{"kind": "impute"}, {"kind": "pca", "n_components": 50}], train, table)
    assert err.value.location == ("preprocessing", 1)
