"""Images are decoded once: in parallel, in order, cached by content; unreadable ones are named or skipped."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.data.images import cache
from studio.data.images.decode import ImageSpec
from studio.errors import DataError
from tests.images.conftest import write_folder

SPEC = ImageSpec(3, 8, 8)


def _paths(root):
    files = sorted(root.rglob("*.png"))
    return files, [p.relative_to(root).as_posix() for p in files]


def test_decoded_in_order_and_cached_by_content(tmp_path):
    root = write_folder(tmp_path / "d", {"a": 5, "b": 5})
    paths, names = _paths(root)
    first = cache.decode_all(paths, names, SPEC, workers=2)
    assert first.images.shape == (10, 3, 8, 8) and not first.from_cache
    assert first.images[0, 0, 4, 4] == 10 and first.images[-1, 0, 4, 4] == 50  # class a grey 10, class b 50
    cache.clear_memory()
    again = cache.decode_all(paths, names, SPEC)
    assert again.from_cache and np.array_equal(again.images, first.images)  # from the disk cache
    Image.new("RGB", (16, 12), (200, 0, 0)).save(paths[0])  # one file changes: decoded again
    changed = cache.decode_all(paths, names, SPEC)
    assert not changed.from_cache and changed.images[0, 0, 4, 4] == 200
    other = cache.decode_all(paths, names, ImageSpec(1, 8, 8))  # another spec is another entry
    assert other.images.shape == (10, 1, 8, 8) and not other.from_cache


def test_an_unreadable_image_is_named_unless_skipping_is_allowed(tmp_path):
    root = write_folder(tmp_path / "d", {"a": 3, "b": 3})
    paths, names = _paths(root)
    paths[1].write_bytes(b"garbage")
    with pytest.raises(DataError, match=r"'a/1.png' is not a readable image.*skip_unreadable"):
        cache.decode_all(paths, names, SPEC)
    found = cache.decode_all(paths, names, SPEC, allow_skip=True)
    assert found.images.shape[0] == 5 and found.kept.tolist() == [0, 2, 3, 4, 5]
    assert list(found.skipped) == ["a/1.png"]
    cache.clear_memory()
    again = cache.decode_all(paths, names, SPEC, allow_skip=True)
    assert again.from_cache and list(again.skipped) == ["a/1.png"] and again.kept.tolist() == [0, 2, 3, 4, 5]


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match=r"image 'x/gone\.png' does not exist"):
        cache.decode_all([tmp_path / "gone.png"], ["x/gone.png"], SPEC)


def test_progress_reaches_the_total(tmp_path):
    root = write_folder(tmp_path / "d", {"a": 70, "b": 2})
    paths, names = _paths(root)
    seen = []
    cache.decode_all(paths, names, SPEC, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (72, 72) and seen[0][0] < 72


def test_a_set_beyond_the_memory_limit_is_memory_mapped(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "MEMORY_LIMIT", 100)
    root = write_folder(tmp_path / "d", {"a": 3, "b": 3})
    paths, names = _paths(root)
    found = cache.decode_all(paths, names, SPEC)
    assert isinstance(found.images, np.memmap)


def test_pickles_for_another_process_carry_the_pixels(tmp_path):
    import pickle

    from studio.data.images.source import ImageColumn

    root = write_folder(tmp_path / "d", {"a": 2, "b": 2})
    found = cache.decode_all(*_paths(root), SPEC)
    column = ImageColumn(SPEC, found.images, root, key=found.key)
    assert pickle.loads(pickle.dumps(column)).images is found.images  # in this process: from the cache
    with cache.pixels_in_pickles():
        carried = pickle.dumps(column)
    assert len(carried) > found.images.nbytes
    for entry in cache.cache_dir().iterdir():  # another process: neither this memory nor the disk cache
        entry.unlink() if entry.is_file() else None
    cache.clear_memory()
    assert np.array_equal(pickle.loads(carried).images, found.images)
