"""Models with text inputs exported to one ONNX file that takes the raw strings (word and char
tokenizers inside the graph) or, for a subword tokenizer, the ids with the tokenizer beside the file.

The run is hand-made with the shape of ``LoadedRun``: a stand-in for the text input of the contract
(kind "text", name = the column, ``.spec``), a table input and a tiny torch network (embedding,
masked mean, linear) on int64 (B, L) ids.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from studio.errors import ExportError
from studio.export.exporter import export_loaded
from studio.export.parity import Rows, check_parity, onnx_outputs, torch_outputs
from studio.export.predict import TEXT_CHUNK_CHARS, chunks, predict_csv, predict_frame, read_schema
from studio.export.session import make_session
from studio.inference import InferenceModule
from studio.recipe import Recipe
from studio.runs import RunSummary
from studio.status import RunStatus
from studio.text.spec import TokenizerSpec
from tests.export.conftest import HandPreprocessor, ImputeScale, raw_frame

WORDS = ["good", "bad", "great", "awful", "not", "very", "movie", "plot", "the", "was", "is", "it"]
PUNCT = list("!.,?'")


@dataclass
class TextStandIn:
    """The contract's TextInput as export reads it: kind "text", name = column, spec."""

    name: str
    spec: TokenizerSpec
    kind: str = "text"


@dataclass
class TableStandIn:
    kind: str = "table"
    name: str = "table"


class BagOfEmbeddings(nn.Module):
    """ids (B, L) -> embedding -> mean over the non-pad positions; beside an optional table vector."""

    def __init__(self, vocab: int, n_table: int, n_out: int, dim: int = 8) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=0)
        self.out = nn.Linear(dim + n_table, n_out)

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        *table, ids = inputs
        mask = (ids != 0).unsqueeze(-1).to(torch.float32)
        mean = (self.embed(ids) * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.out(torch.cat([*table, mean], dim=1))


class LastRealStep(nn.Module):
    """ids (B, L) -> embedding -> GRU -> the state at each row's last real token (right padding)."""

    def __init__(self, vocab: int, n_out: int, dim: int = 8) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=0)
        self.gru = nn.GRU(dim, dim, batch_first=True)
        self.out = nn.Linear(dim, n_out)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        states, _ = self.gru(self.embed(ids))  # (B, L, D)
        last = ((ids != 0).sum(1) - 1).clamp(min=0)  # an empty text reads step 0
        return self.out(states[torch.arange(ids.shape[0]), last])


@dataclass
class TextRun:
    path: Path
    inputs: list[Any]
    preprocessor: Any
    network: nn.Module
    meta: dict[str, Any]
    frame: pd.DataFrame
    recipe: Recipe = field(default_factory=lambda: Recipe.from_dict({"name": "hand-made-text"}))
    summary: RunSummary = field(default_factory=lambda: RunSummary(RunStatus.COMPLETED, "hand-made", "", "accuracy"))

    def inference_module(self) -> nn.Module:
        prep = [self.preprocessor.to_torch() if i.kind == "table" else nn.Identity() for i in self.inputs]
        return InferenceModule(prep, self.network, self.meta["task"]).eval()

    def raw_inputs(self, frame: pd.DataFrame, images: Any = None) -> list[np.ndarray]:
        return [self.preprocessor.encode(frame) if i.kind == "table" else i.spec.encode(frame[i.name].tolist())
                for i in self.inputs]

    def test_frame(self) -> pd.DataFrame:
        return self.frame.copy()


def review(rng: random.Random) -> str:
    n = rng.choice([0, 1, 3, 6, 12, 40])
    parts = [rng.choice(WORDS).capitalize() if rng.random() < 0.2 else rng.choice(WORDS) for _ in range(n)]
    text = " ".join(p + (rng.choice(PUNCT) if rng.random() < 0.2 else "") for p in parts)
    return text + rng.choice(["", " 😀", "!!", " 好", "\tok\n"])


