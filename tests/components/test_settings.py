"""components.settings: the server's options as `studio app` passes them through the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from components import settings


def test_runs_dir(monkeypatch, tmp_path):
    monkeypatch.delenv(settings.RUNS_ENV, raising=False)
    assert settings.runs_dir() == Path("runs")
    monkeypatch.setenv(settings.RUNS_ENV, str(tmp_path))
    assert settings.runs_dir() == tmp_path


def test_data_dirs_are_os_pathsep_joined(monkeypatch, tmp_path):
    monkeypatch.delenv(settings.DATA_DIRS_ENV, raising=False)
    assert settings.data_dirs() == ()
    monkeypatch.setenv(settings.DATA_DIRS_ENV, os.pathsep.join([str(tmp_path / "a"), "", str(tmp_path / "b")]))
    assert settings.data_dirs() == (tmp_path / "a", tmp_path / "b")


@pytest.mark.parametrize("raw, shared", [(None, False), ("", False), ("0", False), ("1", True), ("true", True)])
def test_shared_runs(monkeypatch, raw, shared):
    if raw is None:
        monkeypatch.delenv(settings.SHARED_RUNS_ENV, raising=False)
    else:
        monkeypatch.setenv(settings.SHARED_RUNS_ENV, raw)
    assert settings.shared_runs() is shared


@pytest.mark.parametrize("raw, hours", [(None, 24), ("2", 2), ("0.5", 0.5), ("soon", 24), ("-1", 24), ("nan", 24)])
def test_upload_max_age(monkeypatch, raw, hours):
    if raw is None:
        monkeypatch.delenv(settings.UPLOAD_AGE_ENV, raising=False)
    else:
        monkeypatch.setenv(settings.UPLOAD_AGE_ENV, raw)
    assert settings.upload_max_age_seconds() == hours * 3600


def test_uploads_root_is_per_os_user_unless_set(monkeypatch, tmp_path):
    monkeypatch.delenv(settings.UPLOADS_ENV, raising=False)
    assert settings.uploads_root().name == f"studio-uploads-{os.getuid()}"
    monkeypatch.setenv(settings.UPLOADS_ENV, str(tmp_path))
    assert settings.uploads_root() == tmp_path
