"""Raw strings -> token ids inside the ONNX graph, from a :class:`~studio.text.spec.TokenizerSpec` alone.

The graph reproduces ``TokenizerSpec.encode`` exactly, with standard operators only (the rules are
in the spec's docstring). A batch of B strings becomes one flat stream of tokens in which each row
ends with a separator token, so that every stage works on one 1-D string tensor:

1. ``StringNormalizer(LOWER, locale="C.UTF-8")`` when the spec lowercases;
2. each row gets :data:`SEPARATOR` at its end: ``StringConcat`` of the first drop character and the
   separator, which the first drop stage then splits off as a token of its own (without drop
   characters: a ``Where`` that sets a separator column beside the texts, flattened). The separator
   is the byte 0xFF, which is not UTF-8: no text a person feeds can hold it, and no split can cut
   into it or make it;
3. one stage per ``drop`` character: ``StringSplit`` on it, flatten, keep the non-empty pieces
   (``Equal``, ``Not``, ``Compress``); the stages after the first run inside one ``If``, only when
   some text holds one of their characters (tabs, line breaks and odd spaces are rare);
4. one stage per ``keep`` character, inside an ``If`` that runs it only when some text holds the
   character (``RegexFullMatch`` + ``ReduceMax``; most characters are in no text of a batch): split
   on it, put the character between consecutive pieces of the same token (where piece j + 1 exists,
   per the split's counts), flatten and keep the non-empty ones;
5. ``ai.onnx.ml.LabelEncoder``: vocabulary token -> ``i + FIRST_ID``, the separator -> ``PAD``,
   anything else -> ``UNK``;
6. ``Gather`` of (B, max_length) positions: row r reads the stream from just after separator r - 1,
   and a position at or past its own separator reads that separator's ``PAD`` (``Min``), which
   both pads and truncates.

A drop character splits before any keep character, as the spec's regular expression lets a run of
drop characters win over a keep character; a keep character that is also a drop character is
dropped. Without the separator trick every stage would carry a row index beside its tokens.

Size. ``StringSplit`` pads its (N, M) output to the token with the most pieces, so a long text must
not make both N and M large. After the drop stages every token gives at least one final token, so
a row's tokens past ``max_length`` can never count: when the stream holds more than
B * (max_length + 1) tokens they are cut (a gated ``If``), before the keep stages and after each,
and a keep split stops after ``max_length`` pieces (``maxsplit``). A keep split is then at most
(B * (max_length + 1)) x (max_length + 1) strings. The drop stages cannot be cut that way (a token
of spaces gives nothing): their splits are as wide as the batch's longest text, so a batch that
mixes one huge text with many short ones is best fed in pieces (``studio.export.predict`` does).

Speed (``benchmarks/text_front_speed.py``, 2 shared cores). onnxruntime spends a microsecond or
more per node at batch 1 and several per ``If``: a word spec costs ~40 µs plus ~4 µs per keep
character absent from the text and ~25-30 µs per one present (a review sentence: ~150-230 µs, about
11-12x Python's regex); a char spec splits once per distinct character of the text (~1-2 ms, tens
of times Python). Python's ``TokenizerSpec.encode`` is one regex call per cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from studio.text.spec import FIRST_ID, PAD, UNK, TokenizerSpec

SEPARATOR = b"\xff"  # not UTF-8: a person's text (str, which onnxruntime feeds as UTF-8) never holds it
LOCALE = "C.UTF-8"  # without it StringNormalizer asks for en_US.UTF-8, which many machines lack
ML_DOMAIN, ML_OPSET = "ai.onnx.ml", 3  # LabelEncoder-2's attributes; the table front's Imputer uses 3 too
OPSET = 20  # StringSplit, StringConcat and RegexFullMatch are opset 20


@dataclass
class TextFront:
    """The nodes and initializers that turn ``input_name`` (string [batch]) into ``ids_name``
    (int64 [batch, max_length])."""

    nodes: list[onnx.NodeProto] = field(default_factory=list)
    initializers: list[onnx.TensorProto] = field(default_factory=list)


class _Builder:
    """Unique names under a prefix, constants as initializers, nodes into a chosen list."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.front = TextFront()
        self.count = 0
        self.consts: dict[tuple, str] = {}

    def name(self, what: str) -> str:
        self.count += 1
        return f"{self.prefix}{what}_{self.count}"

    def const(self, value: np.ndarray, what: str) -> str:
        key = (what, value.dtype.str, value.shape, tuple(value.ravel().tolist()))
        if key not in self.consts:
            self.consts[key] = self.name(what)
            self.front.initializers.append(numpy_helper.from_array(value, self.consts[key]))
        return self.consts[key]

    def ints(self, values: list[int] | int, what: str) -> str:
        return self.const(np.asarray(values, dtype=np.int64), what)

    def text(self, values: list[bytes], shape: tuple[int, ...], what: str) -> str:
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        return self.const(arr.reshape(shape), what)

    def op(self, op_type: str, inputs: list[str], outputs: int | list[str] = 1,
           into: list[onnx.NodeProto] | None = None, **attrs) -> list[str]:
        outs = outputs if isinstance(outputs, list) else [self.name(op_type) for _ in range(outputs)]
        node = helper.make_node(op_type, inputs, outs, name=self.name(f"{op_type}_node"), **attrs)
        (self.front.nodes if into is None else into).append(node)
        return outs


