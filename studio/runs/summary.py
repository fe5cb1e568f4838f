"""RunSummary: the typed content of summary.json (status, metrics per split, timing, provenance)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from studio.status import RunStatus

SPLITS = ("train", "val", "test")


@dataclass
class RunSummary:
    """What a run says of itself. Unknown keys of an older or newer file are kept in ``extra``.

    ``status`` is what the run last wrote; :meth:`studio.runs.RunDir.summary` returns it with the
    status a reader should believe (``interrupted`` when the owner process is gone).
    """

    status: RunStatus
    name: str
    task: str
    primary_metric: str
    metrics: dict[str, dict[str, Any]] = field(default_factory=lambda: {s: {} for s in SPLITS})
    epochs_run: int = 0
    best_epoch: int | None = None
    seconds: float = 0.0
    train_seconds: float | None = None
    device: str | None = None
    message: str = ""
    created: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    checkpoint_epoch: int | None = None  # the epoch of the last state written to checkpoint.pt
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def value(self) -> float | None:
        """The primary metric on the test split, when the run got that far."""
        found = (self.metrics.get("test") or {}).get(self.primary_metric)
        return float(found) if isinstance(found, int | float) else None

    def test_scalars(self) -> dict[str, float]:
        """The test split's single-number metrics (curves and per-class tables left out)."""
        test = self.metrics.get("test") or {}
        return {k: v for k, v in test.items() if isinstance(v, int | float) and not isinstance(v, bool)}

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["status"] = str(self.status)
        extra = out.pop("extra")
        return {**extra, **out}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RunSummary:
        """Tolerant of missing keys (older runs) and of extra ones (kept in ``extra``)."""
        known = {f.name for f in fields(cls)} - {"extra"}
        values = {k: v for k, v in raw.items() if k in known}
        values["status"] = RunStatus.parse(raw.get("status"))
        values.setdefault("name", "")
        values.setdefault("task", "")
        values.setdefault("primary_metric", "")
        metrics = values.get("metrics")
        values["metrics"] = {s: dict((metrics or {}).get(s) or {}) for s in SPLITS} if isinstance(metrics, dict) \
            else {s: {} for s in SPLITS}
        values["epochs_run"] = _int(values.get("epochs_run"), 0)
        return cls(**values, extra={k: v for k, v in raw.items() if k not in known})


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
