"""RunStatus: the one vocabulary of a run's life, shared by the Job, the events, the run directory and the UI.

A run is ``created``, may wait ``queued`` for a free slot on a shared server (the app's job queue:
it has not started, so it has no run directory), then is ``running`` (and ``paused`` while it
waits), and ends ``completed``,
``early_stopped``, ``stopped`` (asked to), ``failed`` (an error) or ``interrupted`` (its process
died without writing an end: a reader's verdict from the owner's heartbeat, never written by the
run itself). It is a ``str`` enum, so it compares equal to, and serializes as, its plain value.
"""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    CREATED = "created"
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    EARLY_STOPPED = "early_stopped"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"

    @property
    def active(self) -> bool:
        """True while the run may still change: created, queued, running or paused."""
        return self in _ACTIVE

    @property
    def final(self) -> bool:
        """True once the run has ended, whatever the way."""
        return not self.active

    @property
    def has_result(self) -> bool:
        """Ended with its best weights kept (not failed, not interrupted mid-write)."""
        return self in (RunStatus.COMPLETED, RunStatus.EARLY_STOPPED, RunStatus.STOPPED)

    @classmethod
    def parse(cls, value: object) -> RunStatus:
        """The status named by ``value``; an unknown one (a damaged file) reads as interrupted."""
        try:
            return cls(str(value))
        except ValueError:
            return cls.INTERRUPTED


_ACTIVE = frozenset({RunStatus.CREATED, RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.PAUSED})
