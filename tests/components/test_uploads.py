"""Uploads: saved under their own name in the session's private folder, deleted when the session
ends (after the runtime's reconnect window) and, in any case, once older than the configured age."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from streamlit.runtime.caching import clear_session_resource_cache
from streamlit.testing.v1 import AppTest

from components import uploads
from tests.components.helpers import APP, TIMEOUT, by_key, clean, recipe

# The session id every AppTest runs under (streamlit/testing/v1/local_script_runner.py). The
# runtime releases a session's resources with exactly this call when its browser disconnects
# (AppSession.clear_session_caches); a test that used a wrong id would fail on ``pending`` below.
APPTEST_SESSION = "test session id"
DAY = 24 * 3600.0


def _csv() -> bytes:
    return ("a,b,label\n" + "\n".join(f"{i},{i % 5},{'x' if i % 2 else 'y'}" for i in range(40)) + "\n").encode()


def _upload(at: AppTest, name: str = "pets.csv") -> Path:
    by_key(at.radio, "data.mode").set_value("Upload a CSV").run()
    by_key(at.get("file_uploader"), "data.csv").upload(name, _csv(), "text/csv")
    at.run()
    clean(at)
    (folder,) = [p for p in uploads.root().iterdir() if p.name.startswith(uploads.PREFIX)]
    return folder


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    for p in [*path.rglob("*"), path]:
        os.utime(p, (then, then), follow_symlinks=False)


def test_an_upload_keeps_its_own_name_and_the_recipe_no_server_path(at, uploads_dir):
    folder = _upload(at, "my sales.csv")
    assert (folder / "my_sales.csv").is_file() and folder.parent == uploads_dir
    assert recipe(at).data.source == "csv:my_sales.csv"
    assert str(uploads_dir) not in recipe(at).to_json() and "/tmp" not in recipe(at).to_json()
    assert oct(folder.stat().st_mode & 0o777) == "0o700" and oct(uploads_dir.stat().st_mode & 0o777) == "0o700"


@pytest.mark.parametrize("name, safe", [("../../etc/passwd", "passwd"), ("..", "data.csv"), (".env", "env"),
                                        ("a b;c.csv", "a_b_c.csv")])
def test_upload_names_cannot_leave_the_session_folder(name, safe):
    from components.state import safe_file_name

    assert safe_file_name(name, "data.csv") == safe


def test_sweep_deletes_only_our_expired_folders(uploads_dir, monkeypatch):
    root = uploads.root()
    old, fresh, touched = (root / f"{uploads.PREFIX}{n}" for n in ("old", "fresh", "touched"))
    for folder in (old, fresh, touched):
        folder.mkdir()
        (folder / "data.csv").write_text("a,b\n1,2\n")
    _age(old, 2 * DAY)
    _age(touched, 2 * DAY)
    (touched / "new.csv").write_text("a,b\n1,2\n")  # a recent upload keeps the folder
    stranger = root / "not-a-session"
    stranger.mkdir()
    _age(stranger, 2 * DAY)
    outside = uploads_dir.parent / "outside"
    outside.mkdir()
    _age(outside, 2 * DAY)
    (root / f"{uploads.PREFIX}link").symlink_to(outside, target_is_directory=True)
    removed = uploads.sweep(DAY)
    assert removed == [old] and not old.exists()
    assert fresh.is_dir() and touched.is_dir() and stranger.is_dir() and outside.is_dir()


def test_a_new_session_sweeps_uploads_older_than_the_configured_age(uploads_dir, monkeypatch):
    monkeypatch.setenv("STUDIO_UPLOAD_MAX_AGE_HOURS", "2")
    root = uploads.root()
    old, recent = root / f"{uploads.PREFIX}old", root / f"{uploads.PREFIX}recent"
    for folder, hours in ((old, 3), (recent, 1)):
        folder.mkdir()
        (folder / "x.csv").write_text("a,b\n1,2\n")
        _age(folder, hours * 3600)
    AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not old.exists() and recent.is_dir()


def test_uploads_are_deleted_after_their_session_ends(at, monkeypatch):
    monkeypatch.setattr(uploads, "grace_seconds", lambda: 0.3)
    clear_session_resource_cache(APPTEST_SESSION)  # forget the claims made before the patch
    at.run()
    folder = _upload(at)
    clear_session_resource_cache(APPTEST_SESSION)  # what the runtime does when the browser goes away
    assert uploads.pending(folder) and folder.is_dir()  # not at once: the session may reconnect
    deadline = time.time() + 10
    while folder.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert not folder.exists()


def test_a_session_that_reconnects_keeps_its_uploads(at, monkeypatch):
    monkeypatch.setattr(uploads, "grace_seconds", lambda: 0.5)
    clear_session_resource_cache(APPTEST_SESSION)
    at.run()
    folder = _upload(at)
    clear_session_resource_cache(APPTEST_SESSION)
    assert uploads.pending(folder)
    at.run()  # the session's next script run claims the folder again
    assert not uploads.pending(folder)
    time.sleep(1.0)
    assert (folder / "pets.csv").is_file()
    clean(at)


def test_the_grace_period_follows_the_runtimes_reconnect_window():
    from streamlit import config

    assert uploads.grace_seconds() == config.get_option("server.disconnectedSessionTTL") + uploads.GRACE_MARGIN
