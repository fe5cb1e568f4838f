"""A folder (or zip) with one subfolder per class: every layout that can be learned from is read, every other
gets one sentence that says what to change; zips cannot write outside their folder or blow up the disk."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from studio.data.images.scan import extract_zip, scan_folder
from studio.errors import DataError
from tests.images.conftest import write_folder


def test_a_class_per_folder(tmp_path):
    root = write_folder(tmp_path / "pets", {"cat": 3, "dog": 2})
    (root / "cat" / ".DS_Store").write_bytes(b"\0")
    found = scan_folder(root, "pets")
    assert found.classes == ["cat", "dog"] and len(found.files) == 5
    assert found.files[0] == "cat/0.png" and found.labels[-1] == "dog"
    assert any("ignored 1 hidden or system file" in n for n in found.notes)


def test_a_single_wrapping_folder_is_looked_through(tmp_path):
    write_folder(tmp_path / "outer" / "pets", {"cat": 2, "dog": 2})
    assert scan_folder(tmp_path / "outer", "outer").classes == ["cat", "dog"]


@pytest.mark.parametrize(("build", "words"), [
    (lambda r: write_folder(r, {"cat": 3}), r"a single class folder \('cat'\)"),
    (lambda r: (write_folder(r, {"cat": 2, "dog": 2}), (r / "bird").mkdir()), "'bird' of 'data' holds no images"),
    (lambda r: write_folder(r, {"cat": 2, "dog": 1}), "class 'dog' of 'data' has a single image"),
    (lambda r: (write_folder(r, {"cat": 2, "dog": 2}), write_folder(r / "cat", {"young": 2})),
     r"two levels deep \(cat/young/\)"),
    (lambda r: (write_folder(r, {"cat": 2, "dog": 2}), (r / "dog" / "notes.txt").write_text("x")),
     r"1 file that is not an image \('dog/notes.txt'\)"),
    (lambda r: (r.mkdir(), (r / "a.png").write_bytes(b"x")), r"no class folders \(found 1 image with no folder\)"),
])
def test_layouts_that_cannot_be_learned_from(tmp_path, build, words):
    root = tmp_path / "data"
    build(root)
    with pytest.raises(DataError, match=words) as err:
        scan_folder(root, "data")
    assert len(str(err.value)) <= 300


def test_files_that_are_not_images_may_be_skipped_when_allowed(tmp_path):
    root = write_folder(tmp_path / "d", {"cat": 2, "dog": 2})
    (root / "dog" / "notes.txt").write_text("x")
    found = scan_folder(root, "d", allow_skip=True)
    assert len(found.files) == 4 and any("skipped 1 file that is not an image: 'dog/notes.txt'" in n
                                         for n in found.notes)


def _zip(path: Path, members: dict[str, bytes], links: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


def test_a_zip_of_a_dataset_folder_is_extracted_once(tmp_path):
    src = write_folder(tmp_path / "src" / "pets", {"cat": 2, "dog": 2})
    members = {f"pets/{p.relative_to(src).as_posix()}": p.read_bytes() for p in src.rglob("*.png")}
    members["__MACOSX/pets/._cat"] = b"junk"
    zipped = _zip(tmp_path / "pets.zip", members)
    folder = extract_zip(zipped, "pets.zip")
    assert scan_folder(folder, "pets.zip").classes == ["cat", "dog"]
    assert not (folder / "__MACOSX").exists()
    assert extract_zip(zipped, "pets.zip") == folder  # keyed by content: not extracted twice


@pytest.mark.parametrize(("members", "links", "words"), [
    ({"../evil.png": b"x"}, (), "points outside its folder"),
    ({"/abs/evil.png": b"x"}, (), "points outside its folder"),
    ({"a/../../evil.png": b"x"}, (), "points outside its folder"),
    ({"cat/a.png": b"x"}, ("cat/link.png",), "holds a link"),
])
def test_zips_that_escape_their_folder_are_refused(tmp_path, members, links, words):
    with pytest.raises(DataError, match=words):
        extract_zip(_zip(tmp_path / "bad.zip", members, links), "bad.zip")
    assert not (tmp_path / "evil.png").exists() and not Path("/abs/evil.png").exists()


def test_a_zip_bomb_is_stopped(tmp_path, monkeypatch):
    import studio.data.images.scan as scan

    monkeypatch.setattr(scan, "MAX_UNZIPPED_BYTES", 1_000_000)
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("cat/zeros.png", b"\0" * 5_000_000)  # 5 MB of zeros deflate to a few KB
    with pytest.raises(DataError, match=r"unpacks to .* GB"):
        extract_zip(path, "bomb.zip")
    assert not list((tmp_path / "cache" / "zips").glob("*/cat"))


def test_not_a_zip(tmp_path):
    (tmp_path / "x.zip").write_text("hello")
    with pytest.raises(DataError, match="is not a zip file"):
        extract_zip(tmp_path / "x.zip", "x.zip")


def test_pictures_of_wildly_different_sizes_are_said(tmp_path):
    from collections import Counter

    from studio.data.images.source import FoundSizes

    said = FoundSizes(3, Counter({(16, 12): 1, (4000, 3000): 2}), grey=False).describe()
    assert "differ widely" in said and "12 to 3000" in said
    assert "differ widely" not in FoundSizes(2, Counter({(40, 30): 1, (64, 48): 1}), grey=False).describe()
