"""Graph rewrites that make the preprocessing around the network nearly free in onnxruntime.

The exported graph computes, per numeric column: ±inf -> NaN (the front), NaN -> fill value
(imputation), ``(x - mean) / scale`` (scaling), then the first dense layer. onnxruntime fuses none
of that, and at batch 1 each node costs about a microsecond, as much as a small ``Gemm``: the
breast-cancer MLP spent 9 nodes where the bare network spends 3. Exact rewrites, written as
onnxscript rewrite rules (the library the exporter itself optimizes with):

* :class:`MissingByImputer`: ``Where(IsInf(x), NaN, x)`` then ``Where(IsNaN(.), fill, .)`` becomes
  ``ai.onnx.ml.Imputer`` nodes (a domain every onnxruntime build runs).
* :class:`ScalingIntoGemm`: ``Gemm((x - mean) / scale, W, b)`` becomes ``Gemm(x, W / scale, b')``
  with ``b' = b - (W / scale) @ mean``, or ``Gemm(x - mean, W / scale, b)`` when folding the
  mean would cost more than :data:`FOLD_ERROR_LIMIT` of float32 precision.
* :class:`OutputScaleIntoGemm`: a regression's ``Gemm(...) * std + mean`` becomes one ``Gemm``.

The parity proof that follows the export compares the rewritten graph with torch on the test
rows; should a rewritten graph ever miss it, the exporter ships the graph as torch wrote it.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnx_ir as ir
from onnxscript import rewriter
from onnxscript.rewriter import MatchResult, RewriteRuleClassBase

ML_DOMAIN, ML_OPSET = "ai.onnx.ml", 3
NARROW_WIDTH = 8
FOLD_ERROR_LIMIT = 1e-5
"""Largest float32 rounding error, on the first layer's outputs, that folding the mean may add.

Folding computes ``sum_j x_j W'_j - sum_j mean_j W'_j`` instead of ``sum_j (x_j - mean_j) W'_j``;
the terms it cancels are about ``|mean_j W'_j|``, so it adds up to ``eps32 * sum_j |mean_j W'_j|``
per output (breast cancer: ~1e-6; a year column, 2020 / 3 per unit, would be ~1e-4). Ten times below
the 1e-4 parity tolerance; beyond it the ``Sub`` stays and only the scale is folded, which is exact
up to one rounding of each weight.
"""


def _constant(value: ir.Value | None) -> np.ndarray | None:
    """The value of an initializer that is not also a graph input, else None."""
    if value is None or value.const_value is None or value.is_graph_input():
        return None
    return value.const_value.numpy()


def _only_used_by(value: ir.Value, node: ir.Node) -> bool:
    return all(user is node for user, _ in value.uses())


def _foldable(gemm_out: ir.Value, w: ir.Value) -> MatchResult:
    """Whether constants can be folded into the weights and bias of the Gemm making ``gemm_out``."""
    result = MatchResult()
    gemm = gemm_out.producer()
    attrs = gemm.attributes
    if attrs.get_int("transA", 0) != 0 or attrs.get_float("alpha", 1.0) != 1.0:
        return result.fail("Gemm transposes or scales its input")
    weights = _constant(w)
    if weights is None or weights.dtype != np.float32 or not _only_used_by(w, gemm):
        return result.fail("the weights are not float32 constants of this Gemm alone")
    bias = gemm.inputs[2] if len(gemm.inputs) > 2 else None
    if bias is not None and (_constant(bias) is None or not _only_used_by(bias, gemm)):
        return result.fail("the bias is not a constant of this Gemm alone")
    return result


def _per_column(vec: np.ndarray | None, width: int) -> bool:
    """A finite constant that broadcasts along the last axis only: shape (), (width,) or (1, width)."""
    return (vec is not None and vec.size in (1, width) and vec.ndim <= 2
            and (vec.ndim < 2 or vec.shape[0] == 1) and bool(np.all(np.isfinite(vec))))


def _weights(gemm: ir.Node, w: ir.Value) -> np.ndarray:
    """The Gemm's weights as float64 (outputs, inputs), whatever its ``transB``."""
    weights = _constant(w).astype(np.float64)
    return weights if gemm.attributes.get_int("transB", 0) else weights.T


