"""Every sequence case builds, runs forward and backward on padded token ids, and its shapes, parameter
counts and normalized params agree with what the model really does."""

from __future__ import annotations

import pickle

import pytest
import torch

from studio.blocks import BLOCKS, Seq, Steps, Tokens, build_model, build_network, infer_shapes, summarize
from tests.blocks.sequence_cases import SEQUENCE_KINDS, SEQUENCE_SWEEP, padded_ids, sequence_id, tokens

L = 10
N_OUT = 3


def test_sequence_sweep_covers_every_sequence_kind() -> None:
    assert {block["kind"] for blocks in SEQUENCE_SWEEP for block in blocks} >= SEQUENCE_KINDS
    assert set(BLOCKS) >= SEQUENCE_KINDS


def _shape(out: Seq | torch.Tensor) -> tuple[int, ...]:
    return tuple((out.x if isinstance(out, Seq) else out).shape[1:])


@pytest.mark.parametrize("blocks", SEQUENCE_SWEEP, ids=[sequence_id(c) for c in SEQUENCE_SWEEP])
def test_sequence_stack_builds_runs_and_matches_inference(blocks: list[dict]) -> None:
    model = build_model(blocks, tokens(L), N_OUT)
    ids = padded_ids([L, 3, 1, 7], L)
    shapes = infer_shapes(blocks, tokens(L))

    out = ids
    for module, shape in zip(model, shapes, strict=False):
        out = module(out)
        assert _shape(out) == tuple(shape)
        assert isinstance(out, Seq) == isinstance(shape, Steps)
        if isinstance(out, Seq):
            assert out.mask.dtype == torch.bool and out.x.dtype == torch.float32

    logits = model(ids)
    assert logits.shape == (4, N_OUT)
    logits.square().sum().backward()
    params = list(model.parameters())
    assert params and all(p.grad is not None for p in params)

    summary = summarize(blocks, tokens(L), N_OUT)
    assert summary.total_params == sum(p.numel() for p in params)
    assert [r.out_shape for r in summary.rows[: len(blocks)]] == shapes


@pytest.mark.parametrize("blocks", SEQUENCE_SWEEP, ids=[sequence_id(c) for c in SEQUENCE_SWEEP])
def test_sequence_blocks_normalize_to_defaults_and_round_trip(blocks: list[dict]) -> None:
    for block in blocks:
        normal = BLOCKS.normalize(block, "model block 1")
        assert normal.items() >= {k: v for k, v in block.items() if k != "blocks"}.items()
        assert BLOCKS.normalize(normal, "model block 1") == normal


def test_shape_classes_survive_inference_pickle_and_copy() -> None:
    shapes = infer_shapes([{"kind": "embedding", "dim": 4}, {"kind": "lstm", "hidden": 3}], Tokens(5, vocab=9))
    assert shapes == [(5, 4), (3,)]
    assert isinstance(shapes[0], Steps) and type(shapes[1]) is tuple
    for shape in (Tokens(5, vocab=9), Steps(5, 4)):
        back = pickle.loads(pickle.dumps(shape))
        assert type(back) is type(shape) and back == shape and repr(back) == repr(shape)
    assert pickle.loads(pickle.dumps(Tokens(5, vocab=9))).vocab == 9


def test_summary_of_a_text_model_names_sequences_and_counts_macs() -> None:
    blocks = [{"kind": "embedding", "dim": 8}, {"kind": "lstm", "hidden": 4, "return_sequence": True},
              {"kind": "conv1d", "filters": 2, "kernel_size": 3}, {"kind": "seq_pool"}]
    summary = summarize(blocks, Tokens(6, vocab=20), 2)
    records = summary.to_records()
    assert [r["out_shape"] for r in records] == ["a sequence (6, 8)", "a sequence (6, 4)", "a sequence (6, 2)",
                                                 "(2,)", "(2,)"]
    macs = [r.macs for r in summary.rows]
    assert macs == [0, 6 * 4 * (8 + 4) * 4, 6 * 2 * 4 * 3, 0, 2 * 2]  # embedding, lstm gates, conv, mean, head
    assert summary.rows[0].params == 20 * 8


def test_gru_counts_three_gates_and_both_directions() -> None:
    rows = summarize([{"kind": "embedding", "dim": 5}, {"kind": "gru", "hidden": 2, "bidirectional": True}],
                     Tokens(4, vocab=9), 1).rows
    assert rows[1].macs == 2 * 4 * 3 * (5 + 2) * 2
    assert rows[1].out_shape == (4,)


@pytest.mark.parametrize("blocks", [
    [{"kind": "lstm", "hidden": 5}],
    [{"kind": "conv1d", "filters": 4}, {"kind": "maxpool1d"}, {"kind": "seq_pool", "mode": "max"}],
    [{"kind": "transformer_encoder", "heads": 3, "ff": 8}, {"kind": "flatten"}],
], ids=["lstm", "conv1d", "transformer"])
def test_a_series_window_input_is_a_sequence_of_real_steps(blocks: list[dict]) -> None:
    window = Steps(10, 3)  # a float (B, 10, 3) window, no pads
    model = build_model(blocks, window, 2)
    x = torch.randn(4, 10, 3)
    assert model(x).shape == (4, 2)
    summary = summarize(blocks, window, 2)
    assert summary.total_params == sum(p.numel() for p in model.parameters())

    net = build_network([("table", (2,)), ("series", window)], [{"kind": "dense", "units": 4}],
                        {"series": blocks}, 2)
    assert net(torch.randn(4, 2), x).shape == (4, 2)
