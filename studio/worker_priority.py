"""Imported first by the training workers' forkserver: it lowers its own CPU priority (and so that of
every worker it forks) to ``$STUDIO_WORKER_NICE``, before it imports torch, so that those seconds of
imports right after the server's first page load do not slow the pages (:mod:`studio.train.worker`).
It lives outside ``studio.train``, whose package imports torch."""

from __future__ import annotations

import os

NICE_ENV = "STUDIO_WORKER_NICE"  # studio.train.worker.NICE_ENV (not imported: it would import numpy first)


def lower_priority() -> None:
    try:
        wanted = int(os.environ.get(NICE_ENV) or 0)
    except ValueError:
        return
    if wanted > 0 and hasattr(os, "nice"):
        os.nice(min(wanted, 19))


lower_priority()
