"""A model with a text input: LayerIntegratedGradients at the embedding, one attribution per token.

Skipped where the text input or the embedding block is not in this checkout yet (they come from the
text branches); the attributions code follows their contract (docs/engine-api.md, "Text and sequences").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.explain import attribute, permutation_importance_of, raw_columns
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.runs import load_run

pytest.importorskip("studio.inputs.text", reason="the text input is not in this checkout yet")


@pytest.fixture(scope="module")
def text_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from studio.blocks import BLOCKS

    if "embedding" not in BLOCKS:
        pytest.skip("the embedding block is not in this checkout yet")
    recipe = Recipe.from_dict({"name": "reviews", "data": {"source": "builtin:reviews"},
                               "model": [{"kind": "dense", "units": 16}, {"kind": "activation", "fn": "relu"}],
                               "training": {"epochs": 3, "batch_size": 64, "seed": 0}})
    return train_recipe(recipe, runs_root=tmp_path_factory.mktemp("text")).run_dir


def test_tokens_get_attributions_that_add_up(text_run: Path):
    run = load_run(text_run)
    text = next(i for i in run.inputs if i.kind == "text")
    rows = run.test_frame().head(6)
    a = attribute(run, rows)
    assert a.kinds[text.column] == "text" and "unknown words" in a.baseline
    np.testing.assert_allclose(a.table.sum(axis=1).to_numpy(), a.outputs - a.base_outputs, atol=3e-3)
    np.testing.assert_allclose(a.outputs, run.predict_frame(rows).max(axis=1), rtol=1e-5)
    for i, review in enumerate(rows[text.column]):
        tokens = a.tokens[text.column][i]
        assert [t for t, _ in tokens] == text.spec.tokens(review)[: len(text.spec.ids(review))]
        assert sum(s for _, s in tokens) == pytest.approx(float(a.table[text.column].iloc[i]), abs=1e-5)


def test_a_text_column_is_shuffled_as_one(text_run: Path):
    run = load_run(text_run)
    kinds = {c.name: c.kind for c in raw_columns(run)}
    assert "text" in kinds.values()
    table = permutation_importance_of(run, repeats=2)
    assert set(table["column"]) == set(kinds)
