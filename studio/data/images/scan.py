"""Finding the images of a dataset: a folder with one subfolder per class, or a zip of one.

The layout people make by hand (Teachable Machine, Lobe, torchvision's ImageFolder): the class is
the name of the folder an image is in. A zip is extracted once, safely, into the cache folder keyed
by its content: no member may land outside it (``../``, absolute paths, links), and the declared and
the real unpacked sizes are both capped, so a zip bomb stops early. A single top folder that only
wraps the class folders (``pets.zip`` -> ``pets/cat``, ``pets/dog``) is looked through.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from studio.data.columns import plural
from studio.errors import DataError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"})
SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
SYSTEM_FOLDERS = frozenset({"__macosx", ".ipynb_checkpoints"})
MAX_UNZIPPED_BYTES = 4 * 2**30
MAX_ZIP_MEMBERS = 200_000
MIN_PER_CLASS = 2


@dataclass
class ImageFolder:
    """The images of a class-per-folder dataset: ``files[i]`` (relative to ``root``) is of class ``labels[i]``."""

    root: Path
    files: list[str]
    labels: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return sorted(set(self.labels))


def _ignored(name: str) -> bool:
    return name.lower() in SYSTEM_FILES or name.startswith("._") or name.lower() in SYSTEM_FOLDERS


def class_root(folder: Path) -> Path:
    """``folder``, or the single folder it holds when that one wraps the class folders."""
    entries = [e for e in folder.iterdir() if not _ignored(e.name) and not e.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and any(e.is_dir() for e in entries[0].iterdir()):
        return class_root(entries[0])
    return folder


def scan_folder(folder: str | Path, name: str, allow_skip: bool = False) -> ImageFolder:
    """The images and labels under ``folder``; a DataError for every layout that cannot be learned from.

    Files that are not images are an error naming them, unless ``allow_skip`` (then they are counted
    and named in the notes). OS files (.DS_Store, Thumbs.db, __MACOSX) are ignored, and said so.
    """
    root = Path(folder)
    if not root.is_dir():
        raise DataError(f"image folder {name!r} does not exist or is not a folder; check data.source")
    root = class_root(root)
    top_images = [e.name for e in root.iterdir() if e.is_file() and e.suffix.lower() in IMAGE_SUFFIXES]
    class_dirs = sorted(e for e in root.iterdir() if e.is_dir() and not _ignored(e.name) and not e.name.startswith("."))
    if not class_dirs:
        found = f" (found {plural(len(top_images), 'image')} with no folder)" if top_images else ""
        raise DataError(f"{name!r} has no class folders{found}; put each class's images in a folder named "
                        "after the class (cat/, dog/, ...)")
    files, labels, not_images, ignored = [], [], [], 0
    for d in class_dirs:
        count = 0
        for entry in sorted(d.iterdir()):
            if _ignored(entry.name) or entry.name.startswith("."):
                ignored += 1
            elif entry.is_dir():
                raise DataError(f"{name!r} has a folder two levels deep ({d.name}/{entry.name}/); put every image "
                                "of a class directly in its class folder")
            elif entry.suffix.lower() in IMAGE_SUFFIXES:
                files.append(f"{d.name}/{entry.name}")
                labels.append(d.name)
                count += 1
            else:
                not_images.append(f"{d.name}/{entry.name}")
        if count == 0:
            raise DataError(f"class folder {d.name!r} of {name!r} holds no images; add images or remove it")
        if count < MIN_PER_CLASS:
            raise DataError(f"class {d.name!r} of {name!r} has a single image; each class needs at least "
                            f"{MIN_PER_CLASS} (one to train on, one to test), so add images or remove it")
    if len(class_dirs) < 2:
        raise DataError(f"{name!r} has a single class folder ({class_dirs[0].name!r}); a classifier needs at "
                        "least two, one folder per class")
    notes = [f"found {plural(len(files), 'image')} in {len(class_dirs)} class folders of {name}"]
    if not_images:
        shown = ", ".join(repr(f) for f in not_images[:3]) + (" ..." if len(not_images) > 3 else "")
        verb = "is not an image" if len(not_images) == 1 else "are not images"
        files_that = f"{plural(len(not_images), 'file')} that {verb}"
        if not allow_skip:
            raise DataError(f"{name!r} holds {files_that} ({shown}); remove them, or set "
                            "data.options.skip_unreadable to skip them")
        notes.append(f"skipped {files_that}: {shown}")
    if ignored:
        notes.append(f"ignored {plural(ignored, 'hidden or system file')} (.DS_Store, Thumbs.db, ...)")
    return ImageFolder(root, files, labels, notes)


def cache_dir() -> Path:
    """Where decoded images and extracted zips are kept: ``$STUDIO_CACHE_DIR`` or ~/.cache/training-studio."""
    base = os.environ.get("STUDIO_CACHE_DIR") or Path.home() / ".cache" / "training-studio"
    return Path(base)


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def extract_zip(path: str | Path, name: str) -> Path:
    """The folder the zip ``path`` holds, extracted once into the cache (checked member by member)."""
    src = Path(path)
    if not zipfile.is_zipfile(src):
        raise DataError(f"{name!r} is not a zip file; upload a .zip of a folder with one subfolder per class")
    target = cache_dir() / "zips" / file_digest(src)[:24]
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".unzip-", dir=target.parent))
    try:
        with zipfile.ZipFile(src) as zf:
            _extract_checked(zf, tmp, name)
        try:
            tmp.rename(target)
        except OSError:  # another process extracted the same zip meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _extract_checked(zf: zipfile.ZipFile, dest: Path, name: str) -> None:
    members = zf.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise DataError(f"zip {name!r} has {len(members):,} entries, more than {MAX_ZIP_MEMBERS:,}; split the dataset")
    declared = sum(m.file_size for m in members)
    if declared > MAX_UNZIPPED_BYTES:
        limit = MAX_UNZIPPED_BYTES / 2**30
        raise DataError(f"zip {name!r} unpacks to {declared / 2**30:.1f} GB, more than {limit:.0f} GB; use fewer "
                        "or smaller images")
    written = 0
    for m in members:
        parts = PurePosixPath(m.filename.replace("\\", "/")).parts
        if m.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise DataError(f"zip {name!r} has an entry that points outside its folder ({m.filename[:80]!r}); "
                            "make the zip from the dataset folder itself")
        if stat.S_ISLNK(m.external_attr >> 16):
            raise DataError(f"zip {name!r} holds a link ({m.filename[:80]!r}); zip the image files themselves")
        if m.is_dir() or not parts or any(_ignored(p) for p in parts):
            continue
        out = dest.joinpath(*parts)
        out.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(m) as fin, out.open("wb") as fout:
            while block := fin.read(1 << 20):
                written += len(block)
                if written > MAX_UNZIPPED_BYTES:  # the declared sizes lied
                    raise DataError(f"zip {name!r} unpacks to more than {MAX_UNZIPPED_BYTES / 2**30:.0f} GB "
                                    "(a zip bomb?); use fewer or smaller images")
                fout.write(block)
