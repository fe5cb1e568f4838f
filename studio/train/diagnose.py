"""Diagnoses of a run in plain words, from its per-epoch history (live or finished).

:func:`diagnose` reads the rows of metrics.csv (epoch, train_loss, val_loss, lr, ...) and, when known,
the loss of a model that learned nothing (:func:`baseline_loss`: predicting the class shares, or the
mean) and the training class counts. Each :class:`Diagnosis` is one sentence naming the epoch, what to
try, and the name of a remedy (:mod:`studio.train.remedies`) that applies it to a draft recipe.

The thresholds are deliberately plain numbers a teacher can explain; each rule says when it holds in
its docstring, and the tests pin both sides of each.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from studio.errors import plain, quote

MIN_EPOCHS = 3  # no diagnosis from fewer epochs than this
OVERFIT_EPOCHS = 3  # k: validation loss above its best for this many epochs...
OVERFIT_RISE = 0.02  # ...and at least 2% above it at the end
UNDERFIT_SHARE = 0.8  # both losses above 80% of the baseline after UNDERFIT_EPOCHS
UNDERFIT_EPOCHS = 5
PLATEAU_EPOCHS = 8  # no new best (by 0.1%) for this many epochs
PLATEAU_GAIN = 1e-3
LOW_LR_EPOCHS = 5
LOW_LR_DROP = 0.03  # the training loss fell by less than 3% over the whole run
BLOWN_UP = 10.0  # a training loss above 10 times the baseline: the steps threw the model far off
HIGH_LR_RISE = 1.5  # the training loss ends 50% above its best...
OSCILLATION_WINDOW = 8  # ...or went up in half of the last 8 epochs, by 10% of its level on average
OSCILLATION_SIZE = 0.1
# Near zero a loss doubles from noise alone (0.05 -> 0.1 in a run that fits spirals): a rise or a jump
# must also be this share of the baseline loss, when it is known, to count.
HIGH_LR_FLOOR = 0.1  # the end's rise above the best
OSCILLATION_FLOOR = 0.02  # the average jump
IMBALANCE_RATIO = 3.0  # the largest class has at least 3 times the rows of the smallest
DEAD_SHARE = 0.5  # half of a ReLU layer's units never active on the sample
VANISHING_RATIO = 1e-3  # the first weight layer's gradient below 1/1000 of the last one's (3+ layers)
EXPLODING_NORM = 1e3  # a weight layer's gradient norm above this


@dataclass(frozen=True)
class Diagnosis:
    """One finding: ``kind`` (a stable name), ``sentence`` (what was seen, with the epoch), ``advice``
    (what to try), ``remedy`` (a name in :data:`studio.train.remedies.REMEDIES`, or None) and the
    epoch it starts at (None when it is not about one)."""

    kind: str
    sentence: str
    advice: str
    remedy: str | None
    epoch: int | None = None

    def text(self) -> str:
        return f"{self.sentence} Try: {self.advice}"


def baseline_loss(y_train: np.ndarray, task: str, loss: str = "auto") -> float | None:
    """The training loss of a model that learned nothing about the inputs.

    Classification: the cross-entropy of always predicting the training class shares (their entropy).
    Regression (the studio trains on the standardized target): MSE of predicting the mean, which is the
    variance of the standardized target (1.0), or the Huber loss of predicting the mean.
    """
    y = np.asarray(y_train)
    if y.size == 0:
        return None
    if task == "classification":
        _, counts = np.unique(y, return_counts=True)
        share = counts / counts.sum()
        return float(-(share * np.log(share)).sum())
    z = y.astype(np.float64)
    z = z[np.isfinite(z)]
    if z.size == 0:
        return None
    std = z.std() or 1.0
    r = np.abs((z - z.mean()) / std)
    if loss == "huber":
        return float(np.where(r <= 1.0, 0.5 * r**2, r - 0.5).mean())
    return float((r**2).mean())


def class_counts(y_train: np.ndarray, n_classes: int) -> list[int]:
    """Rows of each class code 0..n_classes-1 in the training split."""
    return np.bincount(np.asarray(y_train, dtype=np.int64), minlength=n_classes).tolist()


def _column(rows: Sequence[Mapping[str, Any]], name: str) -> np.ndarray:
    values = [r.get(name) for r in rows]
    return np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)


def _rows(history: Any) -> list[Mapping[str, Any]]:
    if hasattr(history, "to_dict"):  # a DataFrame of metrics.csv
        return list(history.to_dict("records"))
    return list(history)


def _n(x: float) -> str:
    return plain(float(f"{x:.3g}"))


def overfitting(epochs: np.ndarray, train: np.ndarray, val: np.ndarray) -> Diagnosis | None:
    """The validation loss has stayed above its best for k epochs and ends 2% above it, while the
    training loss fell over the same epochs."""
    if np.isnan(val).all():
        return None
    best = int(np.nanargmin(val))
    since = len(val) - 1 - best
    if since < OVERFIT_EPOCHS or not val[-1] > val[best] * (1 + OVERFIT_RISE) or not train[-1] < train[best]:
        return None
    return Diagnosis(
        "overfitting",
        f"Overfitting since epoch {int(epochs[best])}: the validation loss has risen for {since} epochs "
        f"({_n(val[best])} → {_n(val[-1])}) while the training loss kept falling ({_n(train[best])} → "
        f"{_n(train[-1])}).",
        "add dropout (or L2, or more data); early stopping keeps the weights of the best epoch.",
        "add_dropout", int(epochs[best]))


def underfitting(epochs: np.ndarray, train: np.ndarray, val: np.ndarray, baseline: float | None,
                 what: str) -> Diagnosis | None:
    """After 5 epochs both losses are still above 80% of the loss of a model that learned nothing."""
    if baseline is None or baseline <= 0 or len(train) < UNDERFIT_EPOCHS:
        return None
    last_val = val[-1] if not math.isnan(val[-1]) else train[-1]
    if train[-1] < UNDERFIT_SHARE * baseline or last_val < UNDERFIT_SHARE * baseline:
        return None
    return Diagnosis(
        "underfitting",
        f"Underfitting: after {int(epochs[-1])} epochs the training loss ({_n(train[-1])}) and the validation "
        f"loss ({_n(last_val)}) are still not clearly below {_n(baseline)}, the loss of {what}.",
        "a bigger model (more units or layers), more epochs, or less regularization.",
        "more_capacity")


def lr_too_high(epochs: np.ndarray, train: np.ndarray, baseline: float | None = None) -> Diagnosis | None:
    """The training loss went above 10 times the baseline, or it ends 50% above its best, or it went up in
    half of the last 8 epochs by 10% of its level on average (it oscillates); a rise of less than 10% of
    the baseline, or jumps of less than 2% of it on average, do not count (noise near zero)."""
    worst = int(np.argmax(train))
    if baseline is not None and baseline > 0 and train[worst] > BLOWN_UP * baseline:
        return Diagnosis(
            "lr_too_high",
            f"The learning rate looks too high: at epoch {int(epochs[worst])} the training loss jumped to "
            f"{_n(train[worst])}, far above {_n(baseline)}, the loss of a model that learned nothing.",
            "lower the learning rate (×0.1), or add gradient clipping.", "lower_lr", int(epochs[worst]))
    best = int(np.argmin(train))
    floor = baseline if baseline is not None and baseline > 0 else 0.0
    if best < len(train) - 1 and train[-1] > train[best] * HIGH_LR_RISE and \
            train[-1] - train[best] > HIGH_LR_FLOOR * floor:
        return Diagnosis(
            "lr_too_high",
            f"The learning rate looks too high: the training loss rose from {_n(train[best])} at epoch "
            f"{int(epochs[best])} to {_n(train[-1])} at epoch {int(epochs[-1])}.",
            "lower the learning rate (×0.1), or add gradient clipping.", "lower_lr", int(epochs[best]))
    tail = train[-(OSCILLATION_WINDOW + 1):]
    steps = np.diff(tail)
    ups = steps > 0
    if len(steps) < 4 or ups.sum() * 2 < len(steps):
        return None
    if np.abs(steps).mean() < max(OSCILLATION_SIZE * np.abs(tail).mean(), OSCILLATION_FLOOR * floor):
        return None
    first = int(epochs[-len(tail)])
    return Diagnosis(
        "lr_too_high",
        f"The learning rate looks too high: since epoch {first} the training loss went up in {int(ups.sum())} "
        f"of {len(steps)} epochs, jumping by {np.abs(steps).mean() / np.abs(tail).mean():.0%} on average.",
        "lower the learning rate (×0.1).", "lower_lr", first)


def lr_too_low(epochs: np.ndarray, train: np.ndarray, baseline: float | None) -> Diagnosis | None:
    """After 5 epochs the training loss fell by less than 3% in all, and it is not already low
    (above half the baseline, when that is known)."""
    if len(train) < LOW_LR_EPOCHS or train[0] <= 0:
        return None
    drop = (train[0] - train.min()) / train[0]
    if drop >= LOW_LR_DROP or (baseline is not None and train[-1] < 0.5 * baseline):
        return None
    return Diagnosis(
        "lr_too_low",
        f"The learning rate looks too low: in {int(epochs[-1])} epochs the training loss barely moved "
        f"({_n(train[0])} → {_n(train[-1])}, {drop:.1%} lower).",
        "raise the learning rate (×10).", "raise_lr", int(epochs[0]))


def plateau(epochs: np.ndarray, watched: np.ndarray, what: str) -> Diagnosis | None:
    """No new best of the watched loss (by at least 0.1%) for 8 epochs."""
    if len(watched) <= PLATEAU_EPOCHS or np.isnan(watched).all():
        return None
    before = np.nanmin(watched[:-PLATEAU_EPOCHS])
    recent = np.nanmin(watched[-PLATEAU_EPOCHS:])
    if recent < before * (1 - PLATEAU_GAIN):
        return None
    best = int(np.nanargmin(watched))
    return Diagnosis(
        "plateau",
        f"Plateau: the {what} has not improved for {len(watched) - 1 - best} epochs (best {_n(watched[best])} "
        f"at epoch {int(epochs[best])}).",
        "lower the learning rate when progress stops (the reduce_on_plateau schedule does it), or stop here.",
        "reduce_on_plateau", int(epochs[best]))


def imbalance(counts: Sequence[int] | None, labels: Sequence[str] | None = None,
              balanced: bool = False) -> Diagnosis | None:
    """The largest training class has at least 3 times the rows of the smallest (and the class
    weights are not balanced yet)."""
    counts = [int(c) for c in counts or []]
    if len(counts) < 2 or max(counts) == 0 or balanced:
        return None
    big, small = int(np.argmax(counts)), int(np.argmin(counts))
    if counts[small] * IMBALANCE_RATIO > counts[big]:
        return None
    names = [quote(str(labels[i])) if labels and i < len(labels) else f"class {i}" for i in (big, small)]
    return Diagnosis(
        "class_imbalance",
        f"Class imbalance: {names[0]} has {counts[big]} training rows, {names[1]} only {counts[small]}; a "
        "model can score well by mostly ignoring the rare classes.",
        "balance the class weights, and judge the model by recall or F1 per class, not accuracy alone.",
        "balance_classes")


def vanishing_limit(norms: Sequence[float]) -> float | None:
    """The gradient norm below which the first layer's gradient counts as vanishing: ``VANISHING_RATIO``
    times the last weight layer's norm, for 3 or more layers and a positive, finite last norm (else None).
    A layer's norm above ``EXPLODING_NORM``, or not finite, counts as exploding."""
    last = float(norms[-1]) if len(norms) >= 3 and norms[-1] is not None else math.nan
    return VANISHING_RATIO * last if math.isfinite(last) and last > 0 else None


