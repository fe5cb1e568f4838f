"""Shared by the UI benchmarks: a real ``streamlit run`` server and a headless Chromium page on Train.

Reuses the end-to-end test helpers (server start, readiness, selectors), so the benchmarks drive the
app exactly as the e2e test does.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path, start_server, stop_server  # noqa: E402
from tests.e2e.ui import button, go_to, wait_for_app  # noqa: E402

__all__ = ["button", "open_train_page", "set_long_run", "wait_for_app"]


@contextmanager
def open_train_page(runs_dir: Path) -> Iterator[object]:
    """Yield a Playwright page showing the Train page of a fresh server (torch already imported)."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise SystemExit("no system Chromium: install the Debian package `chromium` or set CHROMIUM_PATH")
    proc, url = start_server(runs_dir)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            wait_for_app(page)
            go_to(page, "Train")
            yield page
            browser.close()
    finally:
        stop_server(proc)


def set_long_run(page: object, epochs: int) -> None:
    """Early stopping off and ``epochs`` epochs, through the page's own widgets."""
    page.get_by_role("tab", name="Regularization").click()
    page.get_by_test_id("stCheckbox").filter(has_text="Early stopping").locator("label").click()
    wait_for_app(page)
    page.get_by_role("tab", name="Epochs & device").click()
    box = page.get_by_label("epochs", exact=True)
    box.fill(str(epochs))
    box.press("Enter")
    wait_for_app(page)
