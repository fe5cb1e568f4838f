"""The network as a Graphviz DOT string (pure; drawn with ``st.graphviz_chart``).

Input -> one node per block (its label and output shape when the summary is known: (C, H, W) for
pictures) -> the implicit flatten/head rows. A network of several inputs (:func:`network_dot`) has
one such chain per input, joined, then the trunk. A residual block is a cluster holding its inner
blocks, with a dashed skip edge into an "add" node. The block that failed shape checking is drawn red.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_NODE = 'node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica", fontsize=11];'
_BAD = ', fillcolor="#fbe3e3", color="#c0392b"'


def _q(text: str) -> str:
    """A quoted DOT string; ``\\n`` inside stays DOT's line break."""
    return '"' + text.replace('"', '\\"') + '"'


def _shape(shape: Sequence[int] | None) -> str:
    return "" if shape is None else "\\n(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _inner_label(item: dict[str, Any]) -> str:
    extras = [f"{k}={v}" for k, v in item.items() if k != "kind" and not isinstance(v, list | dict)][:2]
    return item["kind"] + (" " + " ".join(extras) if extras else "")


def model_dot(
    blocks: Sequence[dict[str, Any]],
    summary: Any | None = None,
    error_index: int | None = None,
    in_shape: Sequence[int] | None = None,
) -> str:
    """DOT for ``blocks`` (the recipe's model). ``summary``: a ModelSummary; ``error_index``: 0-based;
    ``in_shape``: the input's shape, drawn when there is no summary (a block does not fit)."""
    rows = {r.index: r for r in summary.rows if r.index is not None} if summary is not None else {}
    lines = ["digraph model {", "rankdir=TB;", _NODE]
    in_shape = getattr(summary, "in_shape", in_shape)
    lines.append(f'input [label={_q("input" + _shape(in_shape))}, fillcolor="#e8f6ec"];')
    prev = _chain(lines, "b", blocks, rows, "input", error_index)
    implicit = [r for r in summary.rows if r.index is None] if summary is not None else []
    _implicit(lines, implicit, prev)
    lines.append("}")
    return "\n".join(lines)


def network_dot(
    inputs: Sequence[tuple[str, Sequence[int]]],
    encoders: dict[str, list[dict[str, Any]]],
    trunk: Sequence[dict[str, Any]],
    summary: Any | None = None,
    error: tuple[str, int] | None = None,
) -> str:
    """DOT for a network of several inputs: each input (its name and (C, H, W) or (d,)) through its
    encoder stack, the stacks joined (flattened and concatenated), then the trunk and the head.
    ``summary``: the network's ModelSummary (rows carry their ``stack``); ``error``: (stack, 0-based
    block index) of the block that failed, the stack being an input's name or "trunk"."""
    rows = [] if summary is None else summary.rows
    lines = ["digraph model {", "rankdir=TB;", _NODE, 'join [label="join (flatten + concatenate)", '
             'fillcolor="#f4f4f4"];']
    for k, (name, shape) in enumerate(inputs):
        node = f"in{k}"
        lines.append(f'{node} [label={_q("input " + name + _shape(shape))}, fillcolor="#e8f6ec"];')
        mine = {r.index: r for r in rows if r.stack == name and r.index is not None}
        bad = error[1] if error is not None and error[0] == name else None
        last = _chain(lines, f"e{k}_", encoders.get(name, []), mine, node, bad)
        lines.append(f"{last} -> join;")
    mine = {r.index: r for r in rows if r.stack == "trunk" and r.index is not None}
    bad = error[1] if error is not None and error[0] == "trunk" else None
    prev = _chain(lines, "t", trunk, mine, "join", bad)
    _implicit(lines, [r for r in rows if r.stack == "trunk" and r.index is None], prev)
    lines.append("}")
    return "\n".join(lines)


def _chain(lines: list[str], prefix: str, blocks: Sequence[dict[str, Any]], rows: dict[int, Any], prev: str,
           error_index: int | None) -> str:
    """One node per block after ``prev`` (a residual block is a cluster); returns the last node."""
    for i, item in enumerate(blocks):
        row = rows.get(i + 1)
        name = row.label if row is not None else item["kind"]
        label = f"{i + 1}. {name}" + _shape(getattr(row, "out_shape", None))
        bad = _BAD if i == error_index else ""
        node = f"{prefix}{i}"
        if isinstance(item.get("blocks"), list):
            prev = _residual(lines, node, label, item["blocks"], prev, bad)
            continue
        lines.append(f"{node} [label={_q(label)}{bad}];")
        lines.append(f"{prev} -> {node};")
        prev = node
    return prev


def _implicit(lines: list[str], implicit: Sequence[Any], prev: str) -> None:
    """The rows the studio adds (flatten, the head), greyed."""
    for j, row in enumerate(implicit):
        lines.append(f'x{j} [label={_q(row.label + _shape(row.out_shape))}, fillcolor="#f4f4f4"];')
        lines.append(f"{prev} -> x{j};")
        prev = f"x{j}"


def _residual(lines: list[str], name: str, label: str, inner: list[dict[str, Any]], prev: str, bad: str) -> str:
    lines.append(f"subgraph cluster_{name} {{")
    color = "#c0392b" if bad else "#8aa1c1"
    lines.append(f'label={_q(label)}; style="rounded"; color="{color}";')
    last = prev
    for j, item in enumerate(inner):
        node = f"{name}_{j}"
        lines.append(f"{node} [label={_q(_inner_label(item))}];")
        lines.append(f"{last} -> {node};")
        last = node
    lines.append(f'{name}_add [label="+", shape=circle, fillcolor="#ffffff"];')
    lines.append(f"{last} -> {name}_add;")
    lines.append("}")
    lines.append(f'{prev} -> {name}_add [style=dashed, label="skip"];')
    return f"{name}_add"