def texts_frame(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = random.Random(seed)
    frame = raw_frame(n, seed)
    frame["review"] = pd.Series([review(rng) for _ in range(n)], dtype=object)
    frame.loc[5, "review"] = np.nan
    frame.loc[6, "review"] = ""
    frame.loc[7, "review"] = "GOOD " * 5000  # far past max_length
    return frame


def word_spec(frame: pd.DataFrame, kind: str = "word", max_length: int = 16) -> TokenizerSpec:
    keep = PUNCT if kind == "word" else sorted({c for t in frame["review"].dropna() for c in t.lower()} - set(" \t\n"))
    probe = TokenizerSpec(kind, True, [" ", "\t", "\n"], keep, [], max_length)
    vocab = sorted({tok for t in frame["review"].iloc[:80] for tok in probe.tokens(t)})[:40]
    return TokenizerSpec(kind, True, [" ", "\t", "\n"], keep, vocab, max_length)


def bpe_spec(frame: pd.DataFrame, max_length: int = 12) -> TokenizerSpec:
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.BpeTrainer(vocab_size=80, special_tokens=["[PAD]", "[UNK]"])
    tok.train_from_iterator(frame["review"].dropna().tolist(), trainer)
    vocab = [t for t, _ in sorted(tok.get_vocab().items(), key=lambda kv: kv[1])][2:]
    return TokenizerSpec("bpe", False, [], [], vocab, max_length, subword=tok.to_str())


def make_text_run(tmp_path: Path, spec_of=word_spec, table: bool = True, seed: int = 0,
                  recurrent: bool = False) -> TextRun:
    torch.manual_seed(seed)
    frame = texts_frame(seed=seed)
    spec = spec_of(frame)
    from studio.preprocess.encoder import CategoricalColumn, Encoder

    enc = Encoder(["a", "b"], [CategoricalColumn("color", ["blue", "green", "red"], ["violet"], fill="red")])
    x = HandPreprocessor(enc, nn.Identity()).encode(frame)
    fill = np.nan_to_num(np.nanmean(x, axis=0))
    pre = HandPreprocessor(enc, ImputeScale(fill, fill, np.nanstd(x, axis=0) + 1e-3)) if table else None
    inputs = ([TableStandIn()] if table else []) + [TextStandIn("review", spec)]
    # two spare rows: a subword spec's ids may count its tokenizer's own [PAD] and [UNK] or not
    net = LastRealStep(spec.vocab_size + 2, 3).eval() if recurrent else \
        BagOfEmbeddings(spec.vocab_size + 2, x.shape[1] if table else 0, 3).eval()
    with torch.no_grad():
        net.embed.weight.mul_(3.0)  # outputs that depend visibly on the words
    frame["label"] = np.asarray(["neg", "neu", "pos"])[np.arange(len(frame)) % 3]
    meta = {"task": "classification", "target": "label", "class_labels": ["neg", "neu", "pos"],
            "features": (["a", "b", "color"] if table else []) + ["review"]}
    path = tmp_path / f"run-{spec.kind}-{int(table)}"
    path.mkdir()
    return TextRun(path, inputs, pre, net, meta, frame)


@pytest.fixture(scope="module")
def word_export(tmp_path_factory):
    run = make_text_run(tmp_path_factory.mktemp("text"))
    return run, export_loaded(run)


def test_the_file_takes_the_raw_review_strings_and_matches_torch(word_export):
    run, report = word_export
    assert report.parity["passed"] and report.parity["label_agreement"] == 1.0
    assert report.parity["batch_sizes"] == [len(run.frame), 1]
    session = make_session(report.model_path)
    inputs = {i.name: (i.type, i.shape) for i in session.get_inputs()}
    assert inputs["review"] == ("tensor(string)", ["batch"])
    assert set(inputs) == {"numeric", "categorical", "review"}
    schema = read_schema(session)
    assert [(t.name, t.column, t.tokenizer, t.in_graph) for t in schema.texts] == [("review", "review", "word", True)]
    assert schema.input_shapes()["review"] == "string[batch]"


def test_each_row_alone_and_any_order_equal_torch(word_export):
    run, report = word_export
    session = make_session(report.model_path)
    rows = Rows(run.frame)
    want = torch_outputs(run, rows)
    for i in (0, 5, 6, 7, 50):  # a normal row, NaN, "", a row far past max_length
        np.testing.assert_allclose(onnx_outputs(session, rows.take([i]))[0], want[i], rtol=1e-4, atol=1e-5)
    assert check_parity(report.model_path, run, rows.take([7, 3, 6, 5])).passed


def test_predict_reads_the_text_column_of_a_csv(word_export, tmp_path):
    run, report = word_export
    csv = tmp_path / "rows.csv"
    run.frame.drop(columns=["label"]).to_csv(csv, index=False)
    result = predict_csv(report.model_path, csv)
    want = torch_outputs(run, Rows(run.frame))
    assert list(result["prediction"]) == list(np.asarray(run.meta["class_labels"])[want.argmax(1)])
    np.testing.assert_allclose(result[["proba_neg", "proba_neu", "proba_pos"]].to_numpy(), want, atol=1e-4)


def test_the_card_says_the_file_tokenizes_and_its_example_runs(word_export):
    _, report = word_export
    card = json.loads(report.card_path.read_text(encoding="utf-8"))
    texts = card["inputs"]["texts"]
    assert texts[0]["tokenized_inside_graph"] is True and texts[0]["max_length"] == 16
    assert card["inputs"]["graph_inputs"]["review"] == "string[batch]"
    assert card["operator_sets"]["ai.onnx.ml"] >= 3
    code = card["example"].replace('"model.onnx"', repr(str(report.model_path)))
    assert "\"review\": np.array([" in code
    exec(compile(code, "example", "exec"), {})  # our own generated example


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["char", "word"])
def test_a_text_only_model_exports(tmp_path, kind):
    run = make_text_run(tmp_path, lambda f: word_spec(f, kind, 24 if kind == "char" else 8), table=False)
    report = export_loaded(run)
    assert report.parity["passed"] and report.parity["label_agreement"] == 1.0
    session = make_session(report.model_path)
    assert [i.name for i in session.get_inputs()] == ["review"]
    out = predict_frame(session, pd.DataFrame({"review": ["", "not good", None]}))
    assert len(out) == 3


