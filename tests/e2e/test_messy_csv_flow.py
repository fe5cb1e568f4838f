"""A person's own messy CSV in headless Chromium: upload, see what loading made of it, train, export,
and predict a CSV of new raw rows (an ID, a date, free text, gaps, spreadsheet-formatted money)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from studio.runs import load_run
from tests.e2e.ui import button, go_to, wait_for_app

pytestmark = pytest.mark.e2e


def messy_csv(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
    usage = rng.normal(size=n)
    revenue = rng.uniform(50, 25_000, n)
    plan = rng.choice(["basic", "pro", "team"], size=n).astype(object)
    churn = np.where(usage + (plan == "basic") + (revenue < 3000) > 0.8, "yes", "no")
    frame = pd.DataFrame({
        "customer_id": np.arange(5000, 5000 + n),
        "signup": day.strftime("%Y-%m-%d"),
        "usage": usage.round(3),
        "revenue": [f"${v:,.2f}" for v in revenue],
        "plan": plan,
        "comment": [f"customer {i} left a long remark about the product here" for i in range(n)],
        "churned": churn,
    })
    frame.loc[::11, "usage"] = np.nan
    frame.loc[::7, "plan"] = None
    return frame


def upload(page: Page, test_id_text: str, path) -> None:
    page.get_by_test_id("stFileUploader").filter(has_text=test_id_text).locator("input[type=file]").set_input_files(
        str(path))
    wait_for_app(page)


def test_messy_csv_upload_train_export_predict(page: Page, app_server, tmp_path):
    url, runs = app_server
    train_csv, new_csv = tmp_path / "customers.csv", tmp_path / "new_customers.csv"
    messy_csv(300, seed=0).to_csv(train_csv, index=False)
    messy_csv(25, seed=1).drop(columns=["churned"]).to_csv(new_csv, index=False)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url)
    wait_for_app(page)

    page.get_by_test_id("stRadio").get_by_text("Upload a CSV").click()
    wait_for_app(page)
    upload(page, "CSV file", train_csv)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=30_000)
    name = page.get_by_role("textbox", name="Recipe name")
    expect(name).to_have_value("customers", timeout=10_000)  # named after the data, not the preset

    go_to(page, "Train")
    page.get_by_role("tab", name="Epochs & device").click()
    epochs = page.get_by_label("epochs", exact=True)
    epochs.fill("8")
    epochs.press("Enter")
    wait_for_app(page)
    button(page, "Train").click()
    status = page.get_by_test_id("stMarkdown").filter(has_text="status:").first
    expect(status).to_contain_text("status: completed", timeout=90_000)
    (run_dir,) = list(runs.iterdir())
    assert "-customers-" in run_dir.name
    meta = load_run(run_dir).meta  # what loading made of the columns (the page shows it as a canvas grid)
    assert meta["column_types"]["revenue"] == "numeric" and meta["column_types"]["plan"] == "categorical"
    assert "customer_id" in meta["dropped"] and meta["column_types"]["comment"] == "text"  # free text: a text input
    assert meta["derived"] == {"signup": ["signup_year", "signup_month", "signup_dayofweek"]}

    go_to(page, "Export")
    button(page, "Export to ONNX").click()
    expect(page.get_by_text("Parity check PASSED")).to_be_visible(timeout=90_000)

    go_to(page, "Predict")
    page.get_by_test_id("stRadio").get_by_text("CSV file").click()
    wait_for_app(page)
    upload(page, "CSV with the model", new_csv)
    expect(page.get_by_test_id("stDownloadButton").filter(has_text="Download predictions")).to_be_visible(
        timeout=30_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    with page.expect_download() as info:
        page.get_by_test_id("stDownloadButton").filter(has_text="Download predictions").locator("button").click()
    predictions = pd.read_csv(info.value.path())
    assert len(predictions) == 25
    assert set(predictions["prediction"]) <= {"yes", "no"}
    assert {"proba_no", "proba_yes"} <= set(predictions.columns)
