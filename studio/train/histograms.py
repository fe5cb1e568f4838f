"""Histograms of every weight layer over epochs: its weights, its gradients and its activations.

:class:`HistogramProbe` is a Trainer probe (see :class:`studio.train.boundary.BoundaryProbe`). A *layer*
is a weight tensor of two or more dimensions, numbered from the input side as
:class:`studio.train.health.HealthProbe` numbers them ("layer 1", ...), so the gradient norms here are the
ones the diagnoses read. After an epoch, and always after the recipe's last epoch, a reading takes for each
layer:

* a histogram of its weights (every value);
* a histogram of its gradients, those of the epoch's last batch (still held after its optimizer step),
  and their norm (as HealthProbe measures it);
* a histogram of its activations: the output of the module that owns the weights, on a fixed sample of
  ``SAMPLE_ROWS`` training rows, in eval mode and without gradients (at most ``MAX_ACTIVATIONS`` values
  per layer, evenly strided, for large convolution outputs).

**Bins.** Each histogram has ``BINS`` equal bins between the smallest and the largest finite value of
that tensor at that reading (its own ``lo`` and ``hi``; the largest value falls in the last bin), plus a
count of the values that are not finite. Nothing is clipped when weights grow, and nothing is lost; the
readings of one layer are put on one scale when drawn (:func:`studio.train.distributions.distribution`
spreads each bin's count evenly over its width onto a grid that spans every reading's range).

**Cost.** All the work stays on the model's device, with one host transfer per reading. Readings are
at least ``interval`` seconds apart, and when a reading costs ``t`` seconds (the mean of the readings but
the first, which pays one-off set-up costs) the next comes no sooner than ``t / budget`` seconds later, so
the probe takes about ``budget`` (2%) of the training time. At most
``MAX_READINGS`` readings are kept: beyond that every second one of the older ones goes (the first and
the latest always stay).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import nn

from studio.train.events import Event
from studio.train.tensors import hooked_forward, sample_rows

BINS = 30
SAMPLE_ROWS = 256
MAX_ACTIVATIONS = 1 << 18  # values of one layer's output histogrammed, evenly strided
MAX_READINGS = 50
GROUP_VALUES = 1 << 14  # tensors up to this size are histogrammed together, GROUP_TENSORS at a time
GROUP_TENSORS = 64
KINDS = ("weights", "gradients", "activations")
FORMAT = 1  # histograms.json's "format"

log = logging.getLogger(__name__)


def histogram(x: torch.Tensor, bins: int = BINS) -> tuple[torch.Tensor, torch.Tensor]:
    """``(bounds, counts)`` of the values of ``x``, computed on its device without a host sync.

    bounds: float32 ``[lo, hi]``, the smallest and largest finite value; when they are equal the range is
    widened by a millionth of the value (at least 1e-12) each way so the values sit in the middle bin;
    ``[inf, -inf]`` when no value is finite. counts: int64 ``(bins + 1,)``, the values in each of ``bins``
    equal bins from lo to hi (hi in the last), then the number of values that are NaN or infinite.
    """
    bounds, counts = histograms([x], bins)
    return bounds[0], counts[0]


def histograms(tensors: list[torch.Tensor], bins: int = BINS) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`histogram` of each tensor (all on one device): bounds ``(k, 2)``, counts ``(k, bins + 1)``.

    Small tensors are histogrammed together (a handful of ops for a whole network, not a dozen per
    tensor); larger ones one by one.
    """
    small = [i for i, t in enumerate(tensors) if t.numel() <= GROUP_VALUES]
    parts = {i: _single(t, bins) for i, t in enumerate(tensors) if t.numel() > GROUP_VALUES}
    for start in range(0, len(small), GROUP_TENSORS):
        chunk = small[start:start + GROUP_TENSORS]
        bounds, counts = _grouped([tensors[i] for i in chunk], bins)
        parts.update({i: (bounds[j], counts[j]) for j, i in enumerate(chunk)})
    return (torch.stack([parts[i][0] for i in range(len(tensors))]),
            torch.stack([parts[i][1] for i in range(len(tensors))]))