def _weights_initializer(op, gemm: ir.Node, w: ir.Value, out_by_in: np.ndarray, suffix: str) -> ir.Value:
    """New (outputs, inputs) weights as an initializer in the Gemm's own layout."""
    layout = out_by_in if gemm.attributes.get_int("transB", 0) else out_by_in.T
    return op.initializer(ir.tensor(np.ascontiguousarray(layout, dtype=np.float32)), name=f"{w.name}_{suffix}")


def _gemm_bias(gemm: ir.Node, n: int) -> np.ndarray:
    """The bias ``beta * C`` as float64 (n,), zeros when the Gemm has none."""
    beta = gemm.attributes.get_float("beta", 1.0)
    bias = _constant(gemm.inputs[2]) if len(gemm.inputs) > 2 else None
    return beta * np.broadcast_to(bias.astype(np.float64), (n,)) if bias is not None else np.zeros(n)


def _attrs_without_beta(gemm: ir.Node) -> dict[str, ir.Attr]:
    """The Gemm's attributes for its rewrite, whose new bias already holds ``beta``."""
    return {k: v for k, v in gemm.attributes.items() if k != "beta"}


class MissingByImputer(RewriteRuleClassBase):
    """``Where(IsNaN(Where(IsInf(x), NaN, x)), fill, ...)`` -> ``ai.onnx.ml.Imputer`` nodes.

    onnxruntime's Imputer is a plain loop with almost no per-call cost, where ``IsInf``/``IsNaN``
    build boolean tensors and ``Where`` broadcasts (together ~3-4 µs of a ~14 µs call at batch 1).
    Imputer replaces one value only, so ±inf need care; two exact forms, chosen by width:

    * up to :data:`NARROW_WIDTH` columns, three Imputers (NaN, +inf, -inf -> fill): the cheapest
      per call (iris at batch 1: ~1.2 µs less than the form below, and less at batch 256 too);
    * wider, ``Imputer(x + (x - x))``: ``x - x`` is 0 where x is finite and NaN where it is NaN or
      ±inf, so the vectorized ``Sub``/``Add`` turn ±inf into NaN and leave finite values as they
      are, and one Imputer pass follows (breast cancer, 30 columns, batch 256: 46 µs instead of
      57 µs with three passes).

    A NaN fill (a column without imputation) keeps the value missing, as before.
    """

    def pattern(self, op, x, nan, fill):
        finite = op.Where(op.IsInf(x), nan, x)
        return op.Where(op.IsNaN(finite), fill, finite)

    def check(self, context, x, nan, fill) -> MatchResult:
        del context
        result = MatchResult()
        value, values = _constant(nan), _constant(fill)
        if value is None or not np.isnan(value).all():
            return result.fail("the value that replaces ±inf is not a constant NaN")
        if values is None or values.dtype != np.float32 or (values.ndim > 1 and values.shape[:-1] != (1,)):
            return result.fail("the fill values are not one float32 constant per column")
        if not isinstance(_width(x), int) or values.size not in (1, _width(x)):
            return result.fail("the fill values do not match the matrix's columns")
        return result

    def rewrite(self, op, x, nan, fill):
        del nan
        values = [float(v) for v in _constant(fill).ravel()]

        def imputer(v: ir.Value, replaced: float) -> ir.Value:
            return op.Imputer(v, _domain=ML_DOMAIN, _version=ML_OPSET, imputed_value_floats=values,
                              replaced_value_float=replaced)

        if _width(x) <= NARROW_WIDTH:
            return imputer(imputer(imputer(x, float("nan")), float("inf")), float("-inf"))
        return imputer(op.Add(x, op.Sub(x, x)), float("nan"))


def _width(x: ir.Value) -> int | None:
    """The static column count of a (batch, k) value, None when unknown."""
    shape = x.shape
    if shape is None or len(shape) != 2 or not isinstance(shape[-1], int):
        return None
    return shape[-1]


