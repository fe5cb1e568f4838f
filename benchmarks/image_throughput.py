"""Training on a folder of pictures: the studio against the usual data-loader pipeline, side by side.

Both train the same network (the shapes-cnn preset's blocks) with the same augmentation (random crop
after padding by 4 pixels, and a random left-right flip, per sample), batch size, optimizer, split
sizes (70/15/15, the validation split evaluated after every epoch) and torch threads, on the same
folder of PNGs (``--images`` pictures of ``--size`` pixels, 6 class subfolders, generated in a
temporary folder) resized to ``--train-size``:

* ``studio``: ``train_recipe`` on ``images:FOLDER``: the pictures are decoded once, in parallel,
  into the cache (a fresh cache folder, so the first epoch pays the decode), then every epoch takes
  uint8 batches from memory and kornia augments each batch on the training device.
* ``loader``: torchvision's pattern, ``ImageFolder`` + ``transforms`` + ``DataLoader(num_workers=2)``:
  every ``__getitem__`` opens the file with Pillow, converts it to RGB, resizes it, makes a float
  tensor, normalizes it, pads and crops it at random and flips it at random; two worker processes
  do that while the main process trains. torchvision itself cannot be imported beside the CPU torch
  build this project uses (``RuntimeError: operator torchvision::nms does not exist``), so the
  loader is written out here the way ``ImageFolder`` and those transforms do it (``pil_loader``,
  ``Resize`` with bilinear, ``ToTensor``, ``Normalize``, ``RandomCrop(padding=4)``,
  ``RandomHorizontalFlip``); the work per picture is the same.

Figures: samples per second of epochs 2-3 (training samples / wall time of the epoch, validation
included, on both sides), the ratio studio / loader (target >= 3x on the CPU), the same per second
of CPU time (this process's threads plus the loader's worker processes: on a machine that other
programs keep busy the wall clock mostly measures the share each gets, and three processes get a
bigger share than one), and the first epoch
with everything before it (scanning, decoding, worker start-up; for the studio also importing kornia
and writing the run directory). On a shared machine one run swings by 20 % or more: run it twice.
The last line is ``ratio: X.XX``.

    .venv/bin/python benchmarks/image_throughput.py [--images 2000] [--size 64] [--train-size 32]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from itertools import pairwise
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset

from studio.blocks import build_model
from studio.data.images.shapes import CLASSES, draw_shapes
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.train.callbacks import Relay
from studio.train.events import EpochEnd

PRESET = Path(__file__).resolve().parents[1] / "assets" / "recipes" / "shapes-cnn.json"
EXTS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
SHIFT = 4
MEAN, STD = (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)


def make_folder(root: Path, n: int, size: int) -> None:
    images, labels = draw_shapes(n, seed=0, size=size)
    for i, (img, label) in enumerate(zip(images, labels, strict=True)):
        folder = root / CLASSES[label]
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img.transpose(1, 2, 0)).save(folder / f"{i:05d}.png")


# -- timing --------------------------------------------------------------------------------------

def cpu_seconds() -> float:
    """CPU time of this process (all its threads) and of its live child processes (the loader's
    workers), from /proc on Linux; elsewhere this process only."""
    total = time.process_time()
    proc = Path("/proc")
    if not proc.is_dir():
        return total
    me, tick = str(os.getpid()), os.sysconf("SC_CLK_TCK")
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if fields[1] == me:  # the parent's pid; utime and stime in clock ticks
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Marks:
    """Wall and CPU time at the start and at the end of each epoch."""

    def __init__(self) -> None:
        self.wall, self.cpu, self.n_train = [time.perf_counter()], [cpu_seconds()], 0

    def mark(self) -> None:
        self.wall.append(time.perf_counter())
        self.cpu.append(cpu_seconds())

    def epochs(self, what: str) -> list[float]:
        """Seconds of each epoch; the first from the start (everything before it included)."""
        t = self.wall if what == "wall" else self.cpu
        return [b - a for a, b in pairwise(t)]

    def rate(self, what: str) -> float:
        """Training samples per second (wall or CPU) of epochs 2 on."""
        return statistics.mean(self.n_train / t for t in self.epochs(what)[1:])


# -- the usual pipeline ----------------------------------------------------------------------------

class PictureFolder(Dataset):
    """What torchvision's ``ImageFolder(root, transform)`` does: (path, class) pairs from the sorted
    class subfolders; each item opens, converts and transforms its file."""

    def __init__(self, root: Path, side: int, augment: bool) -> None:
        classes = sorted(d.name for d in root.iterdir() if d.is_dir())
        self.samples = [(p, k) for k, c in enumerate(classes) for p in sorted((root / c).iterdir())
                        if p.suffix.lower() in EXTS]
        self.side, self.augment = side, augment
        self.mean = torch.tensor(MEAN).view(3, 1, 1)
        self.std = torch.tensor(STD).view(3, 1, 1)

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        path, label = self.samples[i]
        with open(path, "rb") as f:  # pil_loader
            img = Image.open(f).convert("RGB")
        img = img.resize((self.side, self.side), Image.BILINEAR)  # Resize((side, side))
        x = torch.from_numpy(np.asarray(img, dtype=np.uint8).copy()).permute(2, 0, 1).float() / 255  # ToTensor
        x = (x - self.mean) / self.std  # Normalize
        if self.augment:
            x = nn.functional.pad(x, (SHIFT,) * 4)  # RandomCrop(side, padding=SHIFT)
            top, left = torch.randint(0, 2 * SHIFT + 1, (2,)).tolist()
            x = x[:, top:top + self.side, left:left + self.side]
            if torch.rand(()) < 0.5:  # RandomHorizontalFlip
                x = x.flip(-1)
        return x, label


class Subset(Dataset):
    def __init__(self, data: PictureFolder, index: np.ndarray) -> None:
        self.data, self.index = data, index

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        return self.data[int(self.index[i])]


def loader_run(folder: Path, raw: dict, side: int, epochs: int, threads: int) -> Marks:
    """The loader pipeline, timed from before its first line to the end of each epoch."""
    marks = Marks()
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    train_set, val_set = PictureFolder(folder, side, True), PictureFolder(folder, side, False)
    n = len(train_set)
    order = np.random.default_rng(0).permutation(n)
    n_train, n_val = round(n * 0.7), round(n * 0.15)
    bs = raw["training"]["batch_size"]
    train = DataLoader(Subset(train_set, order[:n_train]), batch_size=bs, shuffle=True, num_workers=2,
                       persistent_workers=True)
    val = DataLoader(Subset(val_set, order[n_train:n_train + n_val]), batch_size=max(bs, 512), num_workers=2,
                     persistent_workers=True)
    model = build_model(raw["model"], (3, side, side), len(CLASSES))
    opt = torch.optim.Adam(model.parameters(), lr=raw["optimizer"]["lr"])
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        for xb, yb in train:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            for xb, yb in val:
                loss_fn(model(xb), yb)
        marks.mark()
    marks.n_train = n_train
    return marks


# -- the studio ------------------------------------------------------------------------------------

def studio_run(folder: Path, raw: dict, side: int, epochs: int, threads: int,
               tmp: Path) -> Marks:
    """The studio, timed from before ``train_recipe`` to the end of each epoch (checkpoints between
    epochs included)."""
    os.environ["STUDIO_CACHE_DIR"] = str(tmp / f"cache-{time.monotonic_ns()}")  # cold: decode included
    recipe = Recipe.from_dict({
        "name": "throughput", "data": {"source": f"images:{folder}", "options": {"image_size": side}},
        "model": raw["model"], "optimizer": {"kind": "adam", "lr": raw["optimizer"]["lr"]},
        "regularization": {"early_stopping": None, "augmentation": {"shift": SHIFT, "hflip": True}},
        "training": {"epochs": epochs, "batch_size": raw["training"]["batch_size"], "seed": 0, "device": "cpu",
                     "threads": threads}})
    marks = Marks()
    result = train_recipe(recipe, runs_root=tmp / "runs",
                          callbacks=(Relay(lambda e: marks.mark() if isinstance(e, EpochEnd) else None),))
    marks.n_train = result.summary.rows["train"]
    return marks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--size", type=int, default=64, help="side of the generated PNGs")
    ap.add_argument("--train-size", type=int, default=32, help="side the pictures are resized to for training")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=max(1, (os.cpu_count() or 2) - 1),
                    help="torch threads of the training process, both sides (default: cores - 1)")
    args = ap.parse_args()
    raw = json.loads(PRESET.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "pictures"
        make_folder(folder, args.images, args.size)
        # torch's optimizers import torch._dynamo on first use (seconds, more on a busy machine): a cost of
        # the process, not of either pipeline, paid here so that whichever runs first does not carry it
        torch.optim.Adam([torch.zeros(1, requires_grad=True)])
        studio = studio_run(folder, raw, args.train_size, args.epochs, args.threads, tmp)
        loader = loader_run(folder, raw, args.train_size, args.epochs, args.threads)
    print(f"{args.images} PNGs of {args.size}x{args.size}, trained at {args.train_size}x{args.train_size}, "
          f"batch {raw['training']['batch_size']}, {args.threads} torch thread(s), {os.cpu_count()} cores")
    print(f"{'':7} {'rows':>5} {'epoch 1 (+setup)':>17} " + " ".join(
        f"{'epoch ' + str(i + 1):>8}" for i in range(1, args.epochs)) + f" {'samples/s':>10} "
          f"{'CPU-s/epoch':>12} {'samples/CPU-s':>14}")
    for name, m in (("studio", studio), ("loader", loader)):
        wall, cpu = m.epochs("wall"), m.epochs("cpu")
        print(f"{name:7} {m.n_train:>5} {wall[0]:>16.2f}s " + " ".join(f"{t:>7.2f}s" for t in wall[1:])
              + f" {m.rate('wall'):>10,.0f} {statistics.mean(cpu[1:]):>11.2f}s {m.rate('cpu'):>14,.0f}")
    print(f"first epoch, decode and setup included: studio {studio.n_train / studio.epochs('wall')[0]:,.0f} "
          f"samples/s, loader {loader.n_train / loader.epochs('wall')[0]:,.0f} samples/s "
          f"(studio/loader {loader.epochs('wall')[0] / studio.epochs('wall')[0]:.2f}x)")
    print(f"epochs 2+, per CPU-second (less sensitive to other programs): "
          f"{studio.rate('cpu') / loader.rate('cpu'):.2f}x")
    print(f"ratio: {studio.rate('wall') / loader.rate('wall'):.2f}")


if __name__ == "__main__":
    main()
