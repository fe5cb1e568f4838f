"""A person's own product reviews in headless Chromium: a CSV of review text, price and star rating is
uploaded, the review is read as text (its tokens shown), a text-and-table model trains, exports to one
ONNX file that takes the raw review string, and the Predict page labels a typed review."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from studio.data.reviews import make_reviews
from studio.runs import load_run
from tests.e2e.ui import button, go_to, wait_for_app

pytestmark = pytest.mark.e2e


def reviews_csv(path, n: int = 600) -> None:
    frame = make_reviews(n, seed=3)
    rng = np.random.default_rng(3)
    positive = frame["sentiment"] == "positive"
    frame["rating"] = np.where(positive, rng.choice(["4 stars", "5 stars"], n), rng.choice(["1 star", "2 stars"], n))
    frame[["review", "price", "rating"]].to_csv(path, index=False)


def test_reviews_upload_train_export_predict(page: Page, app_server, tmp_path):
    url, runs = app_server
    path = tmp_path / "my_reviews.csv"
    reviews_csv(path)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url)
    wait_for_app(page)
    page.get_by_test_id("stRadio").get_by_text("Upload a CSV").click()
    wait_for_app(page)
    page.get_by_test_id("stFileUploader").filter(has_text="CSV file").locator("input[type=file]").set_input_files(
        str(path))
    wait_for_app(page)
    expect(page.get_by_text("Tokens per text in review")).to_be_visible(timeout=30_000)  # read as text

    go_to(page, "Train")
    page.get_by_role("tab", name="Epochs & device").click()
    epochs = page.get_by_label("epochs", exact=True)
    epochs.fill("6")
    epochs.press("Enter")
    wait_for_app(page)
    button(page, "Train").click()
    status = page.get_by_test_id("stMarkdown").filter(has_text="status:").first
    expect(status).to_contain_text("status: completed", timeout=120_000)
    (run_dir,) = list(runs.iterdir())
    run = load_run(run_dir)
    assert run.meta["column_types"]["review"] == "text" and [i.kind for i in run.inputs] == ["table", "text"]

    go_to(page, "Export")
    button(page, "Export to ONNX").click()
    expect(page.get_by_text("Parity check PASSED")).to_be_visible(timeout=120_000)

    go_to(page, "Predict")
    box = page.get_by_role("textbox", name="review")
    box.fill("the lamp is not bad at all, i would buy it again")
    page.get_by_test_id("stFormSubmitButton").filter(has_text="Predict").locator("button").click()
    wait_for_app(page)
    label = page.get_by_test_id("stMetricValue").first
    expect(label).to_be_visible(timeout=30_000)
    assert label.inner_text().strip() in {"1 star", "2 stars", "4 stars", "5 stars"}
    expect(page.get_by_test_id("stException")).to_have_count(0)
