"""ONNX export that carries its preprocessing, proves itself, and runs fast in onnxruntime.

Public API (imported lazily, so ``studio.export.predict`` can be used without torch installed):

- ``export_run(run_dir, quantize=None, opset=20) -> ExportReport``: model.onnx (+ model.int8.onnx),
  model_card.json and export.json in the run directory, after a parity proof on test.csv.
- ``check_parity(model_path, run, frame=None) -> ParityReport``
- ``make_session(path, threads=None, level="all", spin_us=1000) -> onnxruntime.InferenceSession``
- ``benchmark_run(run_dir) -> DataFrame`` (also bench.csv)
- ``predict_csv(model_path, csv_path) -> DataFrame``; ``predict_frame(session, frame) -> DataFrame``
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "export_run": "studio.export.exporter",
    "ExportReport": "studio.export.exporter",
    "check_parity": "studio.export.parity",
    "ParityReport": "studio.export.parity",
    "make_session": "studio.export.session",
    "benchmark_run": "studio.export.bench",
    "predict_csv": "studio.export.predict",
    "predict_frame": "studio.export.predict",
    "read_schema": "studio.export.predict",
    "ModelSchema": "studio.export.schema",
}

__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'studio.export' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