def gradients_and_units(health: Mapping[str, Any]) -> list[Diagnosis]:
    """Dead ReLUs (half a layer's units never active on the sampled training rows), exploding gradients
    (a layer's gradient norm above 1e3, or not finite) and vanishing ones (with 3 or more weight layers,
    the first layer's gradient below 1/1000 of the last one's), from a HealthEnd as a dict."""
    found: list[Diagnosis] = []
    epoch = int(health.get("epoch") or 0)
    relus, dead = list(health.get("relus") or []), [float(v) for v in health.get("dead_shares") or []]
    worst = max(range(len(dead)), key=lambda i: dead[i] if math.isfinite(dead[i]) else -1.0, default=None)
    if worst is not None and dead[worst] >= DEAD_SHARE:
        found.append(Diagnosis(
            "dead_relu",
            f"Dead ReLU units: at epoch {epoch}, {dead[worst]:.0%} of the units of {relus[worst]} are never active on "
            f"{health.get('rows')} training rows, so they output 0 and learn nothing.",
            "use leaky_relu (never completely flat), or lower the learning rate.", "leaky_relu", epoch))
    layers, norms = list(health.get("layers") or []), [float(v) for v in health.get("grad_norms") or []]
    big = [i for i, n in enumerate(norms) if not math.isfinite(n) or n > EXPLODING_NORM]
    if big:
        found.append(Diagnosis(
            "exploding_gradients",
            f"Exploding gradients: at epoch {epoch} the gradient norm of {layers[big[0]]} is {_n(norms[big[0]])}.",
            "clip the gradients (grad_clip 1.0) or lower the learning rate.", "clip_gradients", epoch))
    elif (limit := vanishing_limit(norms)) is not None and math.isfinite(norms[0]) and norms[0] < limit:
        found.append(Diagnosis(
            "vanishing_gradients",
            f"Vanishing gradients: at epoch {epoch} the first layer's gradient norm ({_n(norms[0])}) is "
            f"{norms[-1] / max(norms[0], 1e-30):,.0f} times smaller than the last layer's ({_n(norms[-1])}), so the "
            "layers near the input barely learn.",
            "add batch norm after the dense / convolution blocks, or use ReLU instead of sigmoid or tanh.",
            "add_batchnorm", epoch))
    return found


