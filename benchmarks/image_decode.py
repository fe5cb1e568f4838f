"""Decoding a folder of images into the studio's cache, against Pillow alone opening and converting them.

10,000 PNGs of 64x64 (generated into a temporary folder, 6 classes) are decoded three ways, in
interleaved rounds, each from a cold in-process cache (the disk cache is a fresh folder per round):

* ``pillow``: the floor, what any pipeline pays: ``Image.open(path).convert("RGB")`` per file, one
  thread, pixels touched (``np.asarray``) so the decode really happens;
* ``studio``: :func:`studio.data.images.cache.decode_all`: hashing every file for the cache key,
  decoding, resizing to the training size, writing the cache file (the threads it uses by default);
* ``studio (cached)``: the same call again, served from the disk cache (a new process would see this);
* ``studio folder load``: what ``images:FOLDER`` really costs, :func:`folder_table` from a cold cache:
  listing the class folders, the survey of sizes and modes (which reads each file's header and
  EXIF orientation), then the decode and cache above.

Target: studio within 4x of pillow. The last lines are ``folder ratio: X.XX`` (the whole folder
load / pillow's) and ``ratio: X.XX`` = studio's decode+cache time / pillow's. The machine this
runs on may be shared: run it twice and read the medians.

    .venv/bin/python benchmarks/image_decode.py [--images 10000] [--size 64] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from studio.data.images import cache
from studio.data.images.decode import ImageSpec
from studio.data.images.shapes import CLASSES, draw_shapes
from studio.data.images.source import ImageOptions
from studio.data.images.tables import folder_table


def make_folder(root: Path, n: int, size: int) -> list[Path]:
    images, labels = draw_shapes(n, seed=0, size=size)
    paths = []
    for i, (img, label) in enumerate(zip(images, labels, strict=True)):
        folder = root / CLASSES[label]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{i:05d}.png"
        Image.fromarray(img.transpose(1, 2, 0)).save(path)
        paths.append(path)
    return paths


def pillow_alone(paths: list[Path]) -> float:
    t = time.perf_counter()
    for p in paths:
        with Image.open(p) as img:
            np.asarray(img.convert("RGB"))
    return time.perf_counter() - t


def studio(paths: list[Path], size: int, cache_root: Path) -> tuple[float, float]:
    os.environ["STUDIO_CACHE_DIR"] = str(cache_root)
    cache.clear_memory()
    names = [p.name for p in paths]
    spec = ImageSpec(3, size, size)
    t = time.perf_counter()
    first = cache.decode_all(paths, names, spec)
    cold = time.perf_counter() - t
    cache.clear_memory()
    t = time.perf_counter()
    again = cache.decode_all(paths, names, spec)
    warm = time.perf_counter() - t
    assert not first.from_cache and again.from_cache and again.images.shape == (len(paths), 3, size, size)
    return cold, warm


def folder_load(root: Path, size: int, cache_root: Path) -> float:
    os.environ["STUDIO_CACHE_DIR"] = str(cache_root)
    cache.clear_memory()
    t = time.perf_counter()
    table = folder_table(root, root.name, ImageOptions(image_size=size))
    seconds = time.perf_counter() - t
    assert table.images["image"].images.shape[1:] == (3, size, size)
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=10_000)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_folder(Path(tmp) / "data", args.images, args.size)
        floor, cold, warm, whole = [], [], [], []
        for r in range(args.rounds):
            floor.append(pillow_alone(paths))
            c, w = studio(paths, args.size, Path(tmp) / f"cache{r}")
            cold.append(c)
            warm.append(w)
            whole.append(folder_load(Path(tmp) / "data", args.size, Path(tmp) / f"folder-cache{r}"))
            print(f"round {r + 1}: pillow {floor[-1]:.2f} s, studio {c:.2f} s, studio (cached) {w:.2f} s, "
                  f"studio folder load {whole[-1]:.2f} s", flush=True)
    p, c, w = statistics.median(floor), statistics.median(cold), statistics.median(warm)
    f = statistics.median(whole)
    print(f"{args.images} images of {args.size}x{args.size}, {os.cpu_count()} cores, median of {args.rounds} rounds")
    print(f"pillow open+convert  {p:6.2f} s  ({args.images / p:,.0f} images/s)")
    print(f"studio decode+cache  {c:6.2f} s  ({args.images / c:,.0f} images/s)")
    print(f"studio from cache    {w:6.2f} s  ({args.images / w:,.0f} images/s)")
    print(f"studio folder load   {f:6.2f} s  ({args.images / f:,.0f} images/s)")
    print(f"folder ratio: {f / p:.2f}")
    print(f"ratio: {c / p:.2f}")


if __name__ == "__main__":
    main()
