"""The tokenize step: options per text column, one report per column, the table's steps untouched,
and one clear sentence for a step that names the wrong column."""

from __future__ import annotations

import pytest

from studio.data import load_table, split_table
from studio.errors import RecipeError
from studio.inputs import fit_inputs
from studio.preprocess import STEPS
from studio.recipe import DataConfig, Recipe, SplitConfig


@pytest.fixture(scope="module")
def reviews():
    table = load_table(DataConfig(source="builtin:reviews", options={"n_samples": 300},
                                  columns={"category": "text"}))
    return table, split_table(table, SplitConfig(), 0).train


def test_the_step_is_registered_with_bounds_and_descriptions() -> None:
    entry = STEPS["tokenize"]
    fields = entry.params.model_fields
    assert set(fields) == {"columns", "tokenizer", "vocab_size", "min_frequency", "max_length", "lowercase"}
    assert all(f.description for f in fields.values())
    with pytest.raises(RecipeError, match="vocab_size"):
        Recipe.from_dict({"preprocessing": [{"kind": "tokenize", "vocab_size": 0}]})
    with pytest.raises(RecipeError, match="tokenizer"):
        Recipe.from_dict({"preprocessing": [{"kind": "tokenize", "tokenizer": "sentencepiece"}]})


def test_each_text_column_gets_its_step_or_the_defaults_with_one_report_each(reviews) -> None:
    table, train = reviews
    steps = [{"kind": "scale"}, {"kind": "tokenize", "columns": ["category"], "tokenizer": "char", "max_length": 12}]
    fitted = fit_inputs(steps, table, train)
    by_name = {i.name: i for i in fitted.inputs}
    assert [i.kind for i in fitted.inputs] == ["table", "text", "text"]  # table first, then texts in order
    assert by_name["category"].spec.kind == "char" and by_name["category"].spec.max_length == 12
    assert by_name["review"].spec.kind == "word"
    tokenize = [r for r in fitted.reports if r.kind == "tokenize"]
    assert [(r.index, r.auto) for r in tokenize] == [(None, True), (1, False)]
    assert tokenize[0].summary.startswith("added automatically because 'review' is text and no tokenize step")
    assert "'category': char tokens, a vocabulary of" in tokenize[1].summary and "12 tokens per text" in \
        tokenize[1].summary
    scale = next(r for r in fitted.reports if r.kind == "scale")
    assert scale.index == 0 and "scaled 1 column" in scale.summary  # price alone: the table never sees the texts


def test_a_step_for_every_column_and_the_table_steps_keep_their_indices(reviews) -> None:
    table, train = reviews
    steps = [{"kind": "tokenize", "tokenizer": "bpe", "vocab_size": 80}, {"kind": "pca", "n_components": 5}]
    with pytest.raises(RecipeError) as err:  # one numeric column: pca cannot make 5
        fit_inputs(steps, table, train)
    assert err.value.location == ("preprocessing", 1) and "preprocessing step 2 (pca)" in str(err.value)
    fitted = fit_inputs(steps[:1], table, train)
    assert {i.spec.kind for i in fitted.inputs if i.kind == "text"} == {"bpe"}


@pytest.mark.parametrize(("steps", "words", "index"), [
    ([{"kind": "tokenize", "columns": ["price"]}],
     r"preprocessing step 1 \(tokenize\) names 'price', which is a numeric column, not text; remove it from the "
     r"step's columns, or set data.columns \{'price': 'text'\} to read it as text", 0),
    ([{"kind": "scale"}, {"kind": "tokenize", "columns": ["revew"]}],
     r"preprocessing step 2 \(tokenize\) names 'revew', which is not a text column of the data; its text columns "
     r"are 'review', 'category'", 1),
    ([{"kind": "tokenize", "columns": ["review"]}, {"kind": "tokenize", "columns": ["review", "category"]}],
     r"preprocessing step 2 \(tokenize\) names 'review', which step 1 \(tokenize\) names too; keep it in one", 1),
    ([{"kind": "tokenize"}, {"kind": "tokenize", "tokenizer": "char"}],
     r"preprocessing step 2 \(tokenize\) and step 1 both tokenize every text column; keep one", 1),
])
def test_a_wrong_step_is_one_sentence_located_at_the_step(reviews, steps, words, index) -> None:
    table, train = reviews
    with pytest.raises(RecipeError, match=words) as err:
        fit_inputs(steps, table, train)
    assert err.value.location == ("preprocessing", index) and "\n" not in str(err.value)


def test_a_tokenize_step_on_data_without_text_says_it_found_none() -> None:
    table = load_table(DataConfig(source="builtin:iris"))
    train = split_table(table, SplitConfig(), 0).train
    fitted = fit_inputs([{"kind": "tokenize"}], table, train)
    assert [i.kind for i in fitted.inputs] == ["table"]
    assert [(r.index, r.summary) for r in fitted.reports if r.kind == "tokenize"] == \
        [(0, "found no text column to tokenize")]
    with pytest.raises(RecipeError, match="names 'species', which is not a text column of the data; the data has "
                                          "no text column"):
        fit_inputs([{"kind": "tokenize", "columns": ["species"]}], table, train)


def test_an_all_empty_training_split_is_located_at_its_step(reviews) -> None:
    table, train = reviews
    empty = train.assign(category="")
    with pytest.raises(Exception, match="text column 'category' is empty or missing in all") as err:
        fit_inputs([{"kind": "tokenize", "columns": ["category"]}], table, empty)
    assert err.value.location == ("preprocessing", 0)


def test_drop_duplicates_reads_the_text_too(reviews) -> None:
    table, train = reviews
    same_table_part = train.assign(price=1.0, category="books")  # rows differ only in their review
    fitted = fit_inputs([{"kind": "drop_duplicates"}], table, same_table_part)
    assert len(fitted.train_frame) == same_table_part["review"].nunique()
