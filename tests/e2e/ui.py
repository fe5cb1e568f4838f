"""Playwright helpers for the Streamlit app (selectors as in Streamlit's own e2e suite)."""

from __future__ import annotations

from playwright.sync_api import Page

# The x values of the first Plotly chart whose title contains the given text, or -1 if none yet.
_POINTS_JS = """(title) => {
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const t = el.layout && el.layout.title && el.layout.title.text;
    if (t && t.includes(title) && el.data && el.data.length) return el.data[0].x.length;
  }
  return -1;
}"""


def wait_for_app(page: Page, timeout: float = 60_000) -> None:
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout)


def go_to(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.get_by_test_id("stHeading").filter(has_text=title).first.wait_for(timeout=60_000)
    wait_for_app(page)


def button(page: Page, label: str):
    return page.get_by_test_id("stButton").filter(has_text=label).locator("button").first


def chart_points(page: Page, title: str) -> int:
    return int(page.evaluate(_POINTS_JS, title))


def wait_points(page: Page, title: str, more_than: int, timeout: float = 30.0) -> int:
    """Wait (without touching the page) until the chart has more than ``more_than`` points."""
    page.wait_for_function(f"() => ({_POINTS_JS})({title!r}) > {more_than}", timeout=timeout * 1000)
    return chart_points(page, title)