def diagnose(history: Any, *, baseline: float | None = None, counts: Sequence[int] | None = None,
             labels: Sequence[str] | None = None, task: str = "classification",
             balanced: bool = False, health: Mapping[str, Any] | None = None) -> list[Diagnosis]:
    """Every diagnosis that holds for ``history`` (metrics.csv rows: a DataFrame or a list of dicts).

    Args:
        baseline: :func:`baseline_loss` of the training targets, or None (underfitting is then not judged).
        counts: training rows per class (classification), for the imbalance check.
        balanced: the run already balanced its class weights.
        health: the latest :class:`studio.train.health.HealthEnd` as a dict (gradient norms, dead ReLUs).

    A rising loss (learning rate too high) rules out "too low"; a plateau is reported only when no
    other finding about the curves explains the flat stretch.
    """
    rows = [r for r in _rows(history) if r.get("train_loss") is not None]
    found: list[Diagnosis] = []
    found += [d for d in [imbalance(counts, labels, balanced)] if d is not None]
    found += gradients_and_units(health) if health else []
    if len(rows) < MIN_EPOCHS:
        return found
    epochs, train, val = _column(rows, "epoch"), _column(rows, "train_loss"), _column(rows, "val_loss")
    if not np.isfinite(train).all():
        return found
    what = "predicting the class shares" if task == "classification" else "predicting the mean"
    high = lr_too_high(epochs, train, baseline)
    over = overfitting(epochs, train, val) if high is None else None  # a diverging run says nothing of fit
    under = underfitting(epochs, train, val, baseline, what)
    low = lr_too_low(epochs, train, baseline) if high is None else None
    checks = [over, high, under, low]
    if not any(checks):
        has_val = not np.isnan(val).all()
        checks.append(plateau(epochs, val if has_val else train, "validation loss" if has_val else "training loss"))
    return [d for d in checks if d is not None] + found


def diagnose_run(history: Any, facts: Mapping[str, Any], task: str, class_weights: str = "none") -> list[Diagnosis]:
    """:func:`diagnose` with what a run's summary.json records (``RunSummary.extra``: "baseline_loss",
    "class_counts" as label -> count); older runs without them get the checks that need neither."""
    baseline = facts.get("baseline_loss")
    counts = facts.get("class_counts")
    counts = counts if isinstance(counts, dict) else {}
    health = facts.get("health")
    return diagnose(history, baseline=float(baseline) if isinstance(baseline, int | float) else None,
                    counts=[int(v) for v in counts.values()], labels=[str(k) for k in counts], task=task,
                    balanced=class_weights == "balanced", health=health if isinstance(health, dict) else None)