def _single(x: torch.Tensor, bins: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One large tensor: aminmax and a bincount, which on a CPU beat the grouped scatter reductions."""
    v = x.detach().reshape(-1).float()
    finite = torch.isfinite(v)
    lo = torch.where(finite, v, torch.inf).amin()
    hi = torch.where(finite, v, -torch.inf).amax()
    lo, hi, width = _widened(lo, hi)
    pos = torch.where(finite, (v - lo) / width * bins, 0.0)
    idx = torch.where(finite, pos.floor().clamp(0, bins - 1).long(), bins)
    if idx.device.type == "cpu":
        counts = torch.bincount(idx, minlength=bins + 1)
    else:  # bincount reads its size back from the device: scatter_add_ does not
        counts = torch.zeros(bins + 1, dtype=torch.long, device=idx.device).scatter_add_(0, idx, torch.ones_like(idx))
    return torch.stack([lo, hi]), counts


def _widened(lo: torch.Tensor, hi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A range of one value is widened by a millionth of it (at least 1e-12) each way; none stays [inf, -inf]."""
    pad = torch.where(hi > lo, 0.0, (lo.abs() * 1e-6).clamp(min=1e-12))
    pad = torch.where(torch.isfinite(lo), pad, 0.0)
    lo, hi = lo - pad, hi + pad
    return lo, hi, torch.where(hi > lo, hi - lo, 1.0)


def _grouped(tensors: list[torch.Tensor], bins: int) -> tuple[torch.Tensor, torch.Tensor]:
    device, k = tensors[0].device, len(tensors)
    v = torch.cat([t.detach().reshape(-1).float() for t in tensors])  # (N,)
    sizes = torch.tensor([t.numel() for t in tensors], device=device)
    seg = torch.repeat_interleave(torch.arange(k, device=device), sizes, output_size=v.numel())  # (N,) tensor of each
    finite = torch.isfinite(v)
    lo = torch.full((k,), torch.inf, device=device).scatter_reduce(0, seg, torch.where(finite, v, torch.inf), "amin")
    hi = torch.full((k,), -torch.inf, device=device).scatter_reduce(0, seg, torch.where(finite, v, -torch.inf),
                                                                   "amax")
    lo, hi, width = _widened(lo, hi)
    pos = torch.where(finite, (v - lo[seg]) / width[seg] * bins, 0.0)
    idx = torch.where(finite, pos.floor().clamp(0, bins - 1).long(), bins)  # the extra bin: not finite
    idx += seg * (bins + 1)  # each tensor's own bins
    counts = torch.zeros(k * (bins + 1), dtype=torch.long, device=device).scatter_add_(0, idx, torch.ones_like(idx))
    return torch.stack([lo, hi], 1), counts.reshape(k, bins + 1)


@dataclass(frozen=True)
class HistogramsEnd(Event):
    """Every reading so far (oldest first) of the layers ``layers`` (state-dict ``params``, the owning
    ``modules``' class names, ``shapes``); ``rows``: rows in the activation sample. A reading is a dict
    made once and never changed: ``{"epoch", "final" (taken after training, with the weights the run
    keeps), "grad_norms": [float | None per layer], "weights" | "gradients" | "activations": {"lo": [...],
    "hi": [...], "counts": [[BINS ints] | None, ...], "nonfinite": [...]}}`` (None: no gradient or no
    output; lo/hi None: no finite value)."""

    name: ClassVar[str] = "histograms"
    bins: int
    layers: tuple[str, ...]
    params: tuple[str, ...]
    modules: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    rows: int
    readings: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """Shallow: the readings are shared, never changed, and can be large (no deep copy per event)."""
        return {"event": self.name, **as_dict(self)}


def as_dict(event: HistogramsEnd) -> dict[str, Any]:
    """Plain data for histograms.json (lists, not tuples; the readings as they are)."""
    return {"format": FORMAT, "bins": event.bins, "layers": list(event.layers), "params": list(event.params),
            "modules": list(event.modules), "shapes": [list(s) for s in event.shapes], "rows": event.rows,
            "readings": list(event.readings)}


class HistogramProbe:
    """Histograms of every weight layer after epochs; see the module's doc.

    Args:
        epochs: the recipe's epochs: that epoch is always read (None: only the time rule and the end).
        interval: least seconds between two readings.
        budget: the share of the time the probe may take (after a reading of t seconds, none for t / budget).
    """

    tasks = ("classification", "regression")  # the Trainer starts it for either
    inputs = "all"  # and for a network of several inputs (x is then the tuple of their tensors)

    def __init__(self, epochs: int | None = None, bins: int = BINS, interval: float = 0.05,
                 budget: float = 0.02) -> None:
        self.epochs, self.bins, self.interval, self.budget = epochs, bins, interval, budget
        self._next = -math.inf
        self._spent, self._timed = 0.0, 0  # seconds taken by the readings but the first, and how many
        self.model: nn.Module | None = None
        self.readings: list[dict[str, Any]] = []
        self.latest: HistogramsEnd | None = None

    def start(self, model: nn.Module, x: torch.Tensor, y: Any, x_val: Any, y_val: Any, classes: int) -> bool:
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad and p.ndim >= 2]
        if not named:
            return False
        self.model = model
        self.sample = sample_rows(x, SAMPLE_ROWS)
        self.params = [p for _, p in named]
        self.names = tuple(n for n, _ in named)
        owners = [model.get_submodule(n.rpartition(".")[0]) for n in self.names]
        self.owners = owners
        self.header = dict(bins=self.bins, layers=tuple(f"layer {i + 1}" for i in range(len(named))),
                           params=self.names, modules=tuple(type(m).__name__ for m in owners),
                           shapes=tuple(tuple(p.shape) for p in self.params), rows=len(self.sample[0]))
        return True

    def after_epoch(self, epoch: int, final: bool = False) -> HistogramsEnd | None:
        """Every reading so far when this epoch is read (see the module's doc), else None."""
        if self.model is None:
            return None
        now = time.perf_counter()
        if final:
            if self.readings and self.readings[-1]["epoch"] == epoch:
                return None  # that epoch's own weights are read already
        elif now < self._next and epoch != self.epochs:
            return None
        try:
            reading = self._read(epoch, final)
        except Exception:  # a picture of training must never fail the training
            log.exception("histograms could not be read; the run goes on without them")
            self.model = None
            return None
        if self.readings:  # the first reading pays one-off set-up costs: it says nothing of the next ones
            self._spent, self._timed = self._spent + time.perf_counter() - now, self._timed + 1
        cost = self._spent / self._timed if self._timed else 0.0  # the mean reading but the first
        self._next = now + max(self.interval, cost / self.budget)
        self.readings.append(reading)
        if len(self.readings) > MAX_READINGS:
            kept = self.readings[::2]
            self.readings = kept if kept[-1] is self.readings[-1] else [*kept, self.readings[-1]]
        self.latest = HistogramsEnd(**self.header, readings=tuple(self.readings))
        return self.latest

    @torch.no_grad()
    def _read(self, epoch: int, final: bool) -> dict[str, Any]:
        grads = [p.grad for p in self.params]
        acts = self._activations()
        tensors = {"weights": list(self.params), "gradients": grads, "activations": acts}
        present = [t for kind in KINDS for t in tensors[kind] if t is not None]
        bounds_t, counts_t = histograms(present, self.bins)
        norms = [g.detach().float().norm() for g in grads if g is not None]
        flat = torch.cat([bounds_t.double().reshape(-1), counts_t.double().reshape(-1),
                          torch.stack(norms).double() if norms else bounds_t.new_zeros(0, dtype=torch.float64)])
        values = flat.cpu().tolist()  # the one host transfer of a reading
        n = len(present)
        bounds = iter(zip(values[0:2 * n:2], values[1:2 * n:2], strict=True))
        width = self.bins + 1
        counts = iter(values[2 * n + i * width:2 * n + (i + 1) * width] for i in range(n))
        read_norms = iter(values[2 * n + n * width:])
        reading: dict[str, Any] = {"epoch": epoch, "final": final,
                                   "grad_norms": [next(read_norms) if g is not None else None for g in grads]}
        for kind in KINDS:
            lo, hi, cs, bad = [], [], [], []
            for t in tensors[kind]:
                low, high = next(bounds) if t is not None else (math.nan, math.nan)
                c = next(counts) if t is not None else None
                lo.append(low if math.isfinite(low) else None)
                hi.append(high if math.isfinite(high) else None)
                cs.append([int(v) for v in c[:-1]] if c is not None else None)
                bad.append(int(c[-1]) if c is not None else 0)
            reading[kind] = {"lo": lo, "hi": hi, "counts": cs, "nonfinite": bad}
        return reading

    def _activations(self) -> list[torch.Tensor | None]:
        """Each layer's owning module's output on the sample (flattened, strided to MAX_ACTIVATIONS)."""
        assert self.model is not None
        seen: dict[int, list[torch.Tensor]] = {}
        unique = {id(m): m for m in self.owners}

        def record(module: nn.Module, args: Any, out: Any) -> None:
            t = _first_tensor(out)
            if t is None or not t.is_floating_point():
                return
            flat = t.detach().reshape(-1)
            step = math.ceil(flat.numel() / MAX_ACTIVATIONS)
            seen.setdefault(id(module), []).append(flat[::step].clone() if step > 1 else flat)

        hooked_forward(self.model, self.sample, [(m, record) for m in unique.values()])
        out: dict[int, torch.Tensor] = {}
        for key, parts in seen.items():
            flat = torch.cat(parts) if len(parts) > 1 else parts[0]
            step = math.ceil(flat.numel() / MAX_ACTIVATIONS)
            out[key] = flat[::step] if step > 1 else flat
        return [out.get(id(m)) for m in self.owners]


def _first_tensor(out: Any) -> torch.Tensor | None:
    """A module's output tensor (an LSTM or attention module returns a tuple: its first tensor)."""
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, tuple | list):
        return next((o for o in out if isinstance(o, torch.Tensor)), None)
    return None
