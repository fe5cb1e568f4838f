"""model_card.json: what the exported file expects, what it does, how well, and how to run it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import onnx
import onnxruntime
import pandas as pd
import torch

import studio
from studio.export.predict import encode_inputs
from studio.export.schema import ModelSchema
from studio.runs import RunSummary


def versions() -> dict[str, str]:
    return {"studio": studio.__version__, "torch": torch.__version__, "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__}


def describe_steps(steps: list[dict[str, Any]]) -> list[str]:
    """One line per recipe step: its kind, what the kind does, and its parameters."""
    from studio import catalog

    reg = catalog.registry("steps")
    lines = []
    for step in steps:
        kind = step["kind"]
        params = {k: v for k, v in step.items() if k != "kind"}
        what = reg[kind].description if kind in reg else ""
        lines.append(f"{kind}: {what} {params}".strip() if params else f"{kind}: {what}".strip())
    return lines


def example_code(schema: ModelSchema, frame: pd.DataFrame, file_name: str = "model.onnx") -> str:
    """Five lines of Python that run the file on the first test row, as written (a test execs them)."""
    feeds, _ = encode_inputs(schema, frame.iloc[:1])
    parts = []
    for name, arr in feeds.items():
        if arr.dtype == np.float32:
            row = ", ".join("np.nan" if math.isnan(v) else repr(float(v)) for v in arr[0])
            parts.append(f'"{name}": np.array([[{row}]], dtype=np.float32)')
        else:
            row = ", ".join(repr(str(v)) for v in arr[0])
            parts.append(f'"{name}": np.array([[{row}]], dtype=object)')
    what = f"probabilities of {schema.class_labels}" if schema.task == "classification" \
        else f"predicted {schema.target}"
    return "\n".join([
        "import numpy as np, onnxruntime as ort",
        f'sess = ort.InferenceSession("{file_name}", providers=["CPUExecutionProvider"])',
        "feeds = {" + ", ".join(parts) + "}",
        f'out = sess.run(["{schema.output}"], feeds)[0]',
        f"print(out)  # {what}",
    ]) + "\n"


def build_card(schema: ModelSchema, summary: RunSummary, parity: dict[str, Any], operator_sets: dict[str, int],
               example: str, files: dict[str, int], int8: dict[str, Any] | None) -> dict[str, Any]:
    """``operator_sets``: domain -> version of the saved graph ("ai.onnx" is the default domain)."""
    return {
        "name": schema.recipe_name,
        "task": schema.task,
        "target": schema.target,
        "class_labels": schema.class_labels,
        "inputs": {
            "graph_inputs": schema.input_shapes(),
            "columns": [{"name": c.name, "type": c.type, "input": c.input, "index": c.index,
                         "categories": c.categories} for c in schema.columns],
            "missing_values": "numeric: NaN or ±inf (imputed inside the graph as in training); "
                              "categorical: \"\" (filled or all-zero one-hot as in training)",
        },
        "output": {"name": schema.output, "meaning": schema.output_meaning},
        "preprocessing": {
            "inside_graph": True,
            "steps": schema.preprocessing,
            "note": "fitted on the training split only; categorical one-hot (string Equal), imputation, "
                    "clipping, scaling, PCA and polynomial features run inside model.onnx, so it takes raw values",
        },
        "test_metrics": summary.test_scalars(),
        "run_status": str(summary.status),
        "parity": parity,
        "int8": int8,
        "opset": operator_sets.get("ai.onnx"),
        "operator_sets": operator_sets,
        "file_sizes_bytes": files,
        "recipe_digest": schema.recipe_digest,
        "versions": versions(),
        "example": example,
    }
