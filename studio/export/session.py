"""onnxruntime sessions tuned for this machine (imports no torch).

Optimisation happens online at session creation (0.5-1.6 ms for our models): a graph saved at
level ALL holds hardware-specific NCHWc nodes, so we never ship one.
"""

from __future__ import annotations

import os
from pathlib import Path

import onnxruntime as ort

from studio.errors import ExportError

LEVELS = {
    "none": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}


def physical_cores() -> int:
    """Physical cores (ORT's own default), read from sysfs; falls back to the logical count."""
    cores = set()
    for topo in Path("/sys/devices/system/cpu").glob("cpu[0-9]*/topology"):
        try:
            cores.add(((topo / "physical_package_id").read_text(), (topo / "core_id").read_text()))
        except OSError:
            continue
    return len(cores) or os.cpu_count() or 1


def make_session(path: str | Path, threads: int | None = None, level: str = "all",
                 spin: bool = True) -> ort.InferenceSession:
    """A CPU session: optimisation ``level`` ("all" by default), intra-op threads = physical cores,
    inter-op 1 (our graphs are chains, parallel branches gain nothing).

    ``spin=False`` stops idle worker threads from busy-waiting after a call: on a small shared
    machine (or next to torch in a benchmark) spinning threads steal the cores others need.
    """
    p = Path(path)
    if not p.is_file():
        raise ExportError(f"ONNX file {str(p)!r} does not exist; export the run first with `studio export`.")
    so = ort.SessionOptions()
    so.graph_optimization_level = LEVELS[level]
    so.intra_op_num_threads = threads or physical_cores()
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    if not spin:
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(p), so, providers=["CPUExecutionProvider"])
    except Exception as err:  # ORT raises its own Fail/InvalidGraph types
        raise ExportError(f"onnxruntime cannot load {p.name!r} ({str(err).splitlines()[0][:200]}); "
                          "export the run again.") from err
