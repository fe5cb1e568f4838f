"""``reviews``: generated product reviews whose sentiment depends on word order (the text teaching set).

Each review is made of clauses whose words are drawn the same way for both sentiments, so counting
words says little; the order says it all:

- negation: "the battery is not good" is negative, "it is never disappointing" positive;
- contrast: in "the screen is great, but the battery is awful" the clause after "but" (or
  "however", or the main clause after "although") decides, and the other one says the opposite;
- expectations: "i expected it to be bad but it was great".

A bag of words (logistic regression on token counts) reaches about two thirds of it; a model that reads
the order (an LSTM or a transformer) gets far higher. ``price`` and ``category`` carry a weak
signal of their own (dear items and electronics are reviewed a little more harshly), so a model of
text and table columns together has something to gain from both. Seeded by ``DataConfig.seed``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from studio.data.datasets import DATASETS
from studio.data.table import Table
from studio.registry import Params

TARGET = "sentiment"
LABELS = ["negative", "positive"]
CATEGORIES = {  # category -> (lowest price, highest price, its nouns)
    "books": (5.0, 45.0, ["book", "story", "cover", "print", "plot", "ending"]),
    "kitchen": (8.0, 160.0, ["pan", "blender", "handle", "lid", "kettle", "knife"]),
    "electronics": (15.0, 900.0, ["battery", "screen", "charger", "speaker", "sound", "camera"]),
    "toys": (4.0, 90.0, ["puzzle", "doll", "game", "car", "kit", "set"]),
    "garden": (6.0, 220.0, ["hose", "shovel", "chair", "lamp", "planter", "table"]),
}
GOOD = ["good", "great", "excellent", "sturdy", "reliable", "lovely", "perfect", "solid", "fun", "comfortable"]
BAD = ["bad", "awful", "terrible", "flimsy", "useless", "cheap", "broken", "disappointing", "poor", "noisy"]
INTENSIFIERS = ["", "", "", "really ", "very ", "quite ", "so "]
FILLERS = ["arrived on time.", "bought it as a gift.", "second one i have ordered.", "delivery took a week.",
           "my sister has the same one.", "used it for a month now.", "came in a plain box.", "ordered it online."]


class ReviewsParams(Params):
    n_samples: int = Field(3000, ge=200, le=50_000, description="Number of reviews.",
                           json_schema_extra={"ui": "slider"})


def _adjective(rng: np.random.Generator, positive: bool) -> str:
    words = GOOD if positive else BAD
    return words[rng.integers(len(words))]


def _clause(rng: np.random.Generator, positive: bool, noun: str) -> str:
    """One clause of the given sentiment; a quarter of them say it through a negation."""
    shape = rng.integers(8)
    intensity = INTENSIFIERS[rng.integers(len(INTENSIFIERS))]
    subject = f"the {noun}" if rng.random() < 0.7 else "it"
    verb = "is" if rng.random() < 0.6 else "was"
    if shape <= 2:
        return f"{subject} {verb} {intensity}{_adjective(rng, positive)}"
    if shape == 3:
        return f"{subject} {verb} not {intensity}{_adjective(rng, not positive)}"
    if shape == 4:
        return f"{subject} {verb} never {_adjective(rng, not positive)}"
    if shape == 5:
        return f"{subject} {verb} always {_adjective(rng, positive)}"
    return "i would recommend it" if positive else "i would not recommend it"


def _review(rng: np.random.Generator, positive: bool, noun: str, other: str) -> str:
    """A review: one clause, a contrast whose second part decides, an expectation turned, or two alike."""
    form = rng.random()
    if form < 0.6:
        text = _clause(rng, positive, noun)
    elif form < 0.82:
        first, second = _clause(rng, not positive, other), _clause(rng, positive, noun)
        joint = rng.integers(3)
        text = (f"{first}, but {second}" if joint == 0 else f"{first}. however, {second}" if joint == 1
                else f"although {first}, {second}")
    elif form < 0.92:
        before, after = _adjective(rng, not positive), _adjective(rng, positive)
        text = (f"i expected it to be {before} but it was {after}" if rng.random() < 0.5
                else f"i thought the {noun} would be {before}, it turned out {after}")
    else:
        text = f"{_clause(rng, positive, noun)} and {_clause(rng, positive, other)}"
    if rng.random() < 0.3:
        filler = FILLERS[rng.integers(len(FILLERS))]
        text = f"{filler} {text}" if rng.random() < 0.5 else f"{text}. {filler}"
    return text if text.endswith(".") else text + ("!" if rng.random() < 0.2 else ".")


def make_reviews(n: int, seed: int) -> pd.DataFrame:
    """``n`` reviews with their price, category and sentiment, the same for the same seed."""
    rng = np.random.default_rng(seed)
    names = list(CATEGORIES)
    rows = []
    for _ in range(n):
        category = names[rng.integers(len(names))]
        low, high, nouns = CATEGORIES[category]
        share = rng.random()
        price = round(float(low * (high / low) ** share), 2)  # log-uniform within the category
        odds = 0.68 - 0.25 * share - (0.08 if category == "electronics" else 0.0)  # dear items: a little harsher
        positive = bool(rng.random() < odds)
        i = int(rng.integers(len(nouns)))
        noun, other = nouns[i], nouns[(i + 1 + int(rng.integers(len(nouns) - 1))) % len(nouns)]
        rows.append((_review(rng, positive, noun, other), price, category, LABELS[positive]))
    return pd.DataFrame(rows, columns=["review", "price", "category", TARGET])


@DATASETS.register("reviews", ReviewsParams,
                   "Product reviews (generated): text, price and category; sentiment depends on word order "
                   "(negation, 'but'), so a bag of words stays near 67%.")
def load_reviews(params: ReviewsParams, seed: int) -> Table:
    frame = make_reviews(params.n_samples, seed)
    frame["category"] = frame["category"].astype(object)
    features = ["review", "price", "category"]
    return Table(
        name="reviews", frame=frame, target=TARGET, features=features,
        column_types={"review": "text", "price": "numeric", "category": "categorical"},
        task="classification", class_labels=list(LABELS),
        notes=["generated reviews: the sentiment is decided by word order (negation, contrast with 'but')"],
    )
