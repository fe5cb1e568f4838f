"""In Chromium: a shared link opens the studio with its recipe and "Copy link" gives it back; every
"How it works" formula on the Train page renders with KaTeX (no red error text)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from studio.recipe import load_recipe
from studio.share import PARAM, decode, link
from tests.e2e.conftest import ROOT
from tests.e2e.ui import go_to, wait_for_app

pytestmark = pytest.mark.e2e
WAIT = 60_000  # a busy machine renders the first page of a session slowly


def test_a_link_round_trips_a_recipe(page: Page, app_server):
    url, _ = app_server
    shared = load_recipe(ROOT / "assets" / "recipes" / "iris-mlp.json").updated(name="lesson link")
    page.goto(link(shared, url))
    wait_for_app(page)
    expect(page.get_by_role("textbox", name="Recipe name")).to_have_value("lesson link", timeout=WAIT)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Loaded the recipe lesson link")
    page.get_by_test_id("stSidebar").get_by_text("Copy link").click()
    copied = page.get_by_test_id("stSidebar").get_by_test_id("stCode").inner_text().strip()
    assert copied.startswith(url)
    assert decode(parse_qs(urlsplit(copied).query)[PARAM][0]).recipe == shared
    qr = page.get_by_test_id("stSidebar").get_by_test_id("stImage").filter(has_text="Scan to open this draft")
    expect(qr).to_be_visible()  # the address is known in a browser: the QR code opens the draft
    assert qr.locator("img").evaluate("img => img.complete && img.naturalWidth > 0 && img.naturalWidth == "
                                      "img.naturalHeight")


def test_bad_link_keeps_the_draft(page: Page, app_server):
    url, _ = app_server
    page.goto(f"{url}/?{PARAM}=v1.garbage")
    wait_for_app(page)
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("This link could not be opened", timeout=WAIT)
    expect(page.get_by_role("textbox", name="Recipe name")).to_have_value("breast-cancer-mlp", timeout=WAIT)


def test_every_formula_on_the_train_page_renders(page: Page, app_server):
    url, _ = app_server
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.goto(url)
    wait_for_app(page)
    go_to(page, "Train")
    for kind in ("sgd", "adam", "adamw", "rmsprop", "adagrad"):
        page.get_by_test_id("stSelectbox").filter(has_text="Optimizer").first.click()
        page.get_by_role("option", name=f"{kind}:").first.click()
        wait_for_app(page)
        page.get_by_text(f"How it works: {kind}", exact=True).click()
        expect(page.locator(".katex").first).to_be_visible()
        assert page.locator(".katex-error").count() == 0, kind
    for tab in ("Regularization", "Epochs & device"):
        page.get_by_role("tab", name=tab).click()
        for summary in page.get_by_text("How it works:").all():
            if summary.is_visible():
                summary.click()
        wait_for_app(page)
        assert page.locator(".katex-error").count() == 0, tab
