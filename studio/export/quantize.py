"""int8 dynamic quantization of the dense layers, with onnxruntime's own tools.

Only MatMul/Gemm are quantized: dynamic quantization of Conv goes through ConvInteger, which was
measured 2.5-6x slower than fp32 on this CPU. ``quant_pre_process`` runs first (shape inference and
folding; without it dynamo-exported graphs can fail shape inference).
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
import warnings
from pathlib import Path

import onnx
from onnxruntime.quantization import QuantType, quant_pre_process, quantize_dynamic

from studio.errors import ExportError


def quantize_int8(src: str | Path, dst: str | Path, keep_shapes: bool = False) -> Path:
    """Write the int8 version of ``src`` to ``dst`` (weights int8, activations quantized per call).

    ``keep_shapes``: keep the exporter's tensor types. A fused model.onnx needs them (ONNX cannot
    infer the type of an ai.onnx.ml Imputer's output, so the Gemm after it would go unquantized);
    the unfused graph the export quantizes is better without (its shapes can go stale once ORT
    folds nodes).
    """
    dst = Path(dst)
    logging.getLogger("onnxruntime").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        pre, bare = Path(tmp) / "pre.onnx", Path(tmp) / "bare.onnx"
        model = onnx.load(str(src))
        if not keep_shapes:
            del model.graph.value_info[:]  # the exporter's shapes can go stale once ORT folds nodes
        onnx.save_model(model, str(bare))
        src = bare
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                _pre_process(src, pre)
                # Per-channel scales, 7-bit weights: on the breast-cancer preset per-tensor int8 flipped
                # 1 of 86 test labels (-1.2 points), this setting none; reduce_range is also what ORT
                # advises for CPUs without VNNI, where full 8-bit weights can saturate.
                quantize_dynamic(str(pre), str(dst), weight_type=QuantType.QInt8,
                                 op_types_to_quantize=["MatMul", "Gemm"], per_channel=True, reduce_range=True)
        except Exception as err:  # ORT's quantizer raises plain exceptions of many kinds
            dst.unlink(missing_ok=True)
            raise ExportError(f"onnxruntime could not quantize the model to int8 ({str(err)[:200]}); "
                              "export without --int8.") from err
    return dst


def _pre_process(src: str | Path, pre: Path) -> None:
    """``quant_pre_process`` with ONNX's own shape inference only.

    onnxruntime's symbolic shape inference does not finish on the categorical front (Equal/Where
    on strings), and when it does not finish it saves ``sym_shape_infer_temp.onnx`` and a weights
    file into the *current directory* before raising: litter in the user's folder on every
    export with categories. The ONNX inference it falls back to types every Gemm, MatMul and Conv
    input, which is all that dynamic quantization of the dense layers needs.
    """
    quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
