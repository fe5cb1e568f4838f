"""Shared cases for the sequence blocks: small token inputs and one stack per block and knob."""

from __future__ import annotations

import torch

from studio.blocks import Tokens
from studio.text.spec import PAD

VOCAB = 40
EMB = {"kind": "embedding", "dim": 8}
POOL = {"kind": "seq_pool"}

# the kinds that only take sequences (the other sweeps and exports leave them to these cases)
SEQUENCE_KINDS = {"embedding", "positional", "transformer_encoder", "self_attention", "lstm", "gru", "conv1d",
                  "maxpool1d", "seq_pool"}

# One stack per case, on token ids; each ends in flat features (the head follows). Every block kind
# that acts on sequences appears, one knob at a time; the mask tests run each on padded rows.
SEQUENCE_SWEEP: list[list[dict]] = [
    [EMB, POOL],
    [{"kind": "embedding", "dim": 1}, POOL],
    [EMB, {"kind": "positional"}, POOL],
    [EMB, {"kind": "positional", "encoding": "sinusoidal"}, POOL],
    [{"kind": "embedding", "dim": 7}, {"kind": "positional", "encoding": "sinusoidal"}, POOL],  # odd width
    [EMB, {"kind": "transformer_encoder", "heads": 2, "ff": 16}, POOL],
    [EMB, {"kind": "transformer_encoder", "layers": 1, "heads": 1, "ff": 8, "norm_first": True}, POOL],
    [EMB, {"kind": "transformer_encoder", "heads": 8, "ff": 16, "dropout": 0.0}, POOL],
    [EMB, {"kind": "self_attention", "heads": 2}, POOL],
    [EMB, {"kind": "self_attention", "heads": 1, "residual": False, "dropout": 0.1}, POOL],
    [EMB, {"kind": "lstm", "hidden": 6}],
    [EMB, {"kind": "lstm", "hidden": 6, "bidirectional": True}],
    [EMB, {"kind": "lstm", "hidden": 6, "layers": 2, "bidirectional": True}],
    [EMB, {"kind": "lstm", "hidden": 6, "return_sequence": True}, POOL],
    [EMB, {"kind": "lstm", "hidden": 6, "layers": 2, "bidirectional": True, "return_sequence": True}, POOL],
    [EMB, {"kind": "gru", "hidden": 6}],
    [EMB, {"kind": "gru", "hidden": 6, "layers": 2}],
    [EMB, {"kind": "gru", "hidden": 6, "bidirectional": True}],
    [EMB, {"kind": "gru", "hidden": 6, "bidirectional": True, "return_sequence": True}, POOL],
    [EMB, {"kind": "conv1d", "filters": 5}, POOL],
    [EMB, {"kind": "conv1d", "filters": 5, "kernel_size": 4, "bias": False}, POOL],
    [EMB, {"kind": "conv1d", "filters": 5, "kernel_size": 1}, POOL],
    [EMB, {"kind": "maxpool1d"}, POOL],
    [EMB, {"kind": "maxpool1d", "kernel_size": 3}, POOL],
    [EMB, {"kind": "seq_pool", "mode": "max"}],
    [EMB, {"kind": "seq_pool", "mode": "last"}],
    [EMB, {"kind": "seq_pool", "mode": "attention"}],
    [EMB, {"kind": "dropout", "p": 0.5}, POOL],
    [EMB, {"kind": "activation", "fn": "sigmoid"}, POOL],  # sigmoid(0) = 0.5: pads must be zeroed again
    [EMB, {"kind": "layernorm"}, POOL],
    [EMB, {"kind": "residual", "blocks": [{"kind": "conv1d", "filters": 8}, {"kind": "activation"}]}, POOL],
    [EMB, {"kind": "residual", "blocks": [{"kind": "self_attention", "heads": 2}, {"kind": "layernorm"}]}, POOL],
    [EMB, {"kind": "residual", "blocks": [{"kind": "gru", "hidden": 3, "return_sequence": True}]}, POOL],  # projected
    [EMB, {"kind": "flatten"}],
]


def sequence_id(blocks: list[dict]) -> str:
    """``lstm[hidden=6,bidirectional=True]``: the case's main block (the one after the embedding)."""
    main = blocks[1] if len(blocks) > 1 and blocks[0]["kind"] == "embedding" else blocks[0]
    if main["kind"] == "seq_pool" and blocks[0]["kind"] == "embedding" and blocks[0].get("dim") != 8:
        main = blocks[0]
    knobs = ",".join(f"{k}={v}" for k, v in main.items() if k not in ("kind", "blocks"))
    inner = "+".join(b["kind"] for b in main.get("blocks", []))
    return f"{main['kind']}[{knobs or inner or 'defaults'}]"


def padded_ids(lengths: list[int], width: int, seed: int = 0) -> torch.Tensor:
    """int64 (len(lengths), width): row i has lengths[i] real ids (never PAD), then PAD."""
    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(PAD + 1, VOCAB, (len(lengths), width), generator=gen)
    for i, n in enumerate(lengths):
        ids[i, n:] = PAD
    return ids


def tokens(length: int) -> Tokens:
    return Tokens(length, vocab=VOCAB)
