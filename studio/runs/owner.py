"""Who is running a run: its process, host and heartbeat, so a reader can tell a dead run from a live one.

A run being trained writes ``owner.json`` (pid, host, start, heartbeat time, and the app user it
belongs to, if any) and a :class:`Heartbeat` thread refreshes the heartbeat every few seconds, also
while the run is paused. A run whose summary still says "running" is believed only while its
owner is alive: on this host, its process exists and is not a zombie; on any host, its heartbeat is
recent. Otherwise a reader shows it as ``interrupted``; nothing is rewritten on disk by reading.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from studio.atomic import write_json_atomic

HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 30.0  # a heartbeat older than this means the owner is gone (6 missed beats)


@dataclass(frozen=True)
class Owner:
    """The process that trains a run (``user``: the app user's key, None from the CLI)."""

    pid: int
    host: str
    started: float
    heartbeat: float
    user: str | None = None

    def alive(self, now: float | None = None) -> bool:
        """Whether the owner can still be training: a fresh heartbeat, and on this host a live process."""
        now = time.time() if now is None else now
        if now - self.heartbeat > STALE_SECONDS:
            return False
        return self.host != this_host() or process_alive(self.pid)

    @classmethod
    def read(cls, path: Path) -> Owner | None:
        """The owner recorded in ``path``, or None when there is none or it cannot be read."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(int(raw["pid"]), str(raw["host"]), float(raw["started"]), float(raw["heartbeat"]),
                       raw.get("user"))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def this_host() -> str:
    return socket.gethostname()


def process_alive(pid: int) -> bool:
    """True when process ``pid`` exists on this host and is not a zombie (killed, not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (macOS): existence is all we know
    return state not in ("Z", "X")


class Heartbeat:
    """Writes ``owner.json`` now and refreshes its heartbeat every ``interval`` seconds until stopped.

    Use as a context manager around training. The thread is a daemon: it never keeps a process alive.
    """

    def __init__(self, path: Path, user: str | None = None, interval: float = HEARTBEAT_SECONDS) -> None:
        self.path, self.interval = path, interval
        now = time.time()
        self.record: dict[str, Any] = asdict(Owner(os.getpid(), this_host(), now, now, user))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        self._beat()
        self._thread = threading.Thread(target=self._loop, name="studio-heartbeat", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 1.0)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._beat()

    def _beat(self) -> None:
        self.record["heartbeat"] = time.time()
        try:
            write_json_atomic(self.path, self.record)
        except OSError:
            pass  # a full disk must not kill training; readers will call the run interrupted
