"""Fixtures for the UI tests: a fresh AppTest of the whole app with no leftovers from earlier tests."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.components.helpers import APP, TIMEOUT


@pytest.fixture(autouse=True)
def uploads_dir(tmp_path, monkeypatch):
    """Every UI test keeps its sessions' uploads in its own folder (not the system temp dir)."""
    path = tmp_path / "uploads"
    monkeypatch.setenv("STUDIO_UPLOADS_DIR", str(path))
    return path


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Every path the studio's CSV reader opens, wherever it is called from."""
    import components.engine
    import studio.data.csv_reader
    import studio.data.load

    opened: list[str] = []
    real = studio.data.csv_reader.read_csv

    def spy(path, *args, **kwargs):
        opened.append(str(path))
        return real(path, *args, **kwargs)

    for module in (studio.data.csv_reader, studio.data.load, components.engine):
        monkeypatch.setattr(module, "read_csv", spy)
    return opened


@pytest.fixture
def at(uploads_dir):
    """The app after its first run (the Data page)."""
    st.cache_resource.clear()
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    yield app
    st.cache_resource.clear()
