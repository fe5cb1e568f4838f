"""onnxruntime sessions tuned for this machine (imports no torch).

Optimisation happens online at session creation (0.5-1.6 ms for our models): a graph saved at
level ALL holds hardware-specific NCHWc nodes, so we never ship one.
"""

from __future__ import annotations

import os
from pathlib import Path

import onnxruntime as ort

from studio.errors import ExportError, quote

PATH_LIMIT = 120  # characters of a path repeated in a message: enough for its file name at the end

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


SPIN_US = 1000
"""How long an idle worker thread busy-waits for the next call before it sleeps, in µs.

onnxruntime's default spin lasts tens of milliseconds: measured here, it doubled torch's time in a
side-by-side benchmark and would take a core from training in the app. Not spinning at all costs
a thread wake-up on every parallel call (digits-cnn batch 256: 1.6-2.3 ms instead of 1.3-1.5 ms).
One millisecond keeps back-to-back calls fast and gives the core back almost at once.
"""


def make_session(path: str | Path, threads: int | None = None, level: str = "all",
                 spin_us: int = SPIN_US) -> ort.InferenceSession:
    """A CPU session: optimisation ``level`` ("all" by default), intra-op threads = physical cores,
    inter-op 1 (our graphs are chains, parallel branches gain nothing), workers spinning at most
    ``spin_us`` µs between calls (0: never).
    """
    p = Path(path)
    if p.is_dir():
        raise ExportError(f"{quote(str(p), PATH_LIMIT)} is a folder, not an ONNX file; "
                          "give the model.onnx inside a run folder.")
    if not p.is_file():
        raise ExportError(f"ONNX file {quote(str(p), PATH_LIMIT)} does not exist; "
                          "export the run first with `studio export`.")
    so = ort.SessionOptions()
    so.graph_optimization_level = LEVELS[level]
    so.intra_op_num_threads = threads or physical_cores()
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    so.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin_us > 0 else "0")
    if spin_us > 0:
        so.add_session_config_entry("session.intra_op.spin_duration_us", str(int(spin_us)))
    try:
        return ort.InferenceSession(str(p), so, providers=["CPUExecutionProvider"])
    except Exception as err:  # ORT raises its own Fail/InvalidGraph types
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        first = first.split(" failed:", 1)[-1].strip()  # drop "[ONNXRuntimeError] : 7 : ... Load model from <path>"
        raise ExportError(f"onnxruntime cannot load {quote(p.name)} ({first[:150]}); it is not a complete ONNX "
                          "model: export the run again.") from None
