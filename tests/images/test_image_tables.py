"""images:PATH sources: a class-per-folder dataset (or its zip) becomes a table of pictures and labels."""

from __future__ import annotations

import json
import pickle
import zipfile

import numpy as np
import pytest
from PIL import Image

from studio.data import load_table
from studio.errors import DataError, RecipeError
from studio.recipe import DataConfig, Recipe
from tests.images.conftest import studio_in, write_folder


def test_a_folder_of_pictures_is_a_classification_table(tmp_path):
    root = write_folder(tmp_path / "pets", {"cat": 4, "dog": 3}, size=(40, 30))
    Image.new("RGB", (400, 100), (9, 9, 9)).save(root / "dog" / "wide.png")  # a very different size
    table = load_table(DataConfig(source=f"images:{root}"))
    assert table.task == "classification" and table.class_labels == ["cat", "dog"]
    assert table.features == ["image"] and table.target == "label"
    assert table.frame["label"].tolist() == ["cat"] * 4 + ["dog"] * 4
    column = table.images["image"]
    assert column.images.shape == (8, 3, 30, 30)  # the median shorter side, colour
    notes = " ".join(table.notes)
    assert "2 sizes among 8 pictures: from 40x30 to 400x100" in notes and "resized to 30x30" in notes
    assert "cat (4 pictures), dog (4 pictures)" in notes


def test_options_choose_size_channels_and_fit(tmp_path):
    root = write_folder(tmp_path / "d", {"a": 2, "b": 2})
    table = load_table(DataConfig(source=f"images:{root}", options={"image_size": 16, "channels": "grey",
                                                                      "fit": "crop"}))
    assert table.images["image"].spec.shape == (1, 16, 16) and table.images["image"].spec.fit == "crop"
    with pytest.raises(RecipeError, match="image_size"):
        load_table(DataConfig(source=f"images:{root}", options={"image_size": 2}))
    with pytest.raises(RecipeError, match="unknown field 'colour'"):
        load_table(DataConfig(source=f"images:{root}", options={"colour": True}))


def test_a_zip_is_read_like_its_folder(tmp_path):
    root = write_folder(tmp_path / "src" / "pets", {"cat": 2, "dog": 2})
    zipped = tmp_path / "pets.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for p in root.rglob("*.png"):
            zf.write(p, f"pets/{p.relative_to(root).as_posix()}")
    table = load_table(DataConfig(source=f"images:{zipped}"))
    assert table.class_labels == ["cat", "dog"] and len(table.frame) == 4


@pytest.mark.parametrize(("config", "words"), [
    ({"source": "images:nowhere"}, "image folder 'nowhere' does not exist"),
    ({"target": "species"}, "predicts its folders' names"),
    ({"task": "regression"}, "a folder of pictures is a classification"),
])
def test_folder_mistakes_are_one_sentence(tmp_path, monkeypatch, config, words):
    monkeypatch.chdir(tmp_path)
    write_folder(tmp_path / "pets", {"cat": 2, "dog": 2})
    with pytest.raises(DataError, match=words):
        load_table(DataConfig(**{"source": "images:pets", **config}))


def test_an_unreadable_picture_is_named_or_skipped_when_allowed(tmp_path):
    root = write_folder(tmp_path / "d", {"a": 3, "b": 3})
    (root / "b" / "1.png").write_bytes(b"not a picture")
    with pytest.raises(DataError, match=r"'b/1.png' is not a readable image.*skip_unreadable"):
        load_table(DataConfig(source=f"images:{root}"))
    table = load_table(DataConfig(source=f"images:{root}", options={"skip_unreadable": True}))
    assert len(table.frame) == 5 and "b/1.png" not in table.frame["image"].tolist()
    assert any("skipped 1 unreadable picture: 'b/1.png'" in n for n in table.notes)
    assert len(table.images["image"].images) == 5


def test_a_cached_table_pickles_without_its_pixels(tmp_path):
    """Streamlit's data cache pickles what it returns: the pixels stay in the image cache."""
    root = write_folder(tmp_path / "d", {"a": 20, "b": 20}, size=(64, 64))
    table = load_table(DataConfig(source=f"images:{root}", options={"image_size": 64}))
    blob = pickle.dumps(table)
    assert len(blob) < table.images["image"].images.nbytes / 4
    again = pickle.loads(blob)
    assert np.array_equal(again.images["image"].images, table.images["image"].images)


@pytest.mark.slow
def test_train_export_and_predict_a_folder_from_the_command_line(tmp_path):
    """The whole path a person with a photo folder takes: train, export, predict files with onnxruntime."""
    rng = np.random.default_rng(0)
    for label, colour in (("red", (220, 30, 30)), ("blue", (30, 30, 220))):
        (tmp_path / "photos" / label).mkdir(parents=True)
        for i in range(12):
            arr = np.clip(np.array(colour) + rng.normal(0, 20, (24, 32, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(arr).save(tmp_path / "photos" / label / f"{i}.jpg")
    recipe = Recipe.from_dict({"name": "photos", "data": {"source": "images:photos"},
                               "model": [{"kind": "conv2d", "filters": 4}, {"kind": "activation"},
                                         {"kind": "global_avg_pool"}],
                               "training": {"epochs": 15, "batch_size": 8}})
    (tmp_path / "recipe.json").write_text(recipe.to_json())
    studio = studio_in(tmp_path)

    trained = studio("train", "recipe.json", "--out", "runs", "--quiet")
    assert trained.returncode == 0, trained.stderr
    run = trained.stdout.strip().splitlines()[-1]
    exported = studio("export", run)
    assert exported.returncode == 0, exported.stderr
    card = json.loads((tmp_path / run / "model_card.json").read_text())
    assert card["inputs"]["graph_inputs"] == {"image": "uint8[batch, 24, 24, 3]"}
    Image.new("RGB", (50, 40), (230, 20, 20)).save(tmp_path / "new_red.png")
    predicted = studio("predict", f"{run}/model.onnx", "new_red.png", "photos/blue")
    assert predicted.returncode == 0, predicted.stderr
    rows = predicted.stdout.strip().splitlines()
    assert rows[0].startswith("file,prediction") and len(rows) == 1 + 1 + 12
    assert rows[1].split(",")[1] == "red" and all(r.split(",")[1] == "blue" for r in rows[2:])
