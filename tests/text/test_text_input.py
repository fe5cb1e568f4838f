"""The text input through the pipeline: int64 token ids in Prepared, a JSON round trip, int64 tensors
in training, the default encoders, and a run that loads back and predicts raw rows as training did.

Until the sequence blocks (embedding, seq_pool) are in the registry, the run is trained with a
test-only bag-of-tokens block registered for the test; with them, the real blocks are used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from pydantic import Field
from torch import nn

from studio.blocks import BLOCKS
from studio.blocks.base import Block
from studio.data.reviews import make_reviews
from studio.inputs import input_from_dict
from studio.inputs.defaults import TEXT_ENCODER, TEXT_MODEL, default_encoders, model_for_data
from studio.inputs.text import TextInput
from studio.pipeline import prepare, train_recipe
from studio.recipe import Recipe
from studio.registry import Params
from studio.runs import load_run
from studio.train.augment import gaussian_noise
from studio.train.evaluate import predict
from studio.train.tensors import TensorData


def _recipe(source: str, **extra) -> Recipe:
    return Recipe.from_dict({"data": {"source": source, "target": "sentiment"}, **extra})


def test_prepared_holds_int64_token_ids_for_the_text_column() -> None:
    prepared = prepare(_recipe("builtin:reviews", preprocessing=[{"kind": "tokenize", "max_length": 16}]))
    assert [(name, tuple(shape)) for name, shape in prepared.in_shapes] == [("table", (6,)), ("review", (16,))]
    for x in (prepared.x_train, prepared.x_val, prepared.x_test):
        assert x["review"].dtype == np.int64 and x["review"].shape[1] == 16 and x["table"].dtype == np.float32
    text = prepared.inputs[1]
    assert isinstance(text, TextInput) and text.front() is None
    expected = text.spec.encode(prepared.splits.test["review"])
    assert np.array_equal(prepared.x_test["review"], expected)


def test_the_text_input_round_trips_through_json() -> None:
    prepared = prepare(_recipe("builtin:reviews", data={"source": "builtin:reviews", "options": {"n_samples": 300}},
                               preprocessing=[{"kind": "tokenize", "tokenizer": "wordpiece", "vocab_size": 100}]))
    text = prepared.inputs[1]
    back = input_from_dict(text.to_dict())
    assert isinstance(back, TextInput) and back.name == back.column == "review"
    assert tuple(back.shape) == tuple(text.shape)
    frame = prepared.splits.val
    assert np.array_equal(back.arrays(prepared.table, frame), text.arrays(prepared.table, frame))


def test_token_ids_stay_int64_in_training_and_evaluation() -> None:
    ids = np.array([[2, 3, 0], [4, 0, 0]], dtype=np.int64)
    data = TensorData({"table": np.zeros((2, 1), np.float32), "review": ids}, np.array([0, 1]),
                      {"table": np.zeros((2, 1), np.float32), "review": ids}, np.array([0, 1]))
    xs, _, val, _ = data.to(torch.device("cpu"), "classification")
    assert [x.dtype for x in xs] == [torch.float32, torch.int64] and val[1].dtype == torch.int64
    seen = []

    class Spy(nn.Module):
        def forward(self, table: torch.Tensor, review: torch.Tensor) -> torch.Tensor:
            seen.append(review.dtype)
            return torch.zeros(len(review), 2)

    predict(Spy(), [np.zeros((2, 1), np.float32), ids], "classification", torch.device("cpu"))
    assert seen == [torch.int64]
    assert torch.equal(gaussian_noise(torch.from_numpy(ids), 0.5), torch.from_numpy(ids))  # noise skips ids


def test_default_encoders_and_the_model_for_text_alone() -> None:
    prepared = prepare(_recipe("builtin:reviews", data={"source": "builtin:reviews", "options": {"n_samples": 300}}))
    encoders = default_encoders({}, prepared.inputs)
    assert encoders == {"table": [], "review": TEXT_ENCODER}
    assert TEXT_ENCODER == [{"kind": "embedding", "dim": 64}, {"kind": "seq_pool", "mode": "mean"}]
    dense = [{"kind": "dense", "units": 32}, {"kind": "activation", "fn": "relu"}]
    assert model_for_data(dense, False, False, text_only=True) == TEXT_MODEL
    assert [*TEXT_ENCODER, {"kind": "dense", "units": 64}, {"kind": "activation", "fn": "relu"}] == TEXT_MODEL
    assert model_for_data([{"kind": "embedding", "dim": 8}, {"kind": "lstm"}], False, False, text_only=True) is None


class _BagParams(Params):
    vocab: int = Field(2, ge=2)
    dim: int = Field(8, ge=1)


class _Bag(nn.Module):
    """Mean of the token embeddings, padding left out: (B, L) int64 -> (B, dim)."""

    def __init__(self, vocab: int, dim: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mask = (x != 0).unsqueeze(-1).float()  # (B, L, 1)
        return (self.embed(x) * mask).sum(1) / mask.sum(1).clamp(min=1.0)


class _BagBlock(Block):
    @classmethod
    def out_shape(cls, p: _BagParams, shape: tuple[int, ...], where: str) -> tuple[int, ...]:
        return (p.dim,)

    @classmethod
    def build(cls, p: _BagParams, shape: tuple[int, ...]) -> nn.Module:
        return _Bag(p.vocab, p.dim)


@pytest.fixture
def text_encoder():
    """Blocks that read token ids: the real ones when registered, else a bag of tokens for this test."""
    if "embedding" in BLOCKS.names():
        yield lambda vocab: [{"kind": "embedding", "dim": 8}, {"kind": "seq_pool", "mode": "mean"}]
        return
    BLOCKS.register("test_token_bag", _BagParams, "test only")(_BagBlock)
    try:
        yield lambda vocab: [{"kind": "test_token_bag", "vocab": vocab, "dim": 8}]
    finally:
        BLOCKS._entries.pop("test_token_bag", None)


def _csv(tmp_path: Path) -> str:
    frame = make_reviews(400, 3)
    frame.loc[[0, 5, 9], "review"] = [None, "", "love it 😍 — זה טוב מאוד"]  # missing, empty, emoji and Hebrew
    frame.to_csv(tmp_path / "reviews.csv", index=False)
    return f"csv:{tmp_path / 'reviews.csv'}"


@pytest.mark.slow
def test_a_text_run_loads_back_and_predicts_raw_rows_as_training_did(tmp_path: Path, text_encoder) -> None:
    source = _csv(tmp_path)
    steps = [{"kind": "tokenize", "max_length": 20}]
    probe = prepare(_recipe(source, preprocessing=steps))
    vocab = probe.inputs[-1].spec.vocab_size
    recipe = _recipe(source, preprocessing=steps, encoders={"review": text_encoder(vocab)},
                     model=[{"kind": "dense", "units": 8}, {"kind": "activation", "fn": "relu"}],
                     training={"epochs": 2, "batch_size": 64})
    prepared = prepare(recipe)
    assert prepared.table.column_types["review"] == "text"
    result = train_recipe(recipe, runs_root=tmp_path / "runs", prepared=prepared)
    run = load_run(result.run_dir)
    assert [i.kind for i in run.inputs] == ["table", "text"]
    frame = run.test_frame()
    raw = run.raw_inputs(frame)
    assert raw[1].dtype == np.int64 and np.array_equal(raw[1], prepared.x_test["review"])
    expected = predict(run.model, [prepared.x_test[name] for name, _ in prepared.in_shapes], "classification")
    assert np.allclose(run.predict_frame(frame), expected, atol=1e-6)
    new = pd.DataFrame({"review": ["it is not good at all", None, "zzz qqq"], "price": [10.0, 20.0, 30.0],
                        "category": ["books", "toys", "garden"]})
    out = run.predict_frame(new)
    assert out.shape == (3, 2) and np.isfinite(out).all()  # missing text and unseen words are fine


def test_text_alone_is_one_input_and_the_table_steps_say_they_had_nothing_to_do() -> None:
    recipe = Recipe.from_dict({"data": {"source": "builtin:reviews", "options": {"n_samples": 300},
                                        "features": ["review"]},
                               "preprocessing": [{"kind": "scale"}, {"kind": "tokenize", "tokenizer": "char"}]})
    prepared = prepare(recipe)
    assert [i.kind for i in prepared.inputs] == ["text"] and prepared.preprocessor is None
    assert list(prepared.x_train) == ["review"] and prepared.in_shape == (prepared.inputs[0].spec.max_length,)
    assert [(r.index, r.kind) for r in prepared.reports] == [(None, "preprocessing"), (1, "tokenize")]
