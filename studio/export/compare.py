"""Models side by side: test metric, parameters, ONNX file size and onnxruntime latency.

For a distilled student against its teacher, a pruned run against its source, or any runs of the
same data: each run is exported when it has no model.onnx yet, then timed in the same process,
interleaved (the protocol of :mod:`studio.export.bench`), on its own test rows at batch 1 and 256.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from studio.export.bench import BATCHES, _time
from studio.export.parity import test_rows
from studio.export.predict import encode_inputs, read_schema
from studio.export.session import make_session
from studio.runs import RunDir, load_run


def compare_runs(runs: Sequence[tuple[str, str | Path]], rounds: int = 7, budget_s: float = 0.02) -> pd.DataFrame:
    """One row per (label, run directory): metric, parameters, size and latency p50 (µs) per batch size."""
    from studio.export import export_run

    loaded = []
    for label, path in runs:
        run = RunDir.open(path)
        if not run.has(RunDir.ONNX):
            export_run(run)
        loaded.append((label, run, load_run(run)))
    rows = {label: {"variant": label, "run": run.id} for label, run, _ in loaded}
    for label, run, lr in loaded:
        summary = run.summary()
        rows[label].update({"metric": summary.primary_metric, "test metric": summary.value,
                            "parameters": sum(int(p.numel()) for p in lr.model.parameters()),
                            "size KB": round((run.path / RunDir.ONNX).stat().st_size / 1024, 1)})
    for batch in BATCHES:
        fns: dict[str, Callable[[], object]] = {}
        for label, run, lr in loaded:
            session = make_session(run.path / RunDir.ONNX, level="all")
            schema = read_schema(session)
            test = test_rows(lr)
            sample = test.take(np.arange(batch) % len(test))
            feeds, _ = encode_inputs(schema, sample.frame, images=sample.images)
            fns[label] = lambda s=session, f=feeds, out=[schema.output]: s.run(out, f)
        times = _time(fns, rounds, budget_s)
        for label, t in times.items():
            rows[label][f"latency µs (batch {batch})"] = round(float(np.median(t)), 1)
    return pd.DataFrame(list(rows.values()))


def format_table(table: pd.DataFrame) -> list[str]:
    """The comparison as aligned text lines (the CLI's)."""
    text = table.to_string(index=False, float_format=lambda v: f"{v:.4g}")
    return text.splitlines()
