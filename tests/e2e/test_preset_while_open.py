"""Loading a preset while a page's settings are on screen: the browser shows the preset's values and
keeps them (it used to show the old ones, then send them back on the next click)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.ui import go_to, wait_for_app

pytestmark = pytest.mark.e2e


def test_preset_values_replace_what_the_open_page_shows(page: Page, app_server):
    url, _ = app_server
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.goto(url)
    wait_for_app(page)
    go_to(page, "Train")
    lr, name = page.get_by_label("lr", exact=True), page.get_by_role("textbox", name="Recipe name")
    expect(lr).to_have_value("0.001")  # breast-cancer-mlp's
    page.get_by_test_id("stSelectbox").filter(has_text="Load a preset").click()
    page.get_by_role("option", name="iris-mlp").click()
    wait_for_app(page)
    expect(lr).to_have_value("0.01")
    expect(name).to_have_value("iris-mlp")
    page.get_by_role("tab", name="Epochs & device").click()
    epochs = page.get_by_label("epochs", exact=True)
    epochs.fill("7")
    epochs.press("Enter")  # a rerun: the browser sends every widget's value back
    wait_for_app(page)
    draft = page.get_by_text("Draft iris-mlp:").first  # the caption under the Train button
    expect(draft).to_contain_text("Draft iris-mlp: 7 epochs")
    page.get_by_role("tab", name="Optimizer & schedule").click()
    expect(lr).to_have_value("0.01")
