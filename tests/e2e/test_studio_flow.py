"""The whole flow in headless Chromium: train live, refresh and re-attach, stop, export, download, predict."""

from __future__ import annotations

import re

import onnxruntime as ort
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.ui import button, chart_points, go_to, wait_for_app, wait_points

pytestmark = pytest.mark.e2e
LOSS = "Training curves (live)"  # first trace: the training loss per epoch


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def status(page: Page):
    return page.get_by_test_id("stMarkdown").filter(has_text="status:").first


def test_train_refresh_stop_export_predict(page: Page, app_server, tmp_path):
    url, runs = app_server
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_test_id("stHeading").filter(has_text="Data").first).to_be_visible()
    shot(page, "data")

    go_to(page, "Train")
    # A run long enough to watch: no early stopping, many epochs (the test stops it).
    page.get_by_role("tab", name="Regularization").click()
    page.get_by_test_id("stCheckbox").filter(has_text="Early stopping").locator("label").click()
    wait_for_app(page)
    page.get_by_role("tab", name="Epochs & device").click()
    epochs = page.get_by_label("epochs", exact=True)
    epochs.fill("5000")
    epochs.press("Enter")
    wait_for_app(page)

    button(page, "Train").click()
    expect(page).to_have_url(re.compile(r"[?&]run="), timeout=20_000)
    first = wait_points(page, LOSS, 0, timeout=40)
    wait_points(page, LOSS, first, timeout=20)  # the chart grows while nobody touches the page
    expect(status(page)).to_contain_text("status: running")
    shot(page, "train")

    page.reload()  # a new session with the same URL: the page re-attaches to the run
    wait_for_app(page)
    expect(status(page)).to_contain_text("status: running", timeout=30_000)
    after = wait_points(page, LOSS, 0, timeout=30)
    wait_points(page, LOSS, after, timeout=20)

    button(page, "Stop").click()
    expect(status(page)).to_contain_text("status: stopped", timeout=30_000)
    expect(button(page, "Train")).to_be_enabled(timeout=10_000)
    assert chart_points(page, LOSS) > after

    go_to(page, "Evaluate")
    expect(page).to_have_url(re.compile(r"[?&]run="))  # navigation after a refresh keeps the run
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=30_000)
    shot(page, "evaluate")

    go_to(page, "Export")
    page.wait_for_function(  # the run chooser preselects this tab's run (its value lives in an <input>)
        """() => [...document.querySelectorAll('input')].some(i => i.value.includes("(this tab's run)"))""",
        timeout=10_000)
    button(page, "Export to ONNX").click()
    expect(page.get_by_text("Parity check PASSED")).to_be_visible(timeout=90_000)
    button(page, "Measure latency").click()
    expect(page.get_by_test_id("stPlotlyChart").filter(has_text="Median latency")).to_have_count(1, timeout=60_000)
    shot(page, "export")
    with page.expect_download() as info:
        page.get_by_test_id("stDownloadButton").filter(has_text=re.compile(r"^model\.onnx$")).locator("button").click()
    onnx_file = tmp_path / "model.onnx"
    info.value.save_as(onnx_file)
    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    assert session.get_outputs()[0].name == "probabilities"

    go_to(page, "Predict")
    page.get_by_test_id("stFormSubmitButton").filter(has_text="Predict").locator("button").click()
    expect(page.get_by_test_id("stMetric").filter(has_text="Predicted")).to_be_visible(timeout=30_000)
    shot(page, "predict")
    assert len(list(runs.iterdir())) == 1
