"""Latency and throughput of a run's model in every runtime, measured side by side.

Protocol (docs/notes: onnx §4/§7.4): all runtimes in one process, a warm-up per runtime, then
interleaved rounds of ~25 ms each so that bursts of host noise hit every runtime alike. Torch runs
the inference module in ``inference_mode`` with 2 threads, conversion from/to numpy included;
onnxruntime runs ``session.run`` on the same rows. Both start from the encoded/raw arrays, so
pandas work is outside the timing for all of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from studio.atomic import write_text_atomic
from studio.errors import ExportError
from studio.export.parity import test_rows, torch_inputs
from studio.export.predict import encode_inputs, read_schema
from studio.export.session import make_session
from studio.runs import RunDir

BATCHES = (1, 256)
BENCH_FILE = RunDir.BENCH
TORCH = "torch eager"


def _time(fns: dict[str, Callable[[], object]], rounds: int, budget_s: float) -> dict[str, np.ndarray]:
    """Per-call times in µs for each fn, interleaved over ``rounds``."""
    samples: dict[str, list[float]] = {k: [] for k in fns}
    for f in fns.values():
        for _ in range(5):
            f()
    for _ in range(rounds):
        for k, f in fns.items():
            end, n = time.perf_counter() + budget_s, 0
            while n < 3 or time.perf_counter() < end:
                t0 = time.perf_counter_ns()
                f()
                samples[k].append((time.perf_counter_ns() - t0) / 1e3)
                n += 1
    return {k: np.asarray(v) for k, v in samples.items()}


def _runtimes(run_dir: Path) -> dict[str, object]:
    model = run_dir / RunDir.ONNX
    if not model.is_file():
        raise ExportError(f"run {run_dir.name!r} has no model.onnx; export it first with `studio export`.")
    # the sessions the studio serves with; their worker threads spin at most 1 ms after a call
    # (session.SPIN_US), so they do not steal torch's cores in the next timing round
    out = {"onnxruntime (no optimization)": make_session(model, level="none"),
           "onnxruntime (optimized)": make_session(model, level="all")}
    if (run_dir / RunDir.ONNX_INT8).is_file():
        out["onnxruntime int8"] = make_session(run_dir / RunDir.ONNX_INT8, level="all")
    return out


def benchmark_run(run_dir: str | Path | RunDir, rounds: int = 15, budget_s: float = 0.025) -> pd.DataFrame:
    """Latency p50/p95 (µs) and samples/s at batch 1 and 256 per runtime; also written to bench.csv.

    ``speedup_vs_torch`` is torch eager's p50 divided by the runtime's p50 (above 1 = faster).
    """
    from studio.runs import load_run

    return benchmark_loaded(load_run(run_dir), rounds, budget_s)


def benchmark_loaded(run: Any, rounds: int = 15, budget_s: float = 0.025) -> pd.DataFrame:
    """:func:`benchmark_run` for a run already loaded."""
    sessions = _runtimes(run.path)
    test = test_rows(run)
    schema = read_schema(next(iter(sessions.values())))  # type: ignore[arg-type]
    module = run.inference_module()
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    rows = []
    try:
        for batch in BATCHES:
            rows_b = test.take(np.arange(batch) % len(test))
            xs = [torch.from_numpy(np.ascontiguousarray(x)) for x in torch_inputs(run, rows_b)]
            feeds, _ = encode_inputs(schema, rows_b.frame, images=rows_b.images)

            def torch_fn(xs: list[torch.Tensor] = xs) -> object:
                with torch.inference_mode():
                    return module(*xs).numpy()

            fns: dict[str, Callable[[], object]] = {TORCH: torch_fn}
            # the output named, as the card's example does: run(None, ...) asks the session for its
            # output list on every call, ~2 µs of a ~12 µs call at batch 1
            for name, s in sessions.items():
                fns[name] = lambda s=s, feeds=feeds, out=[schema.output]: s.run(out, feeds)  # type: ignore[attr-defined]
            times = _time(fns, rounds, budget_s)
            base = float(np.median(times[TORCH]))
            for name, t in times.items():
                p50 = float(np.median(t))
                rows.append({"runtime": name, "batch": batch, "p50_us": round(p50, 2),
                             "p95_us": round(float(np.percentile(t, 95)), 2),
                             "samples_per_s": round(batch / p50 * 1e6, 1),
                             "speedup_vs_torch": round(base / p50, 2), "calls": len(t)})
    finally:
        torch.set_num_threads(threads)
    table = pd.DataFrame(rows)
    write_text_atomic(run.path / BENCH_FILE, table.to_csv(index=False))
    return table
