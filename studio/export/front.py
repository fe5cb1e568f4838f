"""The graph's front: raw named inputs -> the encoded matrix the torch module was exported on.

Torch cannot take string tensors, so the torch module is exported on the *encoded* matrix
(raw numerics with NaN kept, then one-hot columns). This front is spliced in before it with plain
ONNX ops that onnxruntime runs on strings: per categorical column a ``Gather`` of its column,
an optional ``Where`` that swaps a missing value ("") for the fitted fill category, an ``Equal``
against the constant list of training categories (broadcast (B, 1) vs (1, C)) and a ``Cast`` to
float. A person therefore feeds the raw CSV values; an unseen category encodes as all zeros,
exactly like the training-time one-hot.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from studio.export.schema import CATEGORICAL_INPUT, MISSING_CATEGORY, NUMERIC_INPUT, ColumnSpec

_P = "studio_front/"


def attach_front(model: onnx.ModelProto, encoded_order: list[ColumnSpec], encoded_input: str) -> None:
    """Replace the graph input ``encoded_input`` by the "numeric"/"categorical" inputs, in place.

    Args:
        encoded_order: the raw columns in the order their encoded slots appear in the matrix
            (a numeric column is 1 slot, a categorical column ``len(categories)`` slots).
    """
    graph = model.graph
    old = next(i for i in graph.input if i.name == encoded_input)
    n_num = sum(c.input == NUMERIC_INPUT for c in encoded_order)
    n_cat = len(encoded_order) - n_num
    nodes: list[onnx.NodeProto] = []
    pieces: list[str] = []
    i = 0
    while i < len(encoded_order):
        if encoded_order[i].input == NUMERIC_INPUT:  # a run of numeric slots is one Gather
            j = i
            while j < len(encoded_order) and encoded_order[j].input == NUMERIC_INPUT:
                j += 1
            pieces.append(_numeric_piece([c.index for c in encoded_order[i:j]], n_num, len(pieces), nodes))
            i = j
        else:
            pieces.append(_categorical_piece(encoded_order[i], len(pieces), nodes))
            i += 1
    if len(pieces) > 1:
        nodes.append(helper.make_node("Concat", pieces, [_P + "concat"], name=_P + "concat", axis=1))
    joined = pieces[0] if len(pieces) == 1 else _P + "concat"
    if joined != NUMERIC_INPUT:  # its width, for the rewrites in studio.export.fuse
        shape = [d.dim_param or d.dim_value for d in old.type.tensor_type.shape.dim]
        graph.value_info.append(helper.make_tensor_value_info(joined, TensorProto.FLOAT, shape))
    if n_num:  # the one-hot slots are 0/1, so this only touches the numeric ones
        _inf_as_missing(graph, joined, encoded_input, nodes)
    else:
        nodes.append(helper.make_node("Identity", [joined], [encoded_input], name=_P + "identity"))

    new_inputs = []
    if n_num:
        new_inputs.append(helper.make_tensor_value_info(NUMERIC_INPUT, TensorProto.FLOAT, ["batch", n_num]))
    if n_cat:
        new_inputs.append(helper.make_tensor_value_info(CATEGORICAL_INPUT, TensorProto.STRING, ["batch", n_cat]))
    rest = [i for i in graph.input if i.name != encoded_input]
    del graph.input[:]
    graph.input.extend(new_inputs + rest)
    graph.value_info.append(old)  # the encoded matrix keeps its declared [batch, k] shape
    body = list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes + body)


def _inf_as_missing(graph: onnx.GraphProto, src: str, out: str, nodes: list[onnx.NodeProto]) -> None:
    """±inf counts as missing, as ``Preprocessor.encode`` reads it: ``Where(IsInf(x), NaN, x)``.

    Applied to the joined matrix, right before the network's own ``IsNaN`` imputation, so that
    :class:`~studio.export.fuse.MissingByImputer` can merge the two into one ``Imputer``.
    """
    graph.initializer.append(numpy_helper.from_array(np.asarray(np.nan, dtype=np.float32), _P + "nan"))
    nodes.append(helper.make_node("IsInf", [src], [_P + "is_inf"], name=_P + "is_inf"))
    nodes.append(helper.make_node("Where", [_P + "is_inf", _P + "nan", src], [out], name=_P + "inf_as_missing"))


def _numeric_piece(idx: list[int], n_num: int, pos: int, nodes: list[onnx.NodeProto]) -> str:
    """Columns ``idx`` of the numeric input, (B, len(idx)); the whole input when it is all of it, in order."""
    if idx == list(range(n_num)):
        return NUMERIC_INPUT
    p = f"{_P}num{pos}_"
    const = numpy_helper.from_array(np.asarray(idx, dtype=np.int64), p + "idx")
    nodes.append(helper.make_node("Constant", [], [p + "idx"], value=const, name=p + "idx"))
    nodes.append(helper.make_node("Gather", [NUMERIC_INPUT, p + "idx"], [p + "cols"], axis=1, name=p + "gather"))
    return p + "cols"


def _categorical_piece(col: ColumnSpec, pos: int, nodes: list[onnx.NodeProto]) -> str:
    """(B, n_cat) strings -> (B, C) float one-hot of column ``col.index``."""
    p = f"{_P}cat{pos}_"
    idx = numpy_helper.from_array(np.asarray([col.index], dtype=np.int64), p + "idx")
    nodes.append(helper.make_node("Constant", [], [p + "idx"], value=idx, name=p + "idx"))
    nodes.append(helper.make_node("Gather", [CATEGORICAL_INPUT, p + "idx"], [p + "col"], axis=1,
                                  name=p + "gather"))  # (B, 1)
    src = p + "col"
    if col.fill is not None:
        miss = numpy_helper.from_array(np.asarray([MISSING_CATEGORY], dtype=object), p + "missing")
        fill = numpy_helper.from_array(np.asarray([col.fill], dtype=object), p + "fill")
        nodes.append(helper.make_node("Constant", [], [p + "missing"], value=miss, name=p + "missing"))
        nodes.append(helper.make_node("Constant", [], [p + "fill"], value=fill, name=p + "fill"))
        nodes.append(helper.make_node("Equal", [src, p + "missing"], [p + "is_missing"], name=p + "is_missing"))
        nodes.append(helper.make_node("Where", [p + "is_missing", p + "fill", src], [p + "filled"],
                                      name=p + "impute"))
        src = p + "filled"
    known = [*(col.categories or []), *(col.grouped or [])]
    cats = numpy_helper.from_array(np.asarray([known], dtype=object), p + "cats")
    nodes.append(helper.make_node("Constant", [], [p + "cats"], value=cats, name=p + "cats"))
    nodes.append(helper.make_node("Equal", [src, p + "cats"], [p + "eq"], name=p + "equal"))  # (B, C+G)
    nodes.append(helper.make_node("Cast", [p + "eq"], [p + "onehot"], to=TensorProto.FLOAT, name=p + "cast"))
    if not col.grouped:
        return p + "onehot"
    # every grouped category lights the one "other" indicator: (B, C+G) @ (C+G, C+1)
    c = len(col.categories or [])
    merge = np.zeros((len(known), c + 1), dtype=np.float32)
    merge[np.arange(c), np.arange(c)] = 1.0
    merge[c:, c] = 1.0
    nodes.append(helper.make_node("Constant", [], [p + "merge"], name=p + "merge",
                                  value=numpy_helper.from_array(merge, p + "merge")))
    nodes.append(helper.make_node("MatMul", [p + "onehot", p + "merge"], [p + "grouped"], name=p + "group"))
    return p + "grouped"
