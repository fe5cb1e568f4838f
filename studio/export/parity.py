"""Proof that the exported file computes what torch computes, on the run's own test rows.

The ONNX side is fed the *raw* test rows through :mod:`studio.export.predict` (the path a user
takes), the torch side the same rows through ``Preprocessor.encode`` and the inference module, so
the in-graph one-hot, imputation and scaling are all covered by the comparison.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from studio.errors import ExportError
from studio.export.predict import encode_inputs, read_schema
from studio.export.session import make_session

PROBA_ATOL = 1e-4  # probabilities live in [0, 1]; float32 reorderings stay far below this
RTOL = 1e-4


@dataclass
class ParityReport:
    """Torch vs onnxruntime on the same rows; ``passed`` is False when outputs differ beyond tolerance."""

    rows: int
    max_abs_diff: float
    atol: float
    rtol: float
    label_agreement: float | None
    metrics_onnx: dict[str, float]
    metrics_torch: dict[str, float]
    passed: bool
    batch_sizes: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Rows:
    """Raw rows of a run (its test.csv) with the pictures of their image columns, kept aligned.

    ``images``: image column -> uint8 (n, C, H, W) as training decoded them (the files named in the
    rows may be gone; ``test_images.npz`` of the run keeps them).
    """

    frame: pd.DataFrame
    images: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)

    def take(self, positions: Any) -> Rows:
        idx = np.asarray(positions, dtype=np.int64)
        return Rows(self.frame.iloc[idx], {k: v[idx] for k, v in self.images.items()})

    def head(self, n: int) -> Rows:
        return self.take(np.arange(min(n, len(self))))


def test_rows(run: Any) -> Rows:
    """The run's test rows and pictures; a series run's test windows (one row per window, with its
    targets, the raw windows in ``images`` under the series input's name)."""
    images = run.test_images() if hasattr(run, "test_images") else {}
    series = getattr(run, "series", None)
    if series is not None:
        from studio.data.series_rows import sample_frame

        frame, windows = sample_frame(run.test_frame(), series)
        name = next(i.name for i in run.inputs if i.kind == "series")
        return Rows(frame, {name: windows})
    return Rows(run.test_frame(), images)


def torch_inputs(run: Any, rows: Rows) -> list[np.ndarray]:
    """What the run's inference module takes for ``rows`` (a table's encoded columns, NHWC pixels)."""
    if hasattr(run, "raw_inputs"):
        return run.raw_inputs(rows.frame, rows.images)
    return [np.ascontiguousarray(run.preprocessor.encode(rows.frame), dtype=np.float32)]


def torch_outputs(run: Any, rows: Rows | pd.DataFrame) -> np.ndarray:
    """The inference module on the raw rows: probabilities (B, K) or values (B, 1)."""
    rows = rows if isinstance(rows, Rows) else Rows(rows)
    xs = [torch.from_numpy(np.ascontiguousarray(x)) for x in torch_inputs(run, rows)]
    with torch.inference_mode():
        return run.inference_module()(*xs).numpy()


def onnx_outputs(session: Any, rows: Rows | pd.DataFrame) -> np.ndarray:
    rows = rows if isinstance(rows, Rows) else Rows(rows)
    schema = read_schema(session)
    feeds, _ = encode_inputs(schema, rows.frame, images=rows.images)
    return session.run([schema.output], feeds)[0]


def true_targets(meta: dict[str, Any], frame: pd.DataFrame) -> np.ndarray:
    series = meta.get("series")
    if series and series["task"] == "forecast":  # one column per step ahead (studio.data.series_rows)
        from studio.data.series import SeriesInfo

        return frame[SeriesInfo.from_dict(series).target_names()].to_numpy(dtype=np.float64)
    col = frame[meta["target"]]
    if meta["task"] == "classification":
        codes = pd.Categorical(col.astype(str), categories=meta["class_labels"]).codes
        return np.asarray(codes, dtype=np.int64)
    return col.to_numpy(dtype=np.float64)


def metrics_of(meta: dict[str, Any], y_true: np.ndarray, out: np.ndarray) -> dict[str, float]:
    """Scalar test metrics through the training piece's own functions, so they compare with
    summary.json (curves, per-class tables and confusion matrices are left to the run)."""
    from studio.train.metrics import classification_metrics, regression_metrics

    if meta["task"] == "classification":
        found = classification_metrics(y_true, out, meta["class_labels"])
    else:
        found = regression_metrics(y_true, out[:, 0] if out.shape[1] == 1 else out)
    return scalars(found)


def scalars(metrics: dict[str, Any] | None) -> dict[str, float]:
    return {k: v for k, v in (metrics or {}).items() if isinstance(v, int | float) or v is None}


def check_parity(model_path: str | Path, run: Any, rows: Rows | pd.DataFrame | None = None,
                 raise_on_fail: bool = True) -> ParityReport:
    """Run ``model_path`` in onnxruntime beside the torch inference module of ``run`` on ``rows``
    (default: the run's test rows and pictures), at the full batch and at batch 1.

    Raises:
        ExportError: when outputs differ beyond tolerance (and ``raise_on_fail``).
    """
    rows = test_rows(run) if rows is None else rows if isinstance(rows, Rows) else Rows(rows)
    frame = rows.frame
    session = make_session(model_path)
    ref = torch_outputs(run, rows)
    got = onnx_outputs(session, rows)
    one = onnx_outputs(session, rows.head(1))  # the dynamic batch axis at its smallest
    classification = run.meta["task"] == "classification"
    atol = PROBA_ATOL if classification else 1e-5 * max(1.0, float(np.abs(ref).max(initial=0.0)))
    diff = float(np.abs(got - ref).max(initial=0.0)) if got.shape == ref.shape else float("inf")
    diff = max(diff, float(np.abs(one - ref[:1]).max(initial=0.0)))
    passed = got.shape == ref.shape and bool(np.allclose(got, ref, rtol=RTOL, atol=atol)) \
        and bool(np.allclose(one, ref[:1], rtol=RTOL, atol=atol))
    y_true = true_targets(run.meta, frame)
    report = ParityReport(
        rows=len(frame), max_abs_diff=diff, atol=atol, rtol=RTOL,
        label_agreement=float((got.argmax(1) == ref.argmax(1)).mean()) if classification else None,
        metrics_onnx=metrics_of(run.meta, y_true, got), metrics_torch=metrics_of(run.meta, y_true, ref),
        passed=passed, batch_sizes=[len(frame), 1],
    )
    if not passed and raise_on_fail:
        raise ExportError(
            f"the ONNX model differs from torch by up to {diff:.3g} on {len(frame)} test rows "
            f"(allowed {atol:.1g} + {RTOL:.0e}·|value|); the file was not kept, report the recipe as a bug."
        )
    return report
