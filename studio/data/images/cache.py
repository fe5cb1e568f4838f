"""Decode a dataset's images once: in parallel, into one uint8 array (N, C, H, W), cached by content.

The key of a decoded set is a hash of every file's bytes (in order) and of the target spec, so a
changed image, size or mode decodes again and nothing else does. Decoded sets are saved as ``.npy``
files in the cache folder (``$STUDIO_CACHE_DIR``, written atomically) and kept in memory up to
:data:`MEMORY_LIMIT` bytes; a set larger than that is returned memory-mapped from its file.

Decoding runs in a thread pool: Pillow releases the interpreter lock while it decodes and resizes.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from studio.data.columns import plural
from studio.data.images.decode import ImageSpec, decode_image
from studio.data.images.scan import cache_dir
from studio.errors import DataError

MEMORY_LIMIT = 1 << 30  # bytes of decoded images kept in this process
Progress = Callable[[int, int], None]  # (done, total)

_memory: OrderedDict[str, np.ndarray] = OrderedDict()
_memory_lock = threading.Lock()


@dataclass
class Decoded:
    """``images[i]`` is the i-th readable file; ``kept`` maps it back to the input positions."""

    images: np.ndarray  # uint8 (n, C, H, W)
    kept: np.ndarray  # int64 (n,): positions in the input list
    skipped: dict[str, str] = field(default_factory=dict)  # name -> why it could not be read
    from_cache: bool = False
    key: str = ""  # the content key the set is cached under


def decode_all(paths: Sequence[Path], names: Sequence[str], spec: ImageSpec, allow_skip: bool = False,
               progress: Progress | None = None, workers: int | None = None) -> Decoded:
    """Every image in ``paths`` as uint8 ``(N, C, H, W)`` in ``spec``, from the cache when it is there.

    An unreadable image is a DataError naming it, unless ``allow_skip``: then it is left out, and
    ``skipped`` names it with the reason. Files are read twice on a miss (hashed, then decoded) so
    that a folder of large photos never sits in memory as bytes.
    """
    with ThreadPoolExecutor(max_workers=workers or min(8, os.cpu_count() or 1)) as pool:
        key = _key(list(pool.map(_digest, paths, names)), spec)
        found = _cached(key)
        if found is not None:
            if progress:
                progress(len(paths), len(paths))
            return Decoded(*found, from_cache=True, key=key)
        out = np.empty((len(paths), *spec.shape), dtype=np.uint8)  # (N, C, H, W)
        failed: dict[int, str] = {}

        def one(i: int) -> None:
            try:
                out[i] = decode_image(paths[i], spec, names[i])
            except DataError as err:
                failed[i] = str(err)

        for done, _ in enumerate(pool.map(one, range(len(paths))), start=1):
            if progress and (done % 64 == 0 or done == len(paths)):
                progress(done, len(paths))
    if failed and not allow_skip:
        first = failed[min(failed)].removesuffix("; remove it or fix it")
        more = f" ({plural(len(failed) - 1, 'other file')} too)" if len(failed) > 1 else ""
        raise DataError(f"{first}{more}; remove or fix them, or set data.options.skip_unreadable to skip "
                        "unreadable images")
    kept = np.asarray([i for i in range(len(paths)) if i not in failed], dtype=np.int64)
    images = out if not failed else np.ascontiguousarray(out[kept])
    skipped = {names[i]: failed[i] for i in sorted(failed)}
    return Decoded(_store(key, images, kept, skipped), kept, skipped, key=key)


def _digest(path: Path, name: str) -> bytes:
    h = hashlib.sha256()
    try:
        with Path(path).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except FileNotFoundError:
        raise DataError(f"image {name!r} does not exist; check the path (relative to the CSV's folder)") from None
    except OSError as err:
        raise DataError(f"image {name!r} cannot be read ({err.strerror or err}); check the file") from None
    return h.digest()


def _key(digests: Sequence[bytes], spec: ImageSpec) -> str:
    h = hashlib.sha256(repr((spec.shape, spec.fit, spec.background, len(digests))).encode())
    for digest in digests:
        h.update(digest)
    return h.hexdigest()[:32]


def _files(key: str) -> tuple[Path, Path]:
    folder = cache_dir() / "images"
    return folder / f"{key}.npy", folder / f"{key}.skipped.npz"


def _cached(key: str) -> tuple[np.ndarray, np.ndarray, dict[str, str]] | None:
    with _memory_lock:
        if key in _memory:
            _memory.move_to_end(key)
            images = _memory[key]
            return images, *_read_index(key, len(images))
    data, _ = _files(key)
    if not data.is_file():
        return None
    try:
        images = np.load(data, mmap_mode="r")
        kept, skipped = _read_index(key, len(images))
    except (OSError, ValueError):
        return None  # a damaged cache file: decode again
    if images.nbytes <= MEMORY_LIMIT:
        images = np.ascontiguousarray(images)
        _remember(key, images)
    return images, kept, skipped


def _read_index(key: str, n: int) -> tuple[np.ndarray, dict[str, str]]:
    _, index = _files(key)
    if not index.is_file():
        return np.arange(n, dtype=np.int64), {}
    with np.load(index, allow_pickle=False) as z:
        return z["kept"], dict(zip(z["names"].tolist(), z["reasons"].tolist(), strict=True))


def _store(key: str, images: np.ndarray, kept: np.ndarray, skipped: dict[str, str]) -> np.ndarray:
    data, index = _files(key)
    data.parent.mkdir(parents=True, exist_ok=True)
    tmp = data.with_name(f".{data.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("wb") as fh:
            np.save(fh, images)
        if skipped:
            with index.with_suffix(".tmp.npz").open("wb") as fh:
                np.savez(fh, kept=kept, names=np.asarray(list(skipped)), reasons=np.asarray(list(skipped.values())))
            os.replace(index.with_suffix(".tmp.npz"), index)
        os.replace(tmp, data)
    except OSError:
        tmp.unlink(missing_ok=True)  # a read-only or full cache folder: keep going without the disk cache
    if images.nbytes <= MEMORY_LIMIT:
        _remember(key, images)
        return images
    return np.load(data, mmap_mode="r") if data.is_file() else images


def remember(key: str, images: np.ndarray) -> np.ndarray:
    """Keep a set made in memory (a generated dataset) under ``key``; returns it read-only."""
    _remember(key, images)
    return images


_pickling = threading.local()


@contextmanager
def pixels_in_pickles() -> Iterator[None]:
    """Within it (on this thread), pickled image columns carry their pixels: for another process,
    which has not got this one's cache (:mod:`studio.train.worker`)."""
    _pickling.full = True
    try:
        yield
    finally:
        _pickling.full = False


def pickles_carry_pixels() -> bool:
    return getattr(_pickling, "full", False)


def lookup(key: str) -> np.ndarray | None:
    """The set cached under ``key`` (in memory, else in the cache folder), or None."""
    found = _cached(key)
    return None if found is None else found[0]


def _remember(key: str, images: np.ndarray) -> None:
    images.setflags(write=False)  # shared by every caller of this process: nobody may change it
    with _memory_lock:
        _memory[key] = images
        _memory.move_to_end(key)
        while sum(a.nbytes for a in _memory.values()) > MEMORY_LIMIT and len(_memory) > 1:
            _memory.popitem(last=False)


def clear_memory() -> None:
    """Forget the decoded sets kept in this process (tests; the disk cache stays)."""
    with _memory_lock:
        _memory.clear()
