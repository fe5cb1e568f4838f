"""A vs B once both runs have ended: a small table and one sentence, from the numbers only.

:func:`outcome_of_run` reads what a run says of itself (summary.json, metrics.csv) into an
:class:`Outcome`; :func:`compare` (pure) makes the :class:`Comparison`. Which variant generalised
better: the higher test metric, when the two differ by more than :data:`TIE`; otherwise the smaller
train - validation gap of the final model (both measured in evaluation mode, so dropout does not
lower the train side); otherwise neither. Both primary metrics (accuracy, R²) are higher-is-better.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.errors import StudioError
from studio.runs import RunDir
from studio.status import RunStatus

TIE = 0.005  # metric differences up to this are "about the same" (half a point of accuracy)
UNCOMPARABLE = {RunStatus.FAILED: "failed", RunStatus.INTERRUPTED: "was interrupted"}  # ended with no result


@dataclass(frozen=True)
class Outcome:
    """What one variant's run ended with (None where it did not get that far)."""

    label: str  # e.g. "A: dropout 0"
    status: str  # a RunStatus value
    metric: str = ""  # the primary metric's name: "accuracy" or "r2"
    best_val: float | None = None  # the best validation metric of any epoch
    test: float | None = None  # the kept model's test metric
    epochs: int = 0
    gap: float | None = None  # the kept model's train metric minus its validation metric
    message: str = ""  # a failed run's sentence


@dataclass(frozen=True)
class Comparison:
    """``rows``: (what, A's value, B's value) as text; ``winner``: "A", "B" or None; ``sentence``: why."""

    labels: tuple[str, str]
    rows: list[tuple[str, str, str]]
    winner: str | None
    sentence: str


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and \
        math.isfinite(value) else None


def outcome_of_run(label: str, run_dir: str | Path | None, status: str = "", message: str = "") -> Outcome:
    """The outcome of the run in ``run_dir``; ``status``/``message`` stand in when there is no summary
    (a run that failed before its folder was made, or a folder that cannot be read)."""
    if run_dir is None or not RunDir(run_dir).has(RunDir.SUMMARY):
        return Outcome(label, status or str(RunStatus.FAILED), message=message)
    run = RunDir(run_dir)
    try:
        summary, history = run.summary(), run.history()
    except StudioError as err:
        return Outcome(label, status or str(RunStatus.FAILED), message=str(err))
    metric = summary.primary_metric
    vals = [v for v in (_number(x) for x in history.get("val_metric", [])) if v is not None]
    train = _number((summary.metrics.get("train") or {}).get(metric))
    val = _number((summary.metrics.get("val") or {}).get(metric))
    return Outcome(label, str(summary.status), metric, max(vals) if vals else None, summary.value,
                   summary.epochs_run, train - val if train is not None and val is not None else None,
                   summary.message if summary.status == RunStatus.FAILED else "")


def _text(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.4f}" if signed else f"{value:.4f}"


def _side(o: Outcome) -> str:
    return o.label.partition(":")[0].strip()


def _who(o: Outcome) -> str:
    side, _, what = o.label.partition(": ")
    return f"{side} ({what})" if what else side


def compare(a: Outcome, b: Outcome) -> Comparison:
    """The table A vs B and one sentence saying which generalised better, from the numbers only."""
    metric = a.metric or b.metric or "metric"
    rows = [
        ("status", a.status, b.status),
        (f"best validation {metric}", _text(a.best_val), _text(b.best_val)),
        (f"test {metric}", _text(a.test), _text(b.test)),
        ("epochs", str(a.epochs), str(b.epochs)),
        (f"final train − validation gap ({metric})", _text(a.gap, True), _text(b.gap, True)),
    ]
    winner, sentence = _verdict(a, b, metric)
    return Comparison((a.label, b.label), rows, winner, sentence)


def _verdict(a: Outcome, b: Outcome, metric: str) -> tuple[str | None, str]:
    failed = [o for o in (a, b) if o.status in UNCOMPARABLE]
    if failed:
        why = f" ({failed[0].message.rstrip('.')})" if failed[0].message else ""
        both = " and ".join(_who(o) for o in failed)
        return None, (f"{both} {UNCOMPARABLE[failed[0].status]}{why}, so the two cannot be compared; train A and "
                      "B again.")
    score, what = ("test", f"test {metric}") if a.test is not None and b.test is not None else \
        ("best_val", f"best validation {metric}")
    sa, sb = getattr(a, score), getattr(b, score)
    if sa is None or sb is None:
        return None, f"There is no {metric} on held-out rows for both runs, so the numbers cannot say which " \
                     "generalised better."
    if abs(sa - sb) > TIE:
        win, lose = (a, b) if sa > sb else (b, a)
        return _side(win), (f"{_who(win)} generalised better: {what} {getattr(win, score):.4f} against "
                              f"{getattr(lose, score):.4f}{_gaps(win, lose)}.")
    if a.gap is not None and b.gap is not None and abs(abs(a.gap) - abs(b.gap)) > TIE:
        win, lose = (a, b) if abs(a.gap) < abs(b.gap) else (b, a)
        return _side(win), (f"{_who(win)} generalised better: with about the same {what} ({sa:.4f} and "
                              f"{sb:.4f}), its train − validation gap is smaller ({win.gap:+.4f} against "
                              f"{lose.gap:+.4f}).")
    return None, (f"A and B generalised about equally well: {what} {sa:.4f} and {sb:.4f}"
                  f"{_gaps(a, b, 'with gaps')}.")


def _gaps(first: Outcome, second: Outcome, words: str = "and a train − validation gap of") -> str:
    if first.gap is None or second.gap is None:
        return ""
    joiner = "against" if words.startswith("and") else "and"
    return f", {words} {first.gap:+.4f} {joiner} {second.gap:+.4f}"
