"""Pictures in headless Chromium: upload a zip of a picture folder, train, see the misclassified
gallery on Evaluate, export, and label an uploaded picture on Predict.

Selectors this test assumes of the Data page (built on the branch that added the zip upload):
* a radio option labelled exactly ``Upload pictures (zip)`` (the Data page's ``MODES["images"]``);
* then a file uploader whose label contains ``one folder per class``
  ("Pictures (a .zip with one folder per class)", ``components/image_data.py``), whose zip becomes
  the source ``images:<zip name>`` of this session.
The draft's default model is a dense stack, which the Train page blocks for pictures ("add a
flatten block"), so the test then uploads a recipe (sidebar "Upload a recipe (JSON)") with a small
CNN that reads ``images:shapes.zip``, the zip just uploaded.
Of the Evaluate and Predict pages (``components/misclassified.py``, ``components/predict_pictures.py``):
* a subheader starting ``Test pictures:`` above an ``stImage`` gallery whose captions start ``true``;
* a file uploader labelled ``Pictures to label``, then the top class in bold and a chart titled
  ``Top 3 classes`` per picture.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import numpy as np
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from tests.e2e.ui import button, go_to, wait_for_app

pytestmark = pytest.mark.e2e
ZIP_MODE = "Upload pictures (zip)"
ZIP_UPLOADER = "one folder per class"
CLASSES = ("circle", "square", "triangle")
SMALL_CNN = {
    "name": "shapes-small-cnn", "data": {"source": "images:shapes.zip"},
    "model": [{"kind": "conv2d", "filters": 8, "kernel_size": 3, "padding": "same"},
              {"kind": "activation", "fn": "relu"}, {"kind": "maxpool2d", "kernel_size": 2},
              {"kind": "global_avg_pool"}],
    "optimizer": {"kind": "adam", "lr": 0.01},
    "training": {"epochs": 4, "batch_size": 8, "seed": 0},
}


def shape_picture(kind: str, rng: np.random.Generator, size: int = 16) -> Image.Image:
    """A coloured shape of random colour, place and size on a noisy light background."""
    background = rng.integers(180, 256, (size, size, 3)).astype(np.uint8)
    img = Image.fromarray(background, "RGB")
    draw = ImageDraw.Draw(img)
    r = int(rng.integers(4, 7))
    cx, cy = (int(v) for v in rng.integers(r, size - r, 2))
    colour = tuple(int(c) for c in rng.integers(0, 140, 3))
    if kind == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    elif kind == "square":
        draw.rectangle([cx - r, cy - r, cx + r, cy + r], fill=colour)
    else:
        draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=colour)
    return img


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def picture_zip(path, per_class: int = 12) -> None:
    rng = np.random.default_rng(0)
    with zipfile.ZipFile(path, "w") as zf:
        for kind in CLASSES:
            for i in range(per_class):
                zf.writestr(f"shapes/{kind}/{i}.png", png(shape_picture(kind, rng)))


def upload(page: Page, label_text: str, path) -> None:
    page.get_by_test_id("stFileUploader").filter(has_text=label_text).locator("input[type=file]").set_input_files(
        str(path))
    wait_for_app(page)


def test_zip_train_gallery_export_predict(page: Page, app_server, tmp_path):
    url, runs = app_server
    archive, new_picture = tmp_path / "shapes.zip", tmp_path / "new square.png"
    picture_zip(archive)
    new_picture.write_bytes(png(shape_picture("square", np.random.default_rng(7), size=40)))
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url)
    wait_for_app(page)

    page.get_by_test_id("stRadio").get_by_text(ZIP_MODE).click()
    wait_for_app(page)
    upload(page, ZIP_UPLOADER, archive)
    expect(page.get_by_test_id("stMain").get_by_test_id("stImage").first).to_be_visible(timeout=30_000)  # class samples
    recipe = tmp_path / "shapes-small-cnn.json"
    recipe.write_text(json.dumps(SMALL_CNN))
    upload(page, "Upload a recipe", recipe)
    expect(page.get_by_role("textbox", name="Recipe name")).to_have_value("shapes-small-cnn", timeout=10_000)

    go_to(page, "Train")
    button(page, "Train").click()
    status = page.get_by_test_id("stMarkdown").filter(has_text="status:").first
    expect(status).to_contain_text("status: completed", timeout=60_000)
    (run_dir,) = list(runs.iterdir())
    assert (run_dir / "test_images.npz").is_file()

    go_to(page, "Evaluate")
    expect(page.get_by_test_id("stHeading").filter(has_text="Test pictures:")).to_be_visible(timeout=30_000)
    hardest = page.get_by_test_id("stHeading").filter(has_text="Hardest examples")
    expect(hardest).to_be_visible()
    expect(page.get_by_test_id("stImage").filter(has_text="true ").first).to_be_visible()
    matrix = page.get_by_test_id("stPlotlyChart").filter(has_text="Confusion matrix")
    expect(matrix).to_have_count(1)
    # a click on a cell (its marker, mistakes first) shows that cell's pictures
    cell = matrix.locator(".scatterlayer .point").first.bounding_box()
    assert cell is not None
    page.mouse.click(cell["x"] + cell["width"] / 2, cell["y"] + cell["height"] / 2)
    wait_for_app(page)
    chosen = page.get_by_test_id("stHeading").filter(has_text=re.compile(r"Test pictures: true \w+, predicted \w+"))
    expect(chosen).to_be_visible(timeout=20_000)

    go_to(page, "Export")
    button(page, "Export to ONNX").click()
    expect(page.get_by_text("Parity check PASSED")).to_be_visible(timeout=60_000)
    assert (run_dir / "model.onnx").is_file()

    go_to(page, "Predict")
    upload(page, "Pictures to label", new_picture)
    expect(page.get_by_test_id("stPlotlyChart").filter(has_text="Top 3 classes")).to_have_count(1, timeout=30_000)
    expect(page.get_by_test_id("stImage").filter(has_text="new square.png")).to_be_visible()
    top = page.get_by_test_id("stMarkdown").locator("strong").filter(has_text=re.compile("^(circle|square|triangle)$"))
    expect(top).to_have_count(1)
    expect(page.get_by_test_id("stException")).to_have_count(0)
