"""Sharing one studio, in a real browser against a real server: hostile column names, class labels and
URL values are shown as text (no link, no image fetched from outside), and a session's uploads are
deleted after its tab closes (the runtime's release, after its reconnect window)."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.components.test_markdown_safety import HTML_COLUMN, LABELS, LINK_COLUMN, RUN_ID, TARGET, hostile_frame
from tests.e2e.conftest import start_server, stop_server
from tests.e2e.ui import wait_for_app

pytestmark = pytest.mark.e2e
RECONNECT_WINDOW = 2  # seconds: server.disconnectedSessionTTL for this server


@pytest.fixture(scope="module")
def sharing_server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    runs, uploads = tmp_path_factory.mktemp("runs"), tmp_path_factory.mktemp("uploads")
    proc, url = start_server(runs, extra_args=("--server.disconnectedSessionTTL", str(RECONNECT_WINDOW)),
                             env_vars={"STUDIO_UPLOADS_DIR": str(uploads)})
    yield url, uploads
    log = stop_server(proc)
    assert "Traceback" not in log, log


def _nothing_from_outside(page: Page) -> None:
    assert page.locator("a[href*='evil.example']").count() == 0
    assert page.locator("img[src*='evil.example']").count() == 0
    assert page.locator(".js-plotly-plot a").count() == 0  # Plotly draws <a href> as an SVG link
    assert page.locator("[data-testid='stMarkdownContainer'] b").filter(has_text="no").count() == 0


def test_hostile_names_are_text_and_uploads_go_when_the_tab_closes(page: Page, sharing_server, tmp_path):
    url, uploads = sharing_server
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if (urllib.parse.urlparse(request.url).hostname or "").endswith("evil.example") else None)
    page.goto(f"{url}/?run={urllib.parse.quote(RUN_ID)}")
    wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("is not running in this server")
    assert "[run](https" in sidebar.inner_text().replace("\u2060", "")  # the id as typed, not a link

    csv = tmp_path / "hostile.csv"
    hostile_frame().to_csv(csv, index=False)
    page.get_by_test_id("stRadio").get_by_text("Upload a CSV").click()
    wait_for_app(page)
    page.get_by_test_id("stFileUploader").filter(has_text="CSV file").locator("input[type=file]").set_input_files(
        str(csv))
    wait_for_app(page)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=30_000)
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="80 rows,").first  # the upload's
    expect(caption).to_be_visible(timeout=30_000)
    assert TARGET in caption.inner_text().replace("\u2060", "")
    page.wait_for_selector(".js-plotly-plot .xtick", timeout=30_000)  # class balance and heatmap drawn
    ticks = page.locator(".js-plotly-plot").all_inner_texts()
    assert any(HTML_COLUMN in t for t in ticks) and any(LINK_COLUMN in t for t in ticks)
    assert any(LABELS[1] in t for t in ticks)  # the class "<b>no</b>" as typed, not a bold "no"
    _nothing_from_outside(page)
    assert outside == []

    (folder,) = list(uploads.iterdir())
    assert (folder / "hostile.csv").is_file()
    page.close()
    deadline = time.time() + RECONNECT_WINDOW + 30
    while folder.exists() and time.time() < deadline:
        time.sleep(0.25)
    assert not folder.exists()
