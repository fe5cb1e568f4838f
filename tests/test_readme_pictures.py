"""The README's "Train on your own pictures" works as written: its recipe and its commands, run on a
generated folder of photos (several sizes, JPEG and PNG), train, export and predict with onnxruntime.

The recipe and the commands are read from the README itself, so the instructions cannot rot."""

from __future__ import annotations

import json
import re
import shlex

import numpy as np
import pytest
from PIL import Image

from studio.cli import main
from tests.conftest import ROOT

SECTION = "## Train on your own pictures"
COLOURS = {"fox": (210, 110, 30), "frog": (40, 170, 60), "whale": (40, 70, 200)}
SIZES = ((96, 72), (72, 96), (80, 80), (120, 90))


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text
    return text.split(SECTION, 1)[1].split("\n## ", 1)[0]


def blocks(section: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section, flags=re.S)


def photo(rng: np.random.Generator, colour: tuple[int, int, int], size: tuple[int, int]) -> Image.Image:
    """A noisy scene in the class's colour with a darker blob somewhere: sizes and positions vary."""
    w, h = size
    base = np.clip(np.array(colour) + rng.normal(0, 25, (h, w, 3)), 0, 255).astype(np.uint8)
    y, x = rng.integers(0, h // 2), rng.integers(0, w // 2)
    base[y:y + h // 3, x:x + w // 3] //= 2
    return Image.fromarray(base)


def write_photos(root, per_class: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for label, colour in COLOURS.items():
        (root / label).mkdir(parents=True)
        for i in range(per_class):
            suffix = ".png" if i % 4 == 0 else ".jpg"
            photo(rng, colour, SIZES[i % len(SIZES)]).save(root / label / f"IMG_{i:04d}{suffix}")


@pytest.mark.slow
def test_the_readme_recipe_trains_exports_and_predicts_pictures(tmp_path, monkeypatch, capsys) -> None:
    section = readme_section()
    recipe_text = blocks(section, "json")[0]  # the recipe; later blocks are fragments
    (commands,) = blocks(section, "bash")
    recipe = json.loads(recipe_text)
    source = recipe["data"]["source"].removeprefix("images:")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STUDIO_CACHE_DIR", str(tmp_path / "cache"))
    write_photos(tmp_path / source, per_class=14, seed=0)
    (tmp_path / "photos.json").write_text(recipe_text, encoding="utf-8")
    new = tmp_path / "folder"  # the pictures to predict: one file and a folder, as the README's command
    write_photos(new, per_class=3, seed=1)
    (new / "fox" / "IMG_0000.png").rename(tmp_path / "some.jpg")  # a PNG named .jpg: the content decides

    lines = [line.split("#", 1)[0].strip() for line in commands.strip().splitlines()]
    assert [line.split()[:2] for line in lines] == [["studio", "train"], ["studio", "export"], ["studio", "predict"]]
    run = None
    for line in lines:
        argv = shlex.split(line.replace("runs/<run>", str(run)))[1:]
        assert main(argv) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        if argv[0] == "train":
            run = out.strip().splitlines()[-1]
    card = json.loads((tmp_path / run / "model_card.json").read_text(encoding="utf-8"))
    side = recipe["data"]["options"]["image_size"]
    assert card["inputs"]["graph_inputs"] == {"image": f"uint8[batch, {side}, {side}, 3]"}  # as the README says

    rows = (tmp_path / "predictions.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("file,prediction")
    got = {r.split(",")[0]: r.split(",")[1] for r in rows[1:]}
    assert len(got) == 1 + 3 * 3 - 1
    expected = {f: ("fox" if f == "some.jpg" else f.split("/")[-2]) for f in got}
    right = sum(got[f] == expected[f] for f in got)
    assert right >= len(got) - 1, got  # colours a CNN tells apart at once; one miss allowed
