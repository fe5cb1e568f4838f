"""A network of a table and a picture column: both explained on one path, each raw column once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.explain import attribute, permutation_importance_of, raw_columns
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.runs import load_run
from tests.images.test_image_columns import _photos_csv


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mixed")
    mp = pytest.MonkeyPatch()
    mp.setenv("STUDIO_CACHE_DIR", str(root / "cache"))
    csv = _photos_csv(root, n=60)
    recipe = Recipe.from_dict({
        "name": "photos", "data": {"source": f"csv:{csv}", "target": "label", "columns": {"photo": "image"},
                                   "options": {"image_size": 12}},
        "model": [{"kind": "dense", "units": 8}], "training": {"epochs": 3, "batch_size": 16, "seed": 0}})
    yield train_recipe(recipe, runs_root=root / "runs").run_dir
    mp.undo()


def test_table_columns_and_the_picture_are_explained_together(mixed_run: Path):
    run = load_run(mixed_run)
    kinds = {c.name: c.kind for c in raw_columns(run)}
    assert kinds == {"size": "numeric", "brightness": "numeric", "photo": "image"}
    rows = run.test_frame()
    images = run.test_images()
    a = attribute(run, rows, images)
    assert list(a.table.columns) == ["size", "brightness", "photo"]
    assert a.heatmaps["photo"].shape == (len(rows), 12, 12)
    np.testing.assert_allclose(a.table.sum(axis=1).to_numpy(), a.outputs - a.base_outputs, atol=2e-3)
    np.testing.assert_allclose(a.outputs, run.predict_frame(rows, images).max(axis=1), rtol=1e-5)
    table = permutation_importance_of(run, repeats=2)
    assert sorted(table["column"]) == ["brightness", "photo", "size"]
    assert table.set_index("column").loc["photo", "kind"] == "image"
