"""Shared helpers: write a CSV into a temporary working directory and load it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from studio.data import Table, load_table
from studio.recipe import DataConfig


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory: CSV paths in sources are relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def write_csv(workdir: Path) -> Callable[..., str]:
    """Write text (or bytes) to a file and return its ``csv:NAME`` source."""

    def write(content: str | bytes, name: str = "data.csv", encoding: str = "utf-8") -> str:
        raw = content if isinstance(content, bytes) else content.encode(encoding)
        (workdir / name).write_bytes(raw)
        return f"csv:{name}"

    return write


@pytest.fixture
def load_csv(write_csv: Callable[..., str]) -> Callable[..., Table]:
    """Write a CSV and load it with the given DataConfig fields (target defaults to 'y')."""

    def load(content: str | bytes, encoding: str = "utf-8", **fields: Any) -> Table:
        source = write_csv(content, encoding=encoding)
        return load_table(DataConfig(source=source, **{"target": "y", **fields}))

    return load
