"""The README's "Train on your own text" works as written: its recipe trains on a CSV of reviews with
a price and a star rating, exports, and its onnxruntime snippet runs on the file, raw string in.

The recipe and the snippet are read from the README itself, so the instructions cannot rot."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from studio.cli import main
from studio.data.reviews import make_reviews
from tests.conftest import ROOT

SECTION = "## Train on your own text"


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text
    return text.split(SECTION, 1)[1].split("\n## ", 1)[0]


@pytest.mark.slow
def test_the_readme_text_recipe_trains_exports_and_takes_raw_strings(tmp_path, monkeypatch, capsys) -> None:
    section = _section()
    recipe = json.loads(re.findall(r"```json\n(.*?)```", section, flags=re.S)[0])
    snippet = re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]
    frame = make_reviews(600, seed=5)
    rng = np.random.default_rng(5)
    good = frame["sentiment"] == "positive"
    frame["rating"] = np.where(good, rng.choice(["4 stars", "5 stars"], len(frame)),
                               rng.choice(["1 star", "2 stars"], len(frame)))
    monkeypatch.chdir(tmp_path)
    frame[["review", "price", "rating"]].to_csv("reviews.csv", index=False)
    (tmp_path / "recipe.json").write_text(json.dumps(recipe))
    assert main(["train", "recipe.json", "--out", "runs", "--quiet"]) == 0
    run = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["export", run]) == 0
    scope: dict = {}
    exec(snippet.replace("runs/<run>", run), scope)
    probabilities = scope["s"].run(None, {"numeric": np.array([[19.9]], dtype=np.float32),
                                          "review": np.array(["not bad at all, i would buy it again"],
                                                             dtype=object)})[0]
    assert probabilities.shape == (1, 4) and abs(float(probabilities.sum()) - 1) < 1e-4
