"""What the classroom's probes cost training: a 2-8-8-2 network on moons with the live decision boundary
and the health probe against the same run without probes (targets: ratio >= 0.90, and at least 2
boundary redraws a second available to the page).

Both run the Trainer inside a Job, as the app does, on the CPU, with the boundary probe every
``--interval`` seconds (0.3, its default) and the health probe every 1 s. Rounds alternate (bare,
probed, ...) so other load hits both alike; each figure is the median. ``redraws/s`` is the boundary
views the probe emitted per second of training (after epochs and during them): the most the page can
redraw. With ``--page 0.45`` the probed runs also build the figures of every new view every 0.45 s in
this process, as the Train page's fragment does on the server while it draws the boundary (not the
browser's drawing), and ``redraws/s`` counts those. The share of the probed runs' time spent inside
the probes' calls is printed too, and ``cpu ratio``: samples per CPU second of the whole process, probed
over bare (on a busy machine both vary less than the ratio; neither counts the training thread's waits
for the interpreter lock while the page's thread builds figures). The last line is ``ratio: X.XX``
(probed samples/s divided by bare samples/s).

    .venv/bin/python benchmarks/probe_overhead.py [--rows 20000] [--epochs 20] [--rounds 5] [--threads 1]
        [--interval 0.3] [--page 0.45]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from moons_data import moons
from torch import nn

from studio.recipe import Recipe
from studio.train.boundary import BoundaryEnd, BoundaryProbe
from studio.train.health import HealthProbe
from studio.train.job import Job, JobControl
from studio.train.tensors import TensorData
from studio.train.trainer import Trainer


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 2))


class _Looks:
    """Counts the boundary views a run emits."""

    stop_reason = None

    def __init__(self) -> None:
        self.n = 0

    def on_event(self, event: object) -> None:
        self.n += isinstance(event, BoundaryEnd) and not event.final


class _Timed:
    """A probe whose every call is timed; the seconds add up in ``spent[0]``."""

    def __init__(self, probe: object, spent: list[float]) -> None:
        self.probe, self.spent = probe, spent

    def __getattr__(self, name: str) -> object:
        attr = getattr(self.probe, name)  # AttributeError for a hook the probe lacks, as the Trainer expects
        if not callable(attr):
            return attr

        def timed(*args: object) -> object:
            t = time.perf_counter()
            try:
                return attr(*args)
            finally:
                self.spent[0] += time.perf_counter() - t

        return timed


def _run(data: TensorData, epochs: int, threads: int, probed: bool, interval: float,
         poll: float = 0.0) -> tuple[float, float, float, float, float]:
    """(training samples/s, boundary views/s: emitted, or drawn when ``poll``, share of the time in probes,
    CPU seconds per redraw, samples per CPU second of the process)."""
    recipe = Recipe.from_dict({"optimizer": {"kind": "adam", "lr": 0.01}, "regularization": {"early_stopping": None},
                               "training": {"epochs": epochs, "batch_size": 32, "device": "cpu",
                                            "threads": threads}})
    spent, page_spent, cpu = [0.0], [0.0], [0.0]
    probes = [_Timed(BoundaryProbe(interval=interval), spent), _Timed(HealthProbe(), spent)] if probed else []
    looks = _Looks()

    def target(control: JobControl) -> tuple[float, float, float]:
        trainer = Trainer(_net(), data, recipe, "classification", 2, callbacks=[control, looks], control=control,
                          probes=probes)
        t0, c0 = time.perf_counter(), time.process_time()
        trainer.fit()
        seconds, cpu[0] = time.perf_counter() - t0, time.process_time() - c0  # cpu: every thread, the page's too
        return data.n_train * epochs / seconds, looks.n / seconds, spent[0] / seconds

    job = Job(target)
    job.start()
    drawn = _page(job, poll, page_spent) if poll else 0
    job.wait()
    speed, looks_per_s, share = job.result
    seconds = data.n_train * epochs / speed
    return (speed, (drawn / seconds if poll else looks_per_s), share, page_spent[0] / max(drawn, 1),
            data.n_train * epochs / cpu[0])


def _page(job: Job, poll: float, spent: list[float]) -> int:
    """What the Train page's fragment does on the server, every ``poll`` seconds until the job ends: take
    a snapshot and, when it holds a new boundary, build both figures and their JSON as ``st.plotly_chart``
    does (a dict copy, then ``plotly.io.to_json``). Returns the redraws; their CPU seconds add up in ``spent[0]``."""
    import plotly.io
    import plotly.tools

    from components import figures

    drawn, last, tick = 0, None, time.perf_counter()
    while not job.wait(timeout=max(0.0, tick - time.perf_counter())):
        tick += poll
        b = job.snapshot(since=1 << 30).latest.get("boundary")
        if b is not None and b is not last:
            t = time.thread_time()  # this thread's CPU: waiting for the interpreter lock is not the redraw's cost
            for fig in (figures.decision_boundary(b), figures.hidden_units(b)):
                plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(fig, True), validate=False)
            spent[0] += time.thread_time() - t
            drawn, last = drawn + 1, b
    return drawn


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=20_000)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--interval", type=float, default=0.3, help="seconds between two boundary views")
    p.add_argument("--page", type=float, default=0.0, metavar="POLL",
                   help="also redraw the figures every POLL seconds in this process, as the Train page's "
                        "fragment does on the server (0.45 is its poll while it draws the boundary); the browser's "
                        "own drawing is not included")
    args = p.parse_args()
    data = moons(args.rows)
    _run(data, 1, args.threads, True, args.interval, args.page)  # warm up: imports, the first builds
    bare, probed, redraws, shares, per_redraw, bare_cpu, probed_cpu = [], [], [], [], [], [], []
    for _ in range(args.rounds):
        speed, *_, per_cpu = _run(data, args.epochs, args.threads, False, args.interval)
        bare.append(speed)
        bare_cpu.append(per_cpu)
        speed, looks, share, redraw, per_cpu = _run(data, args.epochs, args.threads, True, args.interval, args.page)
        per_redraw.append(redraw)
        probed_cpu.append(per_cpu)
        probed.append(speed)
        redraws.append(looks)
        shares.append(share)
    b, pr = statistics.median(bare), statistics.median(probed)
    print(f"bare: {b:,.0f} samples/s; with boundary (every {args.interval} s) and health probes: {pr:,.0f} samples/s")
    what = f"figures drawn every {args.page} s" if args.page else "boundary views emitted per second of training"
    print(f"redraws/s: {statistics.median(redraws):.2f} ({what})")
    if args.page:
        print(f"server CPU per redraw (both figures and their JSON): {statistics.median(per_redraw) * 1000:.0f} ms")
    print(f"time in the probes' calls: {statistics.median(shares):.1%} of the probed runs' training time "
          "(less noisy than the ratio on a busy machine)")
    print(f"cpu ratio: {statistics.median(probed_cpu) / statistics.median(bare_cpu):.2f} (samples per CPU second of "
          "the process, probed / bare: the work the probes and redraws add, whatever else loads the machine; "
          "not the waits for the interpreter lock)")
    print(f"ratio: {pr / b:.2f}")


if __name__ == "__main__":
    main()