class ScalingIntoGemm(RewriteRuleClassBase):
    """``Gemm((x - mean) / scale, W, b)`` -> ``Gemm(x, W / scale, b - (W / scale) @ mean)``.

    Only for a plain ``Gemm`` (no ``transA``, ``alpha`` 1) whose weights are float32 constants
    used by no other node, and per-input-column (or scalar) constant ``mean`` and ``scale``.
    """

    def pattern(self, op, x, mean, scale, w):
        return op.Gemm(op.Div(op.Sub(x, mean), scale), w, _allow_other_inputs=True,
                       _allow_other_attributes=True, _outputs=["gemm_out"])

    def check(self, context, x, mean, scale, w, gemm_out) -> MatchResult:
        del context, x
        gemm, result = gemm_out.producer(), _foldable(gemm_out, w)
        if not result:
            return result
        m, s = _constant(mean), _constant(scale)
        k = _weights(gemm, w).shape[1]
        for name, vec in (("mean", m), ("scale", s)):
            if not _per_column(vec, k):
                return result.fail(f"{name} is not one finite constant per input column")
        if np.any(s == 0):
            return result.fail("scale has zeros")
        return result

    def rewrite(self, op, x, mean, scale, w, gemm_out):
        gemm = gemm_out.producer()
        attrs = _attrs_without_beta(gemm)
        n, k = _weights(gemm, w).shape
        m = np.broadcast_to(_constant(mean).astype(np.float64).ravel(), (k,))
        s = np.broadcast_to(_constant(scale).astype(np.float64).ravel(), (k,))
        scaled = _weights(gemm, w) / s[None, :]  # input column j is divided by s_j
        b = _gemm_bias(gemm, n)
        new_w = _weights_initializer(op, gemm, w, scaled, "scaled")
        cancelled = np.abs(scaled * m[None, :]).sum(axis=1).max(initial=0.0)
        if cancelled * np.finfo(np.float32).eps <= FOLD_ERROR_LIMIT:
            new_b = op.initializer(ir.tensor((b - scaled @ m).astype(np.float32)), name=f"{w.name}_bias_centered")
            return op.Gemm(x, new_w, new_b, **attrs)
        new_b = op.initializer(ir.tensor(b.astype(np.float32)), name=f"{w.name}_bias")
        return op.Gemm(op.Sub(x, mean), new_w, new_b, **attrs)


class OutputScaleIntoGemm(RewriteRuleClassBase):
    """``Gemm(x, W, b) * std + mean`` -> ``Gemm(x, W * std, b * std + mean)``: a regression head
    putting its standardized prediction back into the target's units. Exact up to one rounding
    of each weight."""

    def pattern(self, op, x, w, std, mean):
        out = op.Gemm(x, w, _allow_other_inputs=True, _allow_other_attributes=True, _outputs=["gemm_out"])
        return op.Add(op.Mul(out, std), mean)

    def check(self, context, x, w, std, mean, gemm_out) -> MatchResult:
        del context, x
        gemm, result = gemm_out.producer(), _foldable(gemm_out, w)
        if not result:
            return result
        n = _weights(gemm, w).shape[0]
        if not (_per_column(_constant(std), n) and _per_column(_constant(mean), n)):
            return result.fail("std or mean is not one finite constant per output")
        return result

    def rewrite(self, op, x, w, std, mean, gemm_out):
        gemm = gemm_out.producer()
        n = _weights(gemm, w).shape[0]
        s = np.broadcast_to(_constant(std).astype(np.float64).ravel(), (n,))
        m = np.broadcast_to(_constant(mean).astype(np.float64).ravel(), (n,))
        new_w = _weights_initializer(op, gemm, w, _weights(gemm, w) * s[:, None], "unscaled")  # output i times s_i
        bias = (_gemm_bias(gemm, n) * s + m).astype(np.float32)
        new_b = op.initializer(ir.tensor(bias), name=f"{w.name}_bias_unscaled")
        return op.Gemm(x, new_w, new_b, **_attrs_without_beta(gemm))


RULES = (MissingByImputer, ScalingIntoGemm, OutputScaleIntoGemm)


def fuse_graph(proto: onnx.ModelProto) -> onnx.ModelProto:
    """``proto`` with the rewrites above applied wherever they match (a new proto).

    Not for a graph headed to int8 quantization: dynamic int8 quantizes a layer's input with one
    scale for the whole tensor, so that input must be standardized (raw columns, areas in the
    thousands next to ratios below 0.1, lost a third of the breast-cancer test labels), and the
    quantizer's type inference stops at the ``ai.onnx.ml`` Imputer.
    """
    fused = rewriter.rewrite(proto, pattern_rewrite_rules=[rule().rule() for rule in RULES])
    for i, node in enumerate(fused.graph.node):
        del node.metadata_props[:]  # the rewriter tags the nodes it wrote with the rule's name
        node.name = node.name or f"studio_fused/{node.op_type}_{i}"
    return fused