def characters(entries: list[str]) -> list[str]:
    """The distinct characters of ``entries``, in order (the spec's regex reads them as a character class)."""
    return list(dict.fromkeys("".join(entries)))


def text_front(spec: TokenizerSpec, input_name: str, ids_name: str, prefix: str | None = None) -> TextFront:
    """The graph piece ``input_name`` (string [batch]) -> ``ids_name`` (int64 [batch, spec.max_length]).

    Raises:
        ValueError: for a subword spec, whose tokenizer standard operators cannot express.
    """
    if not spec.in_graph:
        raise ValueError(f"a {spec.kind} tokenizer cannot run inside an ONNX graph; the file takes its ids")
    b = _Builder(prefix if prefix is not None else f"text/{input_name}/")
    texts = input_name
    if spec.lowercase:
        texts = b.op("StringNormalizer", [texts], case_change_action="LOWER", is_case_sensitive=0,
                     locale=LOCALE)[0]
    drop = sorted(characters(spec.drop), key=lambda c: c != " ")  # the space first: the one in every text
    if drop:  # "text" + d + SEP: the first drop stage splits SEP off and flattens the batch
        ended = b.op("StringConcat", [texts, b.text([drop[0].encode("utf-8") + SEPARATOR], (), "sep_suffix")])[0]
        tokens = _drop_stage(b, ended, drop[0])
    else:  # (B, 1) beside SEP -> (B, 2) -> (2B,), without the empty texts
        column = b.op("Reshape", [texts, b.ints([-1, 1], "column")])[0]
        pick = b.const(np.asarray([[True, False]]), "pick")
        pairs = b.op("Where", [pick, column, b.text([b"", SEPARATOR], (1, 2), "sep_column")])[0]
        tokens = _non_empty(b, b.op("Reshape", [pairs, b.ints([-1], "flat")])[0])
    if drop[1:]:  # the other drop characters (tabs, line breaks, odd spaces) are in few texts: one test
        body: list[onnx.NodeProto] = []
        split = tokens
        for ch in drop[1:]:
            split = _drop_stage(b, split, ch, into=body)
        tokens = _if(b, _holds(b, texts, drop[1:]), body, split, tokens)
    # from here on every token gives at least one token, so a row's tokens past max_length never count
    limit = b.op("Mul", [b.op("Shape", [input_name])[0], b.ints([spec.max_length + 1], "row_limit")])[0]
    tokens = _truncated(b, tokens, spec.max_length, limit)
    tokens = _keep_stages(b, spec, tokens, texts, limit, [c for c in characters(spec.keep) if c not in drop])
    _place_ids(b, spec, tokens, ids_name)
    return b.front


def _non_empty(b: _Builder, values: str, into: list[onnx.NodeProto] | None = None) -> str:
    is_empty = b.op("Equal", [values, b.text([b""], (), "empty")], into=into)[0]
    return b.op("Compress", [values, b.op("Not", [is_empty], into=into)[0]], into=into, axis=0)[0]


def _drop_stage(b: _Builder, tokens: str, ch: str, into: list[onnx.NodeProto] | None = None) -> str:
    pieces = b.op("StringSplit", [tokens], 2, into=into, delimiter=ch)[0]  # (N, M), padded with ""
    return _non_empty(b, b.op("Reshape", [pieces, b.ints([-1], "flat")], into=into)[0], into=into)


def _keep_stages(b: _Builder, spec: TokenizerSpec, tokens: str, texts: str, limit: str, chars: list[str]) -> str:
    """A stage per keep character, each behind its own presence test. (Testing groups of rare
    characters first, with the stages nested inside, was slower: onnxruntime runs an ``If`` whose
    branch holds other ``If`` nodes at several times the cost of a flat one.)"""
    for ch in chars:
        tokens = _keep_stage(b, tokens, texts, ch, spec.max_length, limit)
    return tokens


