"""A messy CSV (an ID, a date, free text, gaps, a category, spreadsheet-formatted money) from
training to raw-row predictions.

Prediction takes the rows as they come from the CSV: the date column itself, not the features
made from it, and the ONNX file alone must agree with the trained model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studio.errors import ExportError
from studio.export import export_run
from studio.export.predict import predict_csv
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.runs import load_run


def _messy(path, n: int = 240, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    x = rng.normal(size=n)
    plan = rng.choice(["basic", "pro", "team"], size=n)
    revenue = rng.uniform(50, 25_000, n)
    churn = np.where(x + (plan == "basic") * 1.2 + (day.month.to_numpy() > 6) * 0.8 + (revenue < 2000) > 0.9,
                     "yes", "no")
    df = pd.DataFrame({
        "customer_id": np.arange(1000, 1000 + n),
        "signup": day.strftime("%Y-%m-%d"),
        "usage": x,
        "plan": plan,
        "revenue": [f"${v:,.2f}" for v in revenue],  # "$12,345.67", as spreadsheets export it
        "comment": [f"customer number {i} wrote a long free text remark here" for i in range(n)],
        "churned": churn,
    })
    df.loc[::9, "usage"] = np.nan
    df.loc[::13, "plan"] = None
    df.to_csv(path, index=False)
    return df


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("messy")
    df = _messy(tmp / "customers.csv")
    recipe = Recipe.from_dict({
        "name": "churn",
        # the comment would be a text input (free text is no longer dropped); this test is about the table
        "data": {"source": f"csv:{tmp / 'customers.csv'}", "target": "churned", "columns": {"comment": "ignore"}},
        "preprocessing": [{"kind": "impute", "strategy": "median"}, {"kind": "one_hot"}, {"kind": "scale"}],
        "model": [{"kind": "dense", "units": 16}, {"kind": "activation", "fn": "relu"}],
        "training": {"epochs": 15, "batch_size": 32},
    })
    result = train_recipe(recipe, runs_root=tmp / "runs")
    export_run(result.run_dir)
    return tmp, df, result


def test_loading_drops_id_and_text_and_expands_the_date(messy_run) -> None:
    _, _, result = messy_run
    meta = load_run(result.run_dir).meta
    assert meta["derived"] == {"signup": ["signup_year", "signup_month", "signup_dayofweek"]}
    assert "customer_id" in meta["dropped"] and "comment" in meta["dropped"]
    assert meta["column_types"]["revenue"] == "numeric"


def test_raw_csv_rows_predict_through_onnx_like_torch(messy_run) -> None:
    tmp, df, result = messy_run
    raw = df.drop(columns=["churned"]).iloc[:50]
    raw.to_csv(tmp / "new.csv", index=False)
    got = predict_csv(result.run_dir / "model.onnx", tmp / "new.csv")
    want = load_run(result.run_dir).predict_frame(raw)
    labels = load_run(result.run_dir).class_labels
    np.testing.assert_allclose(got[[f"proba_{c}" for c in labels]].to_numpy(), want, atol=1e-4)
    assert list(got["prediction"]) == [labels[i] for i in want.argmax(axis=1)]
    assert not any("signup" in n for n in got.attrs["notices"])  # the date is used, not ignored


def test_missing_date_column_is_named_as_the_user_knows_it(messy_run) -> None:
    tmp, df, result = messy_run
    df.drop(columns=["churned", "signup"]).to_csv(tmp / "nodate.csv", index=False)
    with pytest.raises(ExportError, match="'signup'"):
        predict_csv(result.run_dir / "model.onnx", tmp / "nodate.csv")
