"""Torch module -> ONNX ModelProto with the dynamo exporter, quiet and free of this machine's paths."""

from __future__ import annotations

import contextlib
import inspect
import io
import logging
import re
import warnings
from collections.abc import Sequence

import onnx
import torch
from torch.export import Dim

from studio.errors import ExportError

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # colour codes in the exporter's messages
ENCODED_INPUT = "encoded"
BATCH = "batch"


def module_to_onnx(module: torch.nn.Module, example: torch.Tensor | Sequence[torch.Tensor], output_name: str,
                   opset: int = 20, input_names: Sequence[str] = (ENCODED_INPUT,)) -> onnx.ModelProto:
    """Export ``module`` (eval mode) on ``example`` (one tensor per input, (B, ...)) with a dynamic batch
    axis named "batch" shared by every input; the graph's inputs are called ``input_names``.

    The returned proto has its per-node metadata removed: the exporter stores stack traces with
    absolute source paths there (12-39 % of a small file), and nothing downstream needs them.
    """
    module.eval()
    examples = [example] if isinstance(example, torch.Tensor) else list(example)
    if examples[0].shape[0] == 0:
        raise ExportError("there are no rows to trace the model with; the export needs at least one test row.")
    # a batch-1 example can specialise the batch dim; 2+ is the safe habit
    examples = [x.repeat(2, *([1] * (x.dim() - 1))) if x.shape[0] < 2 else x for x in examples]
    batch = Dim(BATCH, min=1, max=1 << 20)
    per_input = tuple({0: batch} for _ in examples)
    varargs = any(p.kind == p.VAR_POSITIONAL for p in inspect.signature(module.forward).parameters.values())
    dynamic = (per_input,) if varargs else per_input
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    log = io.StringIO()  # the exporter prints its progress and, on failure, a coloured report: kept out
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                module, tuple(examples), dynamo=True, external_data=False, opset_version=opset,
                verbose=False, input_names=list(input_names), output_names=[output_name],
                dynamic_shapes=dynamic,
            )
    except Exception as err:  # the exporter raises many internal types; a person needs one sentence
        raise ExportError(f"torch could not export the model to ONNX opset {opset} ({exporter_reason(err)}); "
                          "try another opset or report the recipe as a bug.") from err
    proto = program.model_proto
    for node in proto.graph.node:
        del node.metadata_props[:]
    del proto.graph.metadata_props[:]
    _assert_batch_dims(proto)
    return proto


def exporter_reason(err: BaseException, limit: int = 150) -> str:
    """The line of torch's export report that says what went wrong, without colours or class names.

    The report starts with generic advice ("Failed to export ... Next steps:"); the cause is the
    first line under "## Exception summary", as ``<class '...'>: Could not guard on ...``.
    """
    lines = [line.strip() for line in ANSI.sub("", str(err)).splitlines()]
    if "## Exception summary" in lines:
        lines = lines[lines.index("## Exception summary") + 1:]
    first = next((line for line in lines if line), type(err).__name__)
    return re.sub(r"^<class '[^']*'>:\s*", "", first)[:limit]


def _assert_batch_dims(proto: onnx.ModelProto) -> None:
    for value in list(proto.graph.input) + list(proto.graph.output):
        dim0 = value.type.tensor_type.shape.dim[0]
        if dim0.dim_param != BATCH:
            raise ExportError(f"the exported {value.name!r} has a fixed first axis "
                              f"({dim0.dim_value or dim0.dim_param!r}) instead of a dynamic 'batch'; "
                              "report the recipe as a bug.")
