"""Sequence shapes in the wrong place raise ShapeError before anything is built, naming the block and the fix."""

from __future__ import annotations

import pytest

from studio.blocks import Steps, Tokens, build_model, build_network, infer_shapes, summarize, summarize_network
from studio.blocks.base import fmt
from studio.blocks.stack import check_in_shape
from studio.errors import ShapeError

T = Tokens(16, vocab=30)
EMB = {"kind": "embedding", "dim": 64}

# (blocks, in_shape, the message, or words it must contain)
WRONG = [
    ([EMB, {"kind": "dense"}], T,
     "block 2 dense needs a flat input (features,) but gets a sequence (16, 64): add a seq_pool block first"),
    ([{"kind": "lstm"}], T,
     "block 1 lstm needs a sequence (L, D) but gets token ids (16,): add an embedding block first"),
    ([{"kind": "dense"}, {"kind": "gru"}], (5,),
     "block 2 gru needs a sequence (L, D) but gets (64,): add an embedding block first"),
    ([{"kind": "embedding"}], (64,),
     "block 1 embedding needs token ids (L,) but gets (64,): put it first in the blocks of a text input"),
    ([EMB, {"kind": "embedding"}], T, ["block 2 embedding needs token ids", "a sequence (16, 64)"]),
    ([EMB], T,
     "the model ends in a sequence (16, 64), but the head needs flat features: add a seq_pool block at the end"),
    ([], T, "the model ends in token ids (16,), but the head needs features: add an embedding block first"),
    ([EMB, {"kind": "lstm", "return_sequence": True}], T, ["the model ends in a sequence (16, 64)", "seq_pool"]),
    ([EMB, {"kind": "batchnorm"}], T, ["block 2 batchnorm", "a sequence (16, 64)", "layernorm"]),
    ([EMB, {"kind": "conv2d"}], T, ["block 2 conv2d needs input (C, H, W)", "a sequence (16, 64)", "seq_pool"]),
    ([EMB, {"kind": "maxpool2d"}], T, ["block 2 maxpool2d needs input (C, H, W)", "seq_pool"]),
    ([EMB, {"kind": "reshape"}], T, ["block 2 reshape", "a sequence (16, 64)", "seq_pool"]),
    ([{"kind": "flatten"}], T, ["block 1 flatten", "token ids (16,)", "add an embedding block first"]),
    ([{"kind": "dropout"}], T, ["block 1 dropout", "token ids (16,)", "add an embedding block first"]),
    ([{"kind": "residual", "blocks": [EMB]}], T, ["block 1 residual", "token ids (16,)", "embedding block first"]),
    ([EMB, {"kind": "residual", "blocks": [{"kind": "maxpool1d"}]}], T,
     ["block 2 residual", "a sequence (16, 64) into a sequence (8, 64)", "skip", "maxpool1d"]),
    ([EMB, {"kind": "residual", "blocks": [{"kind": "seq_pool"}]}], T, ["block 2 residual", "into (64,)", "skip"]),
    ([EMB, {"kind": "residual", "blocks": [{"kind": "dense"}]}], T,
     ["block 2 (residual) inner block 1 dense", "a sequence (16, 64)", "seq_pool"]),
    ([{"kind": "embedding", "dim": 30}, {"kind": "transformer_encoder", "heads": 4}], T,
     ["block 2 transformer_encoder", "30", "4 heads", "1, 2, 3, 5, 6, 10, 15"]),
    ([EMB, {"kind": "self_attention", "heads": 5}], T, ["block 2 self_attention", "64", "5 heads"]),
    ([{"kind": "seq_pool"}], (1, 4, 4), ["block 1 seq_pool needs a sequence (L, D) but gets (1, 4, 4)"]),
]


@pytest.mark.parametrize(("blocks", "in_shape", "said"), WRONG, ids=[str(i) for i in range(len(WRONG))])
def test_sequence_in_the_wrong_place_names_block_and_fix(blocks: list[dict], in_shape: tuple, said) -> None:
    for call in (lambda: build_model(blocks, in_shape, 2), lambda: summarize(blocks, in_shape, 2)):
        with pytest.raises(ShapeError) as err:
            call()
        words = [said] if isinstance(said, str) else said
        for word in words:
            assert word in str(err.value)
        assert err.value.location[0] == "model"
    if "the model ends" not in str(err.value):
        with pytest.raises(ShapeError):
            infer_shapes(blocks, in_shape)


def test_a_text_input_joined_with_a_table_must_end_in_features() -> None:
    inputs = [("table", (5,)), ("review", T)]
    for encoder, said in [([EMB], "the blocks of input 'review' end in a sequence (16, 64), but joining the "
                                  "inputs needs flat features: add a seq_pool block at the end"),
                          ([], "the blocks of input 'review' end in token ids (16,), but joining the inputs needs "
                               "features: add an embedding block first")]:
        for call in (build_network, summarize_network):
            with pytest.raises(ShapeError) as err:
                call(inputs, [{"kind": "dense"}], {"review": encoder}, 2)
            assert str(err.value) == said
            assert err.value.location == ("encoders", "review")


def test_a_text_input_with_a_pooled_encoder_joins_a_table() -> None:
    import torch

    net = build_network([("table", (5,)), ("review", T)], [{"kind": "dense", "units": 4}],
                        {"review": [EMB, {"kind": "seq_pool", "mode": "max"}]}, 2)
    ids = torch.randint(1, 30, (3, 16))
    ids[1, 4:] = 0
    assert net(torch.randn(3, 5), ids).shape == (3, 2)
    summary = summarize_network([("table", (5,)), ("review", T)], [{"kind": "dense", "units": 4}],
                                {"review": [EMB, {"kind": "seq_pool", "mode": "max"}]}, 2)
    assert summary.total_params == sum(p.numel() for p in net.parameters())


def test_input_shapes_keep_their_class_and_are_checked() -> None:
    assert type(check_in_shape(T)) is Tokens and check_in_shape(T).vocab == 30
    assert type(check_in_shape(Steps(4, 3))) is Steps
    with pytest.raises(ShapeError, match="vocabulary of at least 2"):
        check_in_shape(Tokens(4, vocab=1))
    with pytest.raises(ShapeError, match="positive sizes"):
        check_in_shape(Tokens(0, vocab=9))
    assert fmt(T) == "token ids (16,)" and fmt(Steps(4, 3)) == "a sequence (4, 3)" and fmt((4, 3)) == "(4, 3)"
