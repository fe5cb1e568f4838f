"""Fixtures for the UI tests: a fresh AppTest of the whole app with no leftovers from earlier tests."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.components.helpers import APP, TIMEOUT


@pytest.fixture
def at():
    """The app after its first run (the Data page)."""
    st.cache_resource.clear()
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    yield app
    st.cache_resource.clear()