@pytest.mark.slow
def test_a_recurrent_model_matches_torch_for_every_length(tmp_path):
    run = make_text_run(tmp_path, table=False, recurrent=True)
    report = export_loaded(run)
    assert report.parity["passed"] and report.parity["label_agreement"] == 1.0
    session = make_session(report.model_path)
    rows = Rows(run.frame)
    want = torch_outputs(run, rows)
    lengths = (run.inputs[0].spec.encode(run.frame["review"].tolist()) != 0).sum(1)
    for length in sorted(set(lengths.tolist())):  # one row of each length alone, at batch 1
        i = int(np.flatnonzero(lengths == length)[0])
        np.testing.assert_allclose(onnx_outputs(session, rows.take([i]))[0], want[i], rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_a_subword_model_takes_ids_and_its_tokenizer_goes_beside_it(tmp_path):
    run = make_text_run(tmp_path, bpe_spec)
    report = export_loaded(run)
    assert report.parity["passed"]
    session = make_session(report.model_path)
    inputs = {i.name: (i.type, i.shape) for i in session.get_inputs()}
    assert inputs["review_ids"] == ("tensor(int64)", ["batch", 12])
    saved = json.loads((run.path / "tokenizer_review.json").read_text(encoding="utf-8"))
    assert TokenizerSpec.from_dict(saved).encode(["good movie"]).tolist() == \
        run.inputs[1].spec.encode(["good movie"]).tolist()
    card = json.loads(report.card_path.read_text(encoding="utf-8"))
    note = card["inputs"]["texts"][0]
    assert note["tokenized_inside_graph"] is False and note["tokenizer_file"] == "tokenizer_review.json"
    assert "token ids" in note["note"]
    exec(compile(card["example"].replace('"model.onnx"', repr(str(report.model_path))), "example", "exec"), {})
    csv = tmp_path / "rows.csv"
    run.frame.to_csv(csv, index=False)
    result = predict_csv(report.model_path, csv)  # the CSV's raw text column, tokenized by predict
    want = torch_outputs(run, Rows(run.frame))
    np.testing.assert_allclose(result[["proba_neg", "proba_neu", "proba_pos"]].to_numpy(), want, atol=1e-4)


def test_text_in_the_graph_needs_opset_20(tmp_path):
    run = make_text_run(tmp_path)
    with pytest.raises(ExportError, match="opset 20"):
        export_loaded(run, opset=18)


def test_a_missing_text_column_is_named(word_export):
    _, report = word_export
    session = make_session(report.model_path)
    with pytest.raises(ExportError, match="review"):
        predict_frame(session, pd.DataFrame({"a": [1.0], "b": [2.0], "color": ["red"]}))


def test_one_huge_text_is_fed_alone():
    from studio.export.schema import ModelSchema, TextInputSpec

    schema = ModelSchema([], "classification", "y", ["a"], "p", "", "", "", "", texts=[
        TextInputSpec("t", "t", "word", 8, True, 10)])
    feeds = {"t": np.asarray(["a"] * 10 + ["x" * TEXT_CHUNK_CHARS] + ["b"] * 5, dtype=object), "n": np.arange(16)}
    parts = chunks(schema, feeds)
    assert [len(p["t"]) for p in parts] == [10, 1, 5]
    assert np.concatenate([p["n"] for p in parts]).tolist() == list(range(16))
