"""TensorBoard's smoothing of a noisy curve: a debiased exponential moving average.

The slider of TensorBoard's scalar dashboard (weight 0..0.99) computes, for each point,
``last = last * w + (1 - w) * y`` starting from ``last = 0``, divided by ``1 - w**n`` (n = finite
points so far), so the first points are not pulled towards 0. Non-finite values are shown as they
are and skipped, and a constant curve is left as it is (TensorBoard's ``resmoothDataset``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def smooth(values: Sequence[float], weight: float) -> list[float]:
    """The smoothed curve of ``values`` with ``weight`` in [0, 1) (0 leaves it as it is)."""
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    ys = [float(v) for v in values]
    if all(y == ys[0] for y in ys):
        return ys
    out: list[float] = []
    last, n = 0.0, 0
    for y in ys:
        if not math.isfinite(y):
            out.append(y)
            continue
        last = last * weight + (1.0 - weight) * y
        n += 1
        out.append(last / (1.0 - weight**n))
    return out


MAX_POINTS = 4000  # a per-batch curve longer than this is drawn as means of consecutive batches


def batch_curve(epochs: Sequence[Sequence[float]], recent: Sequence[tuple[int, float]] = (),
                limit: int = MAX_POINTS) -> tuple[list[int], list[float]]:
    """The per-batch training loss of a run so far, as ``(steps, losses)``.

    Args:
        epochs: each finished epoch's batch losses in order (``EpochEnd.batch_losses``); steps count
            batches from 1 across epochs.
        recent: ``(step, loss)`` of the batch events of the epoch still running (each loss is the mean
            of the batches since the previous event); those at or before the last finished step are dropped.
        limit: more points than this are averaged in equal runs of consecutive batches (x: a run's last step).
    """
    steps: list[int] = []
    losses: list[float] = []
    for batch_losses in epochs:
        start = len(steps)
        steps.extend(range(start + 1, start + len(batch_losses) + 1))
        losses.extend(float(v) for v in batch_losses)
    done = len(steps)
    for step, loss in recent:
        if step > done:
            steps.append(int(step))
            losses.append(float(loss))
    if len(steps) <= limit:
        return steps, losses
    size = math.ceil(len(steps) / limit)
    runs = range(0, len(steps), size)
    return ([steps[min(i + size, len(steps)) - 1] for i in runs],
            [math.fsum(losses[i:i + size]) / len(losses[i:i + size]) for i in runs])
