"""The runs table: every readable run under a folder, newest first, with the status a reader should believe."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.errors import RunError
from studio.runs.rundir import RunDir
from studio.status import RunStatus


@dataclass(frozen=True)
class RunInfo:
    """One line of the runs table (``user``: the app user who made it; None from the CLI)."""

    path: Path
    name: str
    status: RunStatus
    task: str
    primary_metric: str
    value: float | None
    created: str
    epochs_run: int
    seconds: float = 0.0
    user: str | None = None

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def run(self) -> RunDir:
        return RunDir(self.path)


def list_runs(root: str | Path = "runs", user: str | None = None) -> list[RunInfo]:
    """Every readable run under ``root``, newest first; folders that are not runs are skipped.

    ``user`` keeps only the runs that app user made (None: every run).
    """
    base = Path(root)
    if not base.is_dir():
        return []
    infos = []
    for d in sorted(base.iterdir(), reverse=True):
        run = RunDir(d)
        if not run.has(RunDir.SUMMARY):
            continue
        try:
            s = run.summary()
        except RunError:
            continue
        owner = run.owner()
        made_by = owner.user if owner else None
        if user is not None and made_by != user:
            continue
        infos.append(RunInfo(d, s.name or d.name, s.status, s.task, s.primary_metric, s.value, s.created,
                             s.epochs_run, float(s.seconds or 0.0), made_by))
    return infos
