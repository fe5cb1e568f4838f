"""A CSV whose column names picture files (``data.columns: {"photo": "image"}``): pictures beside table
columns, regression from pictures, the CSV's folder as the root, and what the app refuses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.data import load_table
from studio.data.access import DataAccess
from studio.errors import DataError, RecipeError
from studio.recipe import DataConfig, Recipe
from tests.images.conftest import studio_in

COLOURS = {"red": (220, 30, 30), "green": (30, 200, 30), "blue": (30, 30, 220)}


def _photos_csv(folder: Path, n: int = 36, refs: dict[int, str] | None = None) -> Path:
    """``photos.csv`` in ``folder`` naming pictures in ``pics/``: a colour label, its brightness and a size."""
    rng = np.random.default_rng(0)
    (folder / "pics").mkdir(parents=True, exist_ok=True)
    lines = ["photo,size,label,brightness"]
    for i in range(n):
        label = list(COLOURS)[i % 3]
        arr = np.clip(np.array(COLOURS[label]) * rng.uniform(0.5, 1.0) + rng.normal(0, 10, (20, 24, 3)), 0, 255)
        Image.fromarray(arr.astype(np.uint8)).save(folder / "pics" / f"p{i}.png")
        ref = (refs or {}).get(i, f"pics/p{i}.png")
        lines.append(f"{ref},{rng.normal():.3f},{label},{arr.mean():.2f}")
    (folder / "photos.csv").write_text("\n".join(lines) + "\n")
    return folder / "photos.csv"


def _config(csv: Path | str, **kw) -> DataConfig:
    return DataConfig(**{"source": f"csv:{csv}", "target": "label", "columns": {"photo": "image"}, **kw})


def test_an_image_column_becomes_a_picture_input_beside_the_table_columns(tmp_path):
    table = load_table(_config(_photos_csv(tmp_path), options={"image_size": 16}))
    assert table.features == ["size", "brightness", "photo"] and table.column_types["photo"] == "image"
    pixels = table.images["photo"].images
    assert pixels.shape == (36, 3, 16, 16) and pixels.dtype == np.uint8
    red = pixels[0].reshape(3, -1).mean(axis=1)  # row 0 is red: the pixels follow the rows
    assert red[0] > red[1] and red[0] > red[2]
    assert any("image column 'photo'" in note and "16x16" in note for note in table.notes)


def test_pictures_alone_can_predict_a_number(tmp_path):
    table = load_table(_config(_photos_csv(tmp_path), target="brightness", features=["photo"]))
    assert table.task == "regression" and table.features == ["photo"]
    assert table.images["photo"].images.shape[0] == len(table.frame) == 36


def test_a_missing_picture_is_named(tmp_path):
    csv = _photos_csv(tmp_path, refs={4: "pics/nope.png"})
    with pytest.raises(DataError, match=r"picture 'pics/nope.png' of image column 'photo' does not exist"):
        load_table(_config(csv))


@pytest.mark.parametrize("ref", ["../outside.png", "/etc/passwd"])
def test_in_the_app_a_picture_outside_the_csvs_folder_is_refused(tmp_path, ref):
    data = tmp_path / "data"
    csv = _photos_csv(data, refs={2: ref})
    Image.new("RGB", (8, 8)).save(tmp_path / "outside.png")
    with pytest.raises(DataError, match="outside the CSV's folder") as err:
        load_table(_config("photos.csv"), DataAccess.confined(data))
    assert "\n" not in str(err.value)
    if ref.endswith(".png"):
        assert load_table(_config(csv)).images  # the command line reads any path the person names
    assert len(load_table(_config(_photos_csv(tmp_path / "ok")), DataAccess.confined(tmp_path / "ok")).frame) == 36


def test_picture_options_are_checked_when_the_recipe_is_made(tmp_path):
    with pytest.raises(RecipeError, match="image_size") as err:
        _config(tmp_path / "photos.csv", options={"image_size": 2})
    assert err.value.location == ("data", "options")
    with pytest.raises(RecipeError, match="no column is an image"):
        DataConfig(source="csv:x.csv", target="label", options={"image_size": 32})
    with pytest.raises(RecipeError, match="unknown field 'size'"):
        _config(tmp_path / "photos.csv", options={"size": 32})


def test_image_is_for_csv_columns_only():
    with pytest.raises(DataError, match="'image' is for a CSV column"):
        load_table(DataConfig(source="builtin:iris", columns={"sepal_length_cm": "image"}))


@pytest.mark.slow
def test_train_export_and_predict_rows_naming_pictures_from_the_command_line(tmp_path):
    """Pictures beside numbers: trained, exported, and new rows (with their picture paths) predicted."""
    _photos_csv(tmp_path, n=60)
    recipe = Recipe.from_dict({
        "name": "photos-table",
        "data": {"source": "csv:photos.csv", "target": "label", "columns": {"photo": "image"},
                 "options": {"image_size": 16}},
        "preprocessing": [{"kind": "scale"}],
        "encoders": {"photo": [{"kind": "conv2d", "filters": 8}, {"kind": "activation"}, {"kind": "global_avg_pool"}]},
        "model": [{"kind": "dense", "units": 16}, {"kind": "activation"}],
        "training": {"epochs": 30, "batch_size": 16}})
    (tmp_path / "recipe.json").write_text(recipe.to_json())
    studio = studio_in(tmp_path)

    trained = studio("train", "recipe.json", "--out", "runs", "--quiet")
    assert trained.returncode == 0, trained.stderr
    run = trained.stdout.strip().splitlines()[-1]
    assert json.loads((tmp_path / run / "summary.json").read_text())["metrics"]["test"]["accuracy"] >= 0.8
    exported = studio("export", run)
    assert exported.returncode == 0, exported.stderr
    lines = (tmp_path / "photos.csv").read_text().splitlines()
    (tmp_path / "new.csv").write_text("\n".join(line.rsplit(",", 2)[0] + "," + line.rsplit(",", 1)[1]
                                                for line in lines[:7]) + "\n")
    predicted = studio("predict", f"{run}/model.onnx", "new.csv")
    assert predicted.returncode == 0, predicted.stderr
    labels = [row.split(",")[0] for row in predicted.stdout.strip().splitlines()[1:]]
    assert labels == [lines[i].split(",")[2] for i in range(1, 7)]
