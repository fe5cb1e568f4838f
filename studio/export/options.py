"""The export's options and their one check: the CLI's flags and the Export page's controls read these."""

from __future__ import annotations

from studio.errors import ExportError, quote

OPSETS = range(18, 24)  # the ONNX opsets torch's exporter and onnxruntime both handle here (18-23)
DEFAULT_OPSET = 20
QUANTIZERS = ("int8",)


def check_opset(opset: object) -> int:
    """``opset`` as an int in :data:`OPSETS`, or an ExportError saying the range."""
    if isinstance(opset, bool) or not isinstance(opset, int) or opset not in OPSETS:
        raise ExportError(f"ONNX opset {quote(opset)} is not supported; use {OPSETS.start} to {OPSETS.stop - 1} "
                          f"(default {DEFAULT_OPSET})")
    return opset


def check_quantize(quantize: object) -> str | None:
    """``quantize`` if it names a known quantizer (or is None), else an ExportError listing them."""
    if quantize is not None and quantize not in QUANTIZERS:
        raise ExportError(f"quantize must be one of {', '.join(QUANTIZERS)} or nothing, got {quote(quantize)}")
    return quantize  # type: ignore[return-value]
