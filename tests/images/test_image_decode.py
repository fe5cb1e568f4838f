"""Every format and mode a photo folder may hold becomes uint8 (C, H, W) at the training size."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.data.images.decode import ImageSpec, decode_image, image_size
from studio.errors import DataError
from tests.images.conftest import gradient, png_header_only, save

RGB = ImageSpec(3, 8, 8)
GREY = ImageSpec(1, 8, 8)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "WEBP", "GIF", "TIFF"])
def test_common_formats_decode(fmt):
    arr = decode_image(save(gradient(), fmt), ImageSpec(3, 6, 8, fit="crop"), "x")
    assert arr.shape == (3, 6, 8) and arr.dtype == np.uint8
    assert arr[0, :, 0].mean() > 150 and arr[2, :, -1].mean() > 150  # red stays left, blue right


@pytest.mark.parametrize(("mode", "spec", "expected"), [
    ("L", GREY, 77), ("L", RGB, 77), ("RGB", GREY, None), ("P", RGB, None), ("CMYK", RGB, None),
    ("I;16", GREY, 128), ("1", GREY, 255),
])
def test_every_mode_becomes_the_recipe_channels(mode, spec, expected):
    if mode == "I;16":
        img = Image.fromarray(np.full((5, 5), 32896, dtype=np.uint16))  # half of 65535
    elif mode == "1":
        img = Image.new("1", (5, 5), 1)
    else:
        img = Image.new("RGB", (5, 5), (77, 77, 77)).convert(mode)
    arr = decode_image(save(img, "TIFF" if mode in ("CMYK", "I;16") else "PNG"), ImageSpec(spec.channels, 5, 5), mode)
    assert arr.shape == (spec.channels, 5, 5)
    if expected is not None:
        assert abs(int(arr.mean()) - expected) <= 1


def test_transparency_is_composited_onto_the_background():
    img = Image.new("RGBA", (4, 4), (255, 0, 0, 0))  # fully transparent red
    white = decode_image(save(img, "PNG"), ImageSpec(3, 4, 4), "t")
    black = decode_image(save(img, "PNG"), ImageSpec(3, 4, 4, background=(0, 0, 0)), "t")
    assert white.min() == 255 and black.max() == 0
    pal = Image.new("P", (4, 4))
    pal.putpalette([255, 0, 0] * 256)
    pal.info["transparency"] = 0
    assert decode_image(save(pal, "PNG", transparency=0), ImageSpec(3, 4, 4), "p").min() == 255


def test_exif_orientation_is_applied():
    """A phone stores a portrait shot landscape with orientation 6 (rotate 90° clockwise to view)."""
    img = gradient(40, 20)  # red left, blue right
    exif = Image.Exif()
    exif[0x0112] = 6
    data = save(img, "JPEG", exif=exif.tobytes(), quality=95)
    arr = decode_image(data, ImageSpec(3, 40, 20, fit="crop"), "phone.jpg")
    assert arr[0, :5].mean() > 150 and arr[2, -5:].mean() > 150  # red now on top, blue at the bottom
    assert image_size(data, "phone.jpg") == (20, 40)


def test_aspect_is_kept_by_padding_or_cropping():
    img = Image.new("L", (20, 10), 0)  # a black landscape strip
    padded = decode_image(save(img, "PNG"), ImageSpec(1, 10, 10, fit="pad"), "s")
    cropped = decode_image(save(img, "PNG"), ImageSpec(1, 10, 10, fit="crop"), "s")
    assert padded[0, 0].min() == 255 and padded[0, 5].max() == 0  # white bars above and below
    assert cropped.max() == 0


def test_animated_gif_gives_its_first_frame():
    frames = [Image.new("L", (4, 4), v) for v in (10, 200)]
    buf = save(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert abs(int(decode_image(buf, ImageSpec(1, 4, 4), "a.gif").mean()) - 10) <= 1


@pytest.mark.parametrize(("data", "words"), [
    (b"this is not an image", "is not a readable image"),
    (save(gradient(200, 200), "JPEG")[:1200], "is damaged"),
    (png_header_only(20_000, 20_000), "too large to decode safely"),
    (b"", "is not a readable image"),
])
def test_broken_files_are_one_sentence(data, words):
    with pytest.raises(DataError, match=words) as err:
        decode_image(data, RGB, "cat/broken.jpg")
    assert "'cat/broken.jpg'" in str(err.value) and len(str(err.value)) <= 300


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_the_survey_reads_a_turned_pictures_size_from_its_header(tmp_path, fmt):
    from studio.data.images.source import survey

    exif = Image.Exif()
    exif[0x0112] = 6  # turned a quarter: shown 20 wide, 40 high
    path = tmp_path / f"turned.{fmt.lower()}"
    Image.new("RGB", (40, 20), (200, 10, 10)).save(path, fmt, exif=exif.tobytes())
    assert dict(survey([path], [path.name]).sizes) == {(20, 40): 1}
