"""Pads are never read: the same texts padded longer, or batched with longer texts, give the same output
from every sequence block, and empty texts give finite outputs and gradients."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from studio.blocks import Seq, Steps, Tokens
from studio.blocks.stack import build_stack, parse_stack
from studio.text.spec import PAD
from tests.blocks.sequence_cases import SEQUENCE_SWEEP, VOCAB, padded_ids, sequence_id

LONG = 32
SHORT = 16
LENGTHS = [16, 9, 1, 5, 12, 2, 16]
TOL = {"rtol": 1e-5, "atol": 1e-5}

# flatten keeps every step (pads as zeros), so its width depends on L: only the batch test applies
SAME_WIDTH = [c for c in SEQUENCE_SWEEP if c[-1]["kind"] != "flatten"]


def _encoder(blocks: list[dict], length: int = LONG) -> nn.Sequential:
    """The case's stack without a head, in eval mode (dropout off)."""
    torch.manual_seed(0)
    return nn.Sequential(*build_stack(parse_stack(blocks), Tokens(length, vocab=VOCAB))).eval()


def _steps(model: nn.Sequential, ids: torch.Tensor) -> list[Seq | torch.Tensor]:
    """Every module's output, in order."""
    outs, out = [], ids
    with torch.no_grad():
        for module in model:
            out = module(out)
            outs.append(out)
    return outs


@pytest.mark.parametrize("blocks", SAME_WIDTH, ids=[sequence_id(c) for c in SAME_WIDTH])
def test_the_same_texts_padded_longer_give_the_same_output_after_every_block(blocks: list[dict]) -> None:
    model = _encoder(blocks)
    short = padded_ids(LENGTHS, SHORT)
    long = F.pad(short, (0, LONG - SHORT), value=PAD)
    for a, b in zip(_steps(model, short), _steps(model, long), strict=True):
        if isinstance(a, Seq):
            n = a.x.shape[1]
            torch.testing.assert_close(b.x[:, :n], a.x, **TOL)
            assert torch.equal(b.mask[:, :n], a.mask) and not b.mask[:, n:].any()
            assert not b.x[:, n:].any()  # pads stay zeros
            assert not a.x[~a.mask].any()
        else:
            torch.testing.assert_close(b, a, **TOL)


@pytest.mark.parametrize("blocks", SEQUENCE_SWEEP, ids=[sequence_id(c) for c in SEQUENCE_SWEEP])
def test_each_text_alone_gives_what_it_gives_in_a_padded_batch(blocks: list[dict]) -> None:
    flat = blocks[-1]["kind"] == "flatten"
    model = _encoder(blocks)
    batch = padded_ids(LENGTHS, LONG)
    with torch.no_grad():
        together = model(batch)
        for i, n in enumerate(LENGTHS):
            alone = batch[i: i + 1] if flat else batch[i: i + 1, :n]  # no pads at all, but for flatten
            torch.testing.assert_close(model(alone)[0], together[i], **TOL)


@pytest.mark.parametrize("blocks", SEQUENCE_SWEEP, ids=[sequence_id(c) for c in SEQUENCE_SWEEP])
def test_empty_texts_give_finite_outputs_and_gradients(blocks: list[dict]) -> None:
    model = _encoder(blocks).train()
    ids = padded_ids([0, 4, 0], LONG)
    out = model(ids)
    assert torch.isfinite(out).all()
    out.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
    with torch.no_grad():
        empty = model.eval()(torch.full((2, LONG), PAD))
    assert torch.isfinite(empty).all()


def test_mean_max_and_last_read_only_the_real_steps() -> None:
    x = torch.tensor([[[1.0], [3.0], [0.0], [0.0]], [[-2.0], [-4.0], [-6.0], [0.0]]])  # pads are zeros
    mask = torch.tensor([[True, True, False, False], [True, True, True, False]])

    def pool(mode: str) -> list[float]:
        (module,) = build_stack(parse_stack([{"kind": "seq_pool", "mode": mode}]), Steps(4, 1))
        return module(Seq(x, mask)).flatten().tolist()

    assert pool("mean") == [2.0, -4.0]
    assert pool("max") == [3.0, -2.0]  # not the pads' 0
    assert pool("last") == [3.0, -6.0]