def _holds(b: _Builder, texts: str, chars: list[str], into: list[onnx.NodeProto] | None = None) -> str:
    """(1,) bool: whether any text holds any of ``chars`` (``RegexFullMatch``, then ``ReduceMax``)."""
    pattern = "(?s).*[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "].*"
    found = b.op("RegexFullMatch", [texts], into=into, pattern=pattern)[0]
    return b.op("ReduceMax", [found], into=into, keepdims=1)[0]


def _keep_stage(b: _Builder, tokens: str, texts: str, ch: str, max_length: int, limit: str,
                into: list[onnx.NodeProto] | None = None) -> str:
    """Run when some text holds ``ch`` (a truncated row may not: the split then changes nothing):
    pieces p0 .. p(c-1) of each token -> p0, ch, p1, ch, ..., p(c-1), then the non-empty ones.

    At most max_length + 1 pieces per token: what follows max_length splits comes after max_length
    tokens of its row, so it never counts, and the (N, M) split stays small for a long token.
    """
    body: list[onnx.NodeProto] = []
    pieces, counts = b.op("StringSplit", [tokens], 2, into=body, delimiter=ch, maxsplit=max_length)  # (N, M), (N,)
    width = b.op("Shape", [pieces], into=body, start=1, end=2)[0]  # (1,): M
    ones = b.op("ConstantOfShape", [width], into=body, value=numpy_helper.from_array(np.ones(1, dtype=np.int64)))[0]
    after = b.op("CumSum", [ones, b.ints(0, "axis")], into=body)[0]  # (M,): j + 1 at piece j
    column = b.op("Unsqueeze", [counts, b.ints([1], "axis_1")], into=body)[0]  # (N, 1)
    has_next = b.op("Less", [after, column], into=body)[0]  # (N, M)
    between = b.op("Where", [has_next, b.text([ch.encode("utf-8")], (), "char"), b.text([b""], (), "empty")],
                   into=body)[0]
    axis2 = b.ints([2], "axis_2")
    pairs = b.op("Concat", [b.op("Unsqueeze", [pieces, axis2], into=body)[0],
                            b.op("Unsqueeze", [between, axis2], into=body)[0]], into=body, axis=2)[0]  # (N, M, 2)
    split = _non_empty(b, b.op("Reshape", [pairs, b.ints([-1], "flat")], into=body)[0], into=body)
    split = _truncated(b, split, max_length, limit, into=body)
    return _if(b, _holds(b, texts, [ch], into=into), body, split, tokens, into=into)


def _if(b: _Builder, cond: str, body: list[onnx.NodeProto], out: str, otherwise: str,
        into: list[onnx.NodeProto] | None = None) -> str:
    """``out`` of ``body`` when ``cond``, else ``otherwise`` as it is."""
    same: list[onnx.NodeProto] = []
    unchanged = b.op("Identity", [otherwise], into=same)[0]
    return b.op("If", [cond], into=into, then_branch=_graph(b, body, out), else_branch=_graph(b, same, unchanged))[0]


def _truncated(b: _Builder, tokens: str, max_length: int, limit: str,
               into: list[onnx.NodeProto] | None = None) -> str:
    """``tokens`` without each row's tokens past ``max_length``, when the stream is longer than
    ``limit`` (B * (max_length + 1)); a long text then costs the next stages no more than a short one.
    """
    size = b.op("Size", [tokens], into=into)[0]
    longer = b.op("Greater", [size, limit], into=into)[0]  # (1,)
    body: list[onnx.NodeProto] = []
    is_sep = b.op("Equal", [tokens, b.text([SEPARATOR], (), "sep")], into=body)[0]
    seps = b.op("Cast", [is_sep], into=body, to=TensorProto.INT64)[0]
    axis = b.ints(0, "axis")
    row = b.op("CumSum", [seps, axis], into=body, exclusive=1)[0]  # each element's row
    before = b.op("CumSum", [b.op("Sub", [b.ints(1, "one_scalar"), seps], into=body)[0], axis], into=body,
                  exclusive=1)[0]  # tokens before each element, all rows
    ends = b.op("Compress", [before, is_sep], into=body, axis=0)[0]  # (B,): tokens before each row's end
    starts = b.op("Concat", [b.ints([0], "zero"), ends], into=body, axis=0)[0]
    at = b.op("Sub", [before, b.op("Gather", [starts, row], into=body, axis=0)[0]], into=body)[0]  # place in its row
    kept = b.op("Or", [is_sep, b.op("Less", [at, b.ints(max_length, "max_length")], into=body)[0]], into=body)[0]
    cut = b.op("Compress", [tokens, kept], into=body, axis=0)[0]
    return _if(b, longer, body, cut, tokens, into=into)


