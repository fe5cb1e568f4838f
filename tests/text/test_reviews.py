"""The built-in text set ``reviews``: seeded, typed, described, and not solvable without word order."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from studio.data import describe_datasets, load_table, split_table
from studio.data.reviews import make_reviews
from studio.recipe import DataConfig, SplitConfig


def test_reviews_are_seeded_and_typed() -> None:
    table = load_table(DataConfig(source="builtin:reviews"))
    assert len(table.frame) == 3000 and table.target == "sentiment" and table.task == "classification"
    assert table.column_types == {"review": "text", "price": "numeric", "category": "categorical"}
    assert table.class_labels == ["negative", "positive"]
    assert make_reviews(50, 7).equals(make_reviews(50, 7)) and not make_reviews(50, 7).equals(make_reviews(50, 8))
    counts = table.frame["sentiment"].value_counts(normalize=True)
    assert 0.35 < counts["negative"] < 0.65  # neither class is a giveaway
    text = " ".join(table.frame["review"])
    assert " not " in text and " but " in text and "never" in text and "i expected it to be" in text
    row = next(r for r in describe_datasets() if r["name"] == "reviews")
    assert row["rows"] == 3000 and row["features"] == 3 and "word order" in row["description"]


def test_a_bag_of_words_stays_far_below_what_word_order_gives() -> None:
    table = load_table(DataConfig(source="builtin:reviews"))
    splits = split_table(table, SplitConfig(), 0)
    words = CountVectorizer(token_pattern=r"[^\s,.!]+")
    bag = LogisticRegression(max_iter=2000).fit(words.fit_transform(splits.train["review"]), splits.train["sentiment"])
    accuracy = bag.score(words.transform(splits.test["review"]), splits.test["sentiment"])
    assert 0.55 < accuracy < 0.8  # counting words is not enough (an order-aware model reaches ~99%)
    # the same words in another order say the opposite: "a, but b" against "b, but a"
    flipped = [r for r in splits.test["review"] if ", but " in r and not r.startswith(("although", "i "))]
    assert flipped, "the set has contrasts"
    a, b = flipped[0].rstrip(".!").split(", but ")
    swapped = np.asarray(words.transform([f"{a}, but {b}", f"{b}, but {a}"]).todense())
    assert (swapped[0] == swapped[1]).all()  # one bag of words for two opposite reviews


def test_the_data_page_summary_of_a_text_column() -> None:
    from studio.text.summary import summarize_text

    table = load_table(DataConfig(source="builtin:reviews", options={"n_samples": 400}))
    texts = table.frame["review"].copy()
    texts.iloc[:3] = [None, "", "  "]
    summary = summarize_text(texts, "review", examples=4)
    assert summary.rows == 400 and summary.empty == 3 and len(summary.lengths) == 400
    assert summary.lengths[:3].tolist() == [0, 0, 0] and summary.lengths.max() > 5
    assert summary.top_tokens[0][0] in {".", "the", "is", "it"} and len(summary.top_tokens) == 20
    assert len(summary.examples) == 4 and all(e.strip() for e in summary.examples)
    assert summarize_text(texts, "review", examples=4).examples == summary.examples
