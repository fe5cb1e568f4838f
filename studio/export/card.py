"""model_card.json: what the exported file expects, what it does, how well, and how to run it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import onnx
import onnxruntime
import torch

import studio
from studio.export.predict import encode_inputs
from studio.export.schema import ModelSchema, TextInputSpec
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


def example_code(schema: ModelSchema, rows: Any, file_name: str = "model.onnx") -> str:
    """A few lines of Python that run the file on the first test row, as written (a test execs them).

    A picture is read from a file, as a person has it: ``picture.png`` stands for any picture, made
    the training size the way training did (padded or centre-cropped) with Pillow.
    """
    frame = getattr(rows, "frame", rows)
    images = {k: v[:1] for k, v in getattr(rows, "images", {}).items()}
    feeds, _ = encode_inputs(schema, frame.iloc[:1], images=images)
    parts, reads = [], []
    by_name = {i.name: i for i in schema.images}
    texts = {t.name for t in schema.texts}
    for name, arr in feeds.items():
        if name in by_name:
            spec = by_name[name]
            mode = "L" if spec.channels == 1 else "RGB"
            color = spec.background[0] if spec.channels == 1 else tuple(spec.background)
            size = f"({spec.width}, {spec.height})"
            resize = f"ImageOps.pad(img, {size}, color={color})" if spec.fit == "pad" else f"ImageOps.fit(img, {size})"
            reads.append(f'img = ImageOps.exif_transpose(Image.open("picture.png")).convert("{mode}")')
            shape = "[None, :, :, None]" if spec.channels == 1 else "[None]"
            parts.append(f'"{name}": np.asarray({resize}, dtype=np.uint8){shape}')
        elif arr.ndim == 3:  # a series window (1, window, series) of raw values
            parts.append(f'"{name}": np.array({arr[:1].tolist()!r}, dtype=np.float32)')
        elif name in texts and arr.ndim == 1:  # raw strings, one per row
            parts.append(f'"{name}": np.array([{str(arr[0])!r}], dtype=object)')
        elif name in texts:  # a subword tokenizer's ids (tokenizer_<column>.json beside the file)
            row = ", ".join(str(int(v)) for v in arr[0])
            parts.append(f'"{name}": np.array([[{row}]], dtype=np.int64)')
        elif arr.dtype == np.float32:
            row = ", ".join("np.nan" if math.isnan(v) else repr(float(v)) for v in arr[0])
            parts.append(f'"{name}": np.array([[{row}]], dtype=np.float32)')
        else:
            row = ", ".join(repr(str(v)) for v in arr[0])
            parts.append(f'"{name}": np.array([[{row}]], dtype=object)')
    what = f"probabilities of {schema.class_labels}" if schema.task == "classification" \
        else f"predicted {schema.target}"
    head = ["import numpy as np, onnxruntime as ort"] + (["from PIL import Image, ImageOps", *reads[:1]]
                                                           if reads else [])
    return "\n".join([
        *head,
        f'sess = ort.InferenceSession("{file_name}", providers=["CPUExecutionProvider"])',
        "feeds = {" + ", ".join(parts) + "}",
        f'out = sess.run(["{schema.output}"], feeds)[0]',
        f"print(out)  # {what}",
    ]) + "\n"


def text_card(text: TextInputSpec) -> dict[str, Any]:
    """What a text input takes, and who tokenizes it."""
    out: dict[str, Any] = {"input": text.name, "column": text.column, "tokenizer": text.tokenizer,
                           "max_length": text.max_length, "vocab_size": text.vocab_size,
                           "tokenized_inside_graph": text.in_graph}
    if text.in_graph:
        out["note"] = (f"the file takes the raw strings of {text.column!r} and tokenizes them itself "
                       "(lowercase, split, vocabulary, truncation and padding in standard ONNX operators)")
    else:
        out["tokenizer_file"] = text.tokenizer_file
        out["note"] = (f"a {text.tokenizer} tokenizer cannot be written in standard ONNX operators, so the file takes "
                       f"token ids: {text.tokenizer_file} beside it is the fitted tokenizer (the tokenizers library's "
                       f"JSON under \"subword\"); the ids are Training Studio's TokenizerSpec.from_dict(that JSON)"
                       f".encode(texts): cut to {text.max_length} and padded with 0. `studio predict` does this "
                       "from the CSV's text column")
    return out


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
                              "categorical: \"\" (filled or all-zero one-hot as in training)"
                              + ("; text: \"\"" if schema.texts else ""),
            **({"texts": [text_card(t) for t in schema.texts]} if schema.texts else {}),
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
