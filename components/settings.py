"""The server's settings, read from the environment (``studio app`` sets them from its flags).

* ``STUDIO_RUNS_DIR`` (``--runs-dir DIR``): where runs are saved (default ``runs/`` in the working dir);
* ``STUDIO_DATA_DIRS`` (``--data-dir DIR``, repeatable): folders every user's recipes may read,
  os.pathsep-joined;
* ``STUDIO_SHARED_RUNS`` (``--shared-runs``): "1" lets every user see every run (default: each
  browser sees its own);
* ``STUDIO_UPLOADS_DIR``: where sessions keep their uploads (default: a folder in the temp dir);
* ``STUDIO_UPLOAD_MAX_AGE_HOURS``: uploads older than this are deleted (default 24);
* ``STUDIO_MAX_JOBS`` (``--max-jobs N``): training jobs that train at once on this server, the
  others wait in a queue (default: the usable cores, at least 1);
* ``STUDIO_MAX_JOBS_PER_SESSION`` (``--max-jobs-per-session N``): runs one browser session may have
  queued or training at once (default 1);
* ``STUDIO_TRAIN_IN``: ``process`` (default) trains each run of the app in a worker process of its own
  (:mod:`studio.train.worker`), ``thread`` in a thread of the server (one interpreter lock for the
  pages and the runs; for debugging, or where worker processes cannot start);
* ``STUDIO_TRAIN_NICE``: how much lower the training workers' CPU priority is than the server's
  (default 10, 0 to 19; Unix): on a busy server the pages answer first and training takes the rest.

Read on every call, not at import: a test (or a restarted server) may change them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

RUNS_ENV = "STUDIO_RUNS_DIR"
DATA_DIRS_ENV = "STUDIO_DATA_DIRS"
SHARED_RUNS_ENV = "STUDIO_SHARED_RUNS"
UPLOADS_ENV = "STUDIO_UPLOADS_DIR"
UPLOAD_AGE_ENV = "STUDIO_UPLOAD_MAX_AGE_HOURS"
DEFAULT_UPLOAD_AGE_HOURS = 24.0
MAX_JOBS_ENV = "STUDIO_MAX_JOBS"
MAX_SESSION_JOBS_ENV = "STUDIO_MAX_JOBS_PER_SESSION"
TRAIN_IN_ENV = "STUDIO_TRAIN_IN"
TRAIN_NICE_ENV = "STUDIO_TRAIN_NICE"
DEFAULT_TRAIN_NICE = 10


def runs_dir() -> Path:
    """Where runs are saved: ``$STUDIO_RUNS_DIR``, else ``runs/`` in the working directory."""
    return Path(os.environ.get(RUNS_ENV) or "runs")


def data_dirs() -> tuple[Path, ...]:
    """The server's data folders (``studio app --data-dir``), which every session's recipes may read."""
    raw = os.environ.get(DATA_DIRS_ENV) or ""
    return tuple(Path(part) for part in raw.split(os.pathsep) if part.strip())


def shared_runs() -> bool:
    """Whether every user sees every run (``studio app --shared-runs``)."""
    return (os.environ.get(SHARED_RUNS_ENV) or "").strip().lower() in ("1", "true", "yes", "on")


def uploads_root() -> Path:
    """The folder that holds one folder per session's uploads.

    Named after the OS user, so two people running a studio on one machine do not share it.
    """
    configured = os.environ.get(UPLOADS_ENV)
    if configured:
        return Path(configured)
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"studio-uploads-{uid}"


def upload_max_age_seconds() -> float:
    """Uploads older than ``$STUDIO_UPLOAD_MAX_AGE_HOURS`` (default 24; bad values read as the default)."""
    try:
        hours = float(os.environ.get(UPLOAD_AGE_ENV) or DEFAULT_UPLOAD_AGE_HOURS)
    except ValueError:
        hours = DEFAULT_UPLOAD_AGE_HOURS
    if not hours > 0:  # also NaN
        hours = DEFAULT_UPLOAD_AGE_HOURS
    return hours * 3600.0


def _positive_int(name: str) -> int | None:
    """``$name`` as a whole number of at least 1, else None (unset or not such a number)."""
    try:
        value = int((os.environ.get(name) or "").strip())
    except ValueError:
        return None
    return value if value >= 1 else None


def max_jobs() -> int:
    """Training jobs that may train at once on this server: ``$STUDIO_MAX_JOBS``, else the cores this
    process may use (at least 1); more wait in the job queue (:class:`components.jobs.JobRegistry`)."""
    from studio.train.threads import usable_cores

    return _positive_int(MAX_JOBS_ENV) or max(1, usable_cores())


def max_jobs_per_session() -> int:
    """Runs one browser session may have queued or training at once: ``$STUDIO_MAX_JOBS_PER_SESSION``, else 1."""
    return _positive_int(MAX_SESSION_JOBS_ENV) or 1


def train_in_process() -> bool:
    """Whether the app trains its runs in worker processes (``$STUDIO_TRAIN_IN`` is not ``thread``)."""
    return (os.environ.get(TRAIN_IN_ENV) or "process").strip().lower() != "thread"


def train_nice() -> int:
    """How much lower the training workers' CPU priority is: ``$STUDIO_TRAIN_NICE`` (0-19), default 10."""
    try:
        value = int((os.environ.get(TRAIN_NICE_ENV) or "").strip() or DEFAULT_TRAIN_NICE)
    except ValueError:
        value = DEFAULT_TRAIN_NICE
    return min(max(value, 0), 19)