def _graph(b: _Builder, nodes: list[onnx.NodeProto], out: str) -> onnx.GraphProto:
    return helper.make_graph(nodes, b.name("branch"), [], [helper.make_tensor_value_info(out, TensorProto.STRING,
                                                                                         None)])


def _place_ids(b: _Builder, spec: TokenizerSpec, tokens: str, ids_name: str) -> None:
    """The stream of tokens and separators -> (B, max_length) ids: PAD at and after each row's end."""
    index: dict[bytes, int] = {}
    for i, tok in enumerate(spec.vocab):  # a repeated token keeps its last id, as the spec's dict does
        index[tok.encode("utf-8")] = i + FIRST_ID
    index[SEPARATOR] = PAD
    ids = b.op("LabelEncoder", [tokens], domain=ML_DOMAIN, keys_strings=list(index),
               values_int64s=list(index.values()), default_int64=UNK)[0]
    is_end = b.op("Equal", [ids, b.ints(PAD, "pad")])[0]  # only separators map to PAD
    ends = b.op("Reshape", [b.op("NonZero", [is_end])[0], b.ints([-1, 1], "column")])[0]  # (B, 1)
    before = b.op("Concat", [b.ints([[-1]], "minus_one"), ends], axis=0)[0]  # (B + 1, 1)
    previous = b.op("Slice", [before, b.ints([0], "zero"), b.ints([-1], "minus_one_1d")])[0]  # (B, 1)
    steps = b.ints(np.arange(1, spec.max_length + 1)[None, :].tolist(), "steps")  # (1, L)
    at = b.op("Add", [previous, steps])[0]
    b.op("Gather", [ids, b.op("Min", [at, ends])[0]], [ids_name], axis=0)


def standalone(spec: TokenizerSpec, input_name: str = "text", ids_name: str = "ids") -> onnx.ModelProto:
    """A model of the front alone, string [batch] -> int64 [batch, max_length]: for tests and benchmarks."""
    front = text_front(spec, input_name, ids_name)
    graph = helper.make_graph(
        front.nodes, "text_front",
        [helper.make_tensor_value_info(input_name, TensorProto.STRING, ["batch"])],
        [helper.make_tensor_value_info(ids_name, TensorProto.INT64, ["batch", spec.max_length])],
        front.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET),
                                                    helper.make_opsetid(ML_DOMAIN, ML_OPSET)])
    model.ir_version = 10
    return model


def node_count(model: onnx.ModelProto | onnx.GraphProto) -> int:
    """Nodes of a graph, those inside its ``If`` branches included."""
    graph = model.graph if isinstance(model, onnx.ModelProto) else model
    return sum(1 + sum(node_count(a.g) for a in n.attribute if a.type == onnx.AttributeProto.GRAPH)
               for n in graph.node)


def attach_text_front(model: onnx.ModelProto, spec: TokenizerSpec, input_name: str, ids_name: str) -> None:
    """Replace the graph input ``ids_name`` (int64 [batch, max_length], what the torch module was
    exported on) by ``input_name``, string [batch], tokenized inside the graph; in place."""
    graph = model.graph
    old = next(i for i in graph.input if i.name == ids_name)
    front = text_front(spec, input_name, ids_name, prefix=f"text_front/{input_name}/")
    graph.initializer.extend(front.initializers)
    position = [i.name for i in graph.input].index(ids_name)
    graph.input.insert(position, helper.make_tensor_value_info(input_name, TensorProto.STRING, ["batch"]))
    graph.input.remove(old)
    graph.value_info.append(old)  # the ids keep their declared [batch, max_length] shape
    body = list(graph.node)
    del graph.node[:]
    graph.node.extend(front.nodes + body)
    for domain, version in (("", OPSET), (ML_DOMAIN, ML_OPSET)):
        found = next((o for o in model.opset_import if o.domain == domain), None)
        if found is None:
            model.opset_import.append(helper.make_opsetid(domain, version))
        elif found.version < version:
            raise ValueError(f"text inside the graph needs opset {version} of {domain or 'ai.onnx'}, "
                             f"the model has {found.version}")
