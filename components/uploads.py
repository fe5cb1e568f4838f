"""Where a session's uploaded files live, and how long: one private folder per session, deleted when
the session ends, and in any case once older than ``$STUDIO_UPLOAD_MAX_AGE_HOURS``.

Streamlit has no "session ended" hook as such. What its public API offers is a session-scoped
``st.cache_resource`` with ``on_release``: the runtime releases a session's entries when its browser
disconnects (tab closed, refresh, network drop; docs of ``cache_resource(scope=...)``). A dropped
connection may come back to the same session within ``server.disconnectedSessionTTL`` seconds (120
by default); only after that is the session gone for good. So a released folder is deleted after
that grace period, unless the session claims it again first (its next script run does). Nothing
is promised at server shutdown (``on_release`` "isn't guaranteed to be called when an app is shut
down"): the age sweep, run once at the start of every new session, removes what is left behind.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from components import settings

PREFIX = "session-"  # the sweep only ever touches folders named like this, directly in the root
GRACE_MARGIN = 5.0  # seconds after the runtime's own reconnect window


def root() -> Path:
    """The folder of session folders, created private to this OS user (0700).

    A folder that is a symlink, or belongs to another user, is not used: a folder in the shared
    temp dir could have been made by someone else to have our files (or our deletions) land there.
    """
    path = settings.uploads_root()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        raise RuntimeError(f"upload folder {path} is a link or belongs to another user; set STUDIO_UPLOADS_DIR")
    return path


def new_folder() -> Path:
    """A fresh, private folder for one session's uploads."""
    path = root() / f"{PREFIX}{secrets.token_hex(8)}"
    path.mkdir(mode=0o700)
    return path


def is_session_folder(path: Path) -> bool:
    """Whether ``path`` is one of ours: named ``session-...`` directly inside :func:`root`."""
    try:
        return path.name.startswith(PREFIX) and path.parent.resolve() == root().resolve()
    except OSError:
        return False


def delete(path: Path) -> None:
    """Remove a session folder and everything in it (nothing outside the uploads root, ever)."""
    if is_session_folder(path) and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)


def last_change(path: Path) -> float:
    """The newest modification time of the folder or any file in it (seconds since the epoch)."""
    newest = path.lstat().st_mtime
    for entry in path.rglob("*"):
        try:
            newest = max(newest, entry.lstat().st_mtime)
        except OSError:
            continue
    return newest


def sweep(max_age: float, now: float | None = None) -> list[Path]:
    """Delete the session folders whose newest file is older than ``max_age`` seconds; return them."""
    now = time.time() if now is None else now
    removed = []
    for path in root().iterdir():
        if not path.name.startswith(PREFIX) or path.is_symlink() or not path.is_dir():
            continue
        try:
            old = now - last_change(path) > max_age
        except OSError:
            continue
        if old:
            delete(path)
            removed.append(path)
    return removed


# -- deletion when the session ends ---------------------------------------------------------------

_pending: dict[str, threading.Timer] = {}
_lock = threading.Lock()


def grace_seconds() -> float:
    """How long a released folder waits for its session to come back before it is deleted."""
    try:
        ttl = float(st.get_option("server.disconnectedSessionTTL"))
    except Exception:  # an option this Streamlit version does not have
        ttl = 120.0
    return max(ttl, 0.0) + GRACE_MARGIN


@dataclass(frozen=True)
class Claim:
    """A session's hold on its upload folder; released by the runtime when the session disconnects."""

    path: Path
    grace: float


def _release(claim: Claim) -> None:
    """Runs on a Streamlit thread when the session's resources are released: delete after the grace."""
    timer = threading.Timer(claim.grace, _expire, args=(claim.path,))
    timer.daemon = True
    with _lock:
        old = _pending.pop(str(claim.path), None)
        _pending[str(claim.path)] = timer
    if old is not None:
        old.cancel()
    timer.start()


def _expire(path: Path) -> None:
    with _lock:
        _pending.pop(str(path), None)
    delete(path)


@st.cache_resource(scope="session", on_release=_release, show_spinner=False)
def claim(path: str) -> Claim:
    """Hold ``path`` for this session: call on every run; it is computed again (and cancels a pending
    deletion) only after the runtime released it, i.e. when the session came back after a disconnect."""
    with _lock:
        timer = _pending.pop(path, None)
    if timer is not None:
        timer.cancel()
    return Claim(Path(path), grace_seconds())


def pending(path: Path) -> bool:
    """Whether ``path`` is waiting to be deleted (its session disconnected)."""
    with _lock:
        return str(path) in _pending
