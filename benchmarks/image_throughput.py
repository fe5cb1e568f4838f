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
included, on both sides), the ratio studio / loader (target >= 3x on the CPU), and the first epoch
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


def loader_run(folder: Path, raw: dict, side: int, epochs: int, threads: int) -> tuple[float, list[float], int]:
    """The loader pipeline: (seconds to the end of epoch 1, seconds of each epoch, training samples)."""
    t0 = time.perf_counter()
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
    times, first = [], 0.0
    for epoch in range(epochs):
        start = time.perf_counter()
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
        times.append(time.perf_counter() - start)
        if epoch == 0:
            first = time.perf_counter() - t0
    return first, times, n_train


# -- the studio ------------------------------------------------------------------------------------

def studio_run(folder: Path, raw: dict, side: int, epochs: int, threads: int,
               tmp: Path) -> tuple[float, list[float], int]:
    """The studio: (seconds to the end of epoch 1, seconds of each epoch, training samples)."""
    os.environ["STUDIO_CACHE_DIR"] = str(tmp / f"cache-{time.monotonic_ns()}")  # cold: decode included
    recipe = Recipe.from_dict({
        "name": "throughput", "data": {"source": f"images:{folder}", "options": {"image_size": side}},
        "model": raw["model"], "optimizer": {"kind": "adam", "lr": raw["optimizer"]["lr"]},
        "regularization": {"early_stopping": None, "augmentation": {"shift": SHIFT, "hflip": True}},
        "training": {"epochs": epochs, "batch_size": raw["training"]["batch_size"], "seed": 0, "device": "cpu",
                     "threads": threads}})
    ends: list[float] = []
    epochs_seen: list[EpochEnd] = []

    def record(event: object) -> None:
        if isinstance(event, EpochEnd):
            ends.append(time.perf_counter())
            epochs_seen.append(event)

    t0 = time.perf_counter()
    result = train_recipe(recipe, runs_root=tmp / "runs", callbacks=(Relay(record),))
    return ends[0] - t0, [e.seconds for e in epochs_seen], result.summary.rows["train"]


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
        s_first, s_times, s_n = studio_run(folder, raw, args.train_size, args.epochs, args.threads, tmp)
        l_first, l_times, l_n = loader_run(folder, raw, args.train_size, args.epochs, args.threads)
    studio_rate = statistics.mean(s_n / t for t in s_times[1:])
    loader_rate = statistics.mean(l_n / t for t in l_times[1:])
    print(f"{args.images} PNGs of {args.size}x{args.size}, trained at {args.train_size}x{args.train_size}, "
          f"batch {raw['training']['batch_size']}, {args.threads} torch thread(s), {os.cpu_count()} cores")
    print(f"{'':8} {'train rows':>10} {'epoch 1 incl. setup':>20} " + " ".join(
        f"{'epoch ' + str(i + 1):>9}" for i in range(args.epochs)) + f" {'samples/s (epochs 2+)':>22}")
    for name, n, first, times, rate in (("studio", s_n, s_first, s_times, studio_rate),
                                         ("loader", l_n, l_first, l_times, loader_rate)):
        print(f"{name:8} {n:>10} {first:>19.2f}s " + " ".join(f"{t:>8.2f}s" for t in times) + f" {rate:>22,.0f}")
    print(f"first epoch, decode included: studio {s_n / s_first:,.0f} samples/s, loader {l_n / l_first:,.0f} "
          f"samples/s ({l_first / s_first:.2f}x)")
    print(f"ratio: {studio_rate / loader_rate:.2f}")


if __name__ == "__main__":
    main()
