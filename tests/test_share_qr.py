"""QR codes of shareable links: every preset's and lesson's link fits one; the PNG, the SVG and the
terminal text draw exactly the modules of the link's QR code (read back module by module: there is no
QR decoder here); a link too long for a QR code is one sentence; `studio link --qr` / `--qr-file`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import segno
from PIL import Image

from studio.cli import main
from studio.errors import QRCodeError
from studio.lessons import lessons
from studio.recipe import load_recipe
from studio.share import link
from studio.share_qr import BORDER, MAX_BYTES, SCALE, make_qr, qr_image, qr_png, qr_text

PRESETS = Path(__file__).resolve().parents[1] / "assets" / "recipes"
BASE = "http://class.local:8501/"
URL = link(load_recipe(PRESETS / "iris-mlp.json"), BASE)
TOO_LONG = BASE + "?x=" + "a" * MAX_BYTES
HALF_BLOCKS = {" ": (1, 1), "\u2580": (0, 1), "\u2584": (1, 0), "\u2588": (0, 0)}  # (top, bottom) dark


def _expected(url: str) -> list[list[int]]:
    """The modules (1 dark) of ``url``'s QR code with its quiet zone, as segno makes it directly."""
    code = segno.make(url, error="l", micro=False)
    return [[int(bool(m)) for m in row] for row in code.matrix_iter(scale=1, border=BORDER)]


def _png_modules(png: bytes) -> list[list[int]]:
    image = Image.open(io.BytesIO(png)).convert("L")
    n = image.width // SCALE
    return [[int(image.getpixel((x * SCALE + SCALE // 2, y * SCALE + SCALE // 2)) < 128) for x in range(n)]
            for y in range(n)]


def _text_modules(text: str) -> list[list[int]]:
    rows: list[list[int]] = []
    for line in text.splitlines():
        pairs = [HALF_BLOCKS[c] for c in line]
        rows += [[p[0] for p in pairs], [p[1] for p in pairs]]
    return rows


def _all_links() -> dict[str, str]:
    found = {f"preset {p.stem}": link(load_recipe(p), BASE) for p in sorted(PRESETS.glob("*.json"))}
    for lesson in lessons().values():
        for i, setup in enumerate(lesson.setups):
            found[f"lesson {lesson.id} {setup.label}"] = link(lesson.recipe(i), BASE, lesson.id, lesson.locked)
    return found


def test_every_preset_and_lesson_link_fits_a_qr_code_with_room_to_spare():
    for name, url in _all_links().items():
        code = make_qr(url)
        assert code.version <= 25 and len(url) < MAX_BYTES / 2, (name, len(url), code.designator)
        assert code.error in ("L", "M", "Q", "H") and not code.is_micro


def test_the_png_is_the_links_qr_code():
    png = qr_png(URL)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == image.height
    assert image.width == make_qr(URL).symbol_size(scale=SCALE, border=BORDER)[0]
    assert {c for _, c in image.convert("L").getcolors()} == {0, 255}  # dark and light pixels, nothing else
    assert make_qr(URL).matrix == segno.make(URL, error="l", micro=False).matrix
    assert _png_modules(png) == _expected(URL)
    assert _png_modules(png)[0] == [0] * (image.width // SCALE)  # the quiet zone is light


def test_the_svg_is_an_image_of_the_same_size():
    svg = qr_image(URL, "svg").decode()
    size = make_qr(URL).symbol_size(scale=SCALE, border=BORDER)[0]
    assert svg.lstrip().startswith("<?xml") and f'width="{size}" height="{size}"' in svg and "</svg>" in svg


def test_the_terminal_text_is_the_links_qr_code():
    text = qr_text(URL)
    size = make_qr(URL).symbol_size(scale=1, border=BORDER)[0]
    lines = text.splitlines()
    assert len(lines) == (size + 1) // 2 and {len(line) for line in lines} == {size}
    assert _text_modules(text)[:size] == _expected(URL)


def test_a_link_too_long_for_a_qr_code_is_one_sentence():
    for make in (qr_png, qr_text, make_qr):
        with pytest.raises(QRCodeError, match=r"^this link is 2,980 bytes long and a QR code holds at most 2,953; "
                                              r"share the link as text"):
            make(TOO_LONG)
    with pytest.raises(QRCodeError, match="png or svg"):
        qr_image(URL, "gif")


def test_cli_prints_the_qr_code_under_the_link(capsys):
    assert main(["link", "iris-mlp", "--base", BASE, "--qr"]) == 0
    out = capsys.readouterr().out
    first, _, rest = out.partition("\n")
    assert first == URL and rest == qr_text(URL)
    assert main(["link", "--lesson", "overfitting", "--qr"]) == 0
    first, _, rest = capsys.readouterr().out.partition("\n")
    assert _text_modules(rest)[: len(_expected(first))] == _expected(first)


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_cli_writes_the_qr_code_to_a_file(tmp_path, capsys, kind):
    path = tmp_path / "class" / f"qr.{kind.upper()}"  # the extension in any case; the folder is made
    assert main(["link", "iris-mlp", "--base", BASE, "--qr-file", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == URL + "\n" and f"wrote {path}" in captured.err
    assert path.read_bytes() == qr_image(URL, kind)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left beside it
    if kind == "png":
        assert _png_modules(path.read_bytes()) == _expected(URL)


@pytest.mark.parametrize(("name", "said"), [
    ("qr.txt", "must end in .png or .svg"),
    ("qr", "must end in .png or .svg"),
    ("folder.png", "is a folder"),
    ("afile/qr.png", "is a file, not a folder"),
])
def test_cli_refuses_a_bad_qr_file_with_one_sentence(tmp_path, capsys, name, said):
    (tmp_path / "folder.png").mkdir()
    (tmp_path / "afile").write_text("x")
    before = sorted(tmp_path.rglob("*"))
    assert main(["link", "iris-mlp", "--qr-file", str(tmp_path / name)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert captured.out == "" and err.startswith("error: --qr-file") and said in err and "\n" not in err
    assert sorted(tmp_path.rglob("*")) == before


def test_cli_refuses_a_link_too_long_for_a_qr_code(tmp_path, capsys):
    path = tmp_path / "qr.png"
    assert main(["link", "iris-mlp", "--base", BASE + "p" * MAX_BYTES, "--qr", "--qr-file", str(path)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert captured.out == "" and "a QR code holds at most 2,953" in err and "\n" not in err
    assert not path.exists()
