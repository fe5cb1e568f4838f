"""Image files the tests make: every format and mode a photo folder may hold, and broken ones."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Each test decodes into its own cache folder and starts with an empty memory cache."""
    from studio.data.images import cache

    monkeypatch.setenv("STUDIO_CACHE_DIR", str(tmp_path / "cache"))
    cache.clear_memory()
    yield
    cache.clear_memory()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels but holds one row: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * (width + 1))) \
        + chunk(b"IEND", b"")


def save(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def gradient(w: int = 40, h: int = 30) -> Image.Image:
    """An RGB picture whose left half is red and right half blue: orientation and channels are visible."""
    arr = np.zeros((h, w, 3), dtype=np.uint8)
    arr[:, : w // 2, 0] = 255
    arr[:, w // 2 :, 2] = 255
    return Image.fromarray(arr, "RGB")


def write_folder(root: Path, classes: dict[str, int], size: tuple[int, int] = (16, 12), fmt: str = "PNG") -> Path:
    """``root/<class>/<i>.png`` with ``classes[c]`` images each, a different grey level per class."""
    for k, (name, n) in enumerate(classes.items()):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            img = Image.new("RGB", size, (40 * k + 10, 100, 5 * i % 255))
            img.save(root / name / f"{i}.{fmt.lower()}", fmt)
    return root


def studio_in(folder: Path):
    """``studio(*args)`` running the CLI as a person would, in ``folder`` with a private image cache."""
    from tests.conftest import ROOT

    env = {"PYTHONPATH": str(ROOT), "STUDIO_CACHE_DIR": str(folder / "cache"), "PATH": "/usr/bin:/bin"}

    def studio(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "studio.cli", *args], cwd=folder, capture_output=True,
                              text=True, timeout=300, env=env)

    return studio
