"""RunDir: one run's folder. It alone spells the file names and writes them, always atomically.

Layout::

    recipe.json          the validated recipe
    owner.json           who trains it: pid, host, heartbeat (studio.runs.owner)
    preprocessing.json   fitted preprocessing + what loading decided ("table"), input shape, outputs
    test.csv             the raw rows of the test split, for parity checks
    metrics.csv          one row per epoch
    checkpoint.pt        the last state: weights, optimizer, schedule, RNG, early stopping (torch.save)
    model.safetensors    the best weights so far (at the end: the weights the run keeps)
    summary.json         status, metrics per split, timing, versions
    model.onnx, model.int8.onnx, model_card.json, export.json, bench.csv    after an export
    importance.csv       permutation importance per raw column on the test split (`studio explain`)
    histograms.json      per weight layer and reading: histograms of weights, gradients, activations (compact)

Export, compare and reload read only these files, never live UI state.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from studio.atomic import json_safe, write_bytes_atomic, write_json_atomic, write_text_atomic
from studio.errors import RunError
from studio.runs.owner import Owner
from studio.runs.summary import RunSummary
from studio.status import RunStatus

METRICS_COLUMNS = ["epoch", "train_loss", "val_loss", "train_metric", "val_metric", "lr", "seconds"]
CHECKPOINT_FORMAT = 1


class RunDir:
    """A run directory. Build one with :meth:`create` (a new run) or :meth:`open` (an existing one)."""

    RECIPE = "recipe.json"
    OWNER = "owner.json"
    PREPARED = "preprocessing.json"
    TEST_ROWS = "test.csv"
    TEST_IMAGES = "test_images.npz"
    METRICS = "metrics.csv"
    CHECKPOINT = "checkpoint.pt"
    WEIGHTS = "model.safetensors"
    SUMMARY = "summary.json"
    ONNX = "model.onnx"
    ONNX_INT8 = "model.int8.onnx"
    CARD = "model_card.json"
    EXPORT_REPORT = "export.json"
    BENCH = "bench.csv"
    IMPORTANCE = "importance.csv"
    HISTOGRAMS = "histograms.json"
    BOUNDARY = "boundary.json"  # the decision boundary the run ended with (studio.train.boundary.BoundaryEnd)
    REQUIRED = (RECIPE, SUMMARY)

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunDir) and self.path == other.path

    def __hash__(self) -> int:
        return hash(self.path)

    @property
    def id(self) -> str:
        return self.path.name

    def has(self, name: str) -> bool:
        return (self.path / name).is_file()

    def mtime(self, name: str) -> float:
        """Modification time of one of the run's files (0 when it does not exist): a cache key."""
        p = self.path / name
        return p.stat().st_mtime if p.exists() else 0.0

    # -- making and finding runs -------------------------------------------------------------------

    @classmethod
    def create(cls, root: str | Path, recipe: Any) -> RunDir:
        """``root/<YYYYmmdd-HHMMSS>-<name>-<6 hex>/`` with the recipe in it; never an existing folder."""
        slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in recipe.name.lower()).strip("-")[:40]
        base = Path(root)
        if base.exists() and not base.is_dir():
            raise RunError(f"the runs folder {str(base)!r} is a file; give --out a folder (it is made if missing)")
        try:
            base.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise RunError(f"cannot make the runs folder {str(base)!r} ({err.strerror}); "
                           "choose another --out") from None
        for _ in range(20):
            stamp = time.strftime("%Y%m%d-%H%M%S")
            path = base / f"{stamp}-{slug or 'run'}-{new_token()}"
            try:
                path.mkdir()
            except FileExistsError:
                continue  # two runs in the same second drew the same token: draw again
            except OSError as err:
                raise RunError(f"cannot make a run folder in {str(base)!r} ({err.strerror})") from None
            run = cls(path)
            write_text_atomic(run / cls.RECIPE, recipe.to_json() + "\n")
            return run
        raise RunError(f"could not make a new run folder in {str(base)!r} after 20 tries")

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        """An existing run directory, or a RunError that says what is wrong with ``path``."""
        p = Path(path)
        if not p.is_dir():
            what = "is a file, not a run directory" if p.exists() else "does not exist"
            raise RunError(f"run directory {str(p)!r} {what}; `studio runs` lists the runs")
        missing = [f for f in cls.REQUIRED if not (p / f).is_file()]
        if missing:
            raise RunError(f"{str(p)!r} is not a run directory: {', '.join(missing)} missing")
        return cls(p)

    # -- recipe, summary, status -------------------------------------------------------------------

    def read_recipe(self) -> Any:
        from studio.recipe import Recipe

        return Recipe.from_dict(self.read_json(self.RECIPE))

    def write_summary(self, summary: RunSummary) -> None:
        write_json_atomic(self / self.SUMMARY, summary.to_dict())

    def read_summary(self) -> RunSummary:
        """summary.json as the run last wrote it."""
        raw = self.read_json(self.SUMMARY)
        if not isinstance(raw, dict):
            raise RunError(f"{self.SUMMARY} of run {self.id!r} is not a JSON object; the run is damaged")
        return RunSummary.from_dict(raw)

    def summary(self, now: float | None = None) -> RunSummary:
        """summary.json with the status a reader should believe: a run that says it is active but
        whose owner is gone is ``interrupted``, with a message naming its last checkpoint."""
        s = self.read_summary()
        if s.status.active and not self.owner_alive(now):
            s.status = RunStatus.INTERRUPTED
            last = f"its last checkpoint is from epoch {s.checkpoint_epoch}" if s.checkpoint_epoch else \
                "it had written no checkpoint yet"
            s.message = f"interrupted: the process training it stopped without finishing; {last}"
        return s

    def status(self) -> RunStatus:
        return self.summary().status

    def owner(self) -> Owner | None:
        return Owner.read(self / self.OWNER)

    def owner_alive(self, now: float | None = None) -> bool:
        owner = self.owner()
        return owner is not None and owner.alive(now)

    # -- metrics, weights, checkpoints -------------------------------------------------------------

    def write_metrics(self, rows: Iterable[dict[str, Any]]) -> None:
        """(Re)write metrics.csv, one row per epoch (small: rewriting keeps it atomic)."""
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=METRICS_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k) for k in METRICS_COLUMNS})
        write_text_atomic(self / self.METRICS, buf.getvalue())

    def history(self) -> pd.DataFrame:
        """metrics.csv (empty with its columns when there is none, or it cannot be read)."""
        try:
            return pd.read_csv(self / self.METRICS)
        except (OSError, ValueError):
            return pd.DataFrame(columns=METRICS_COLUMNS)

    def write_weights(self, state: dict[str, Any]) -> None:
        """The weights the run keeps (a state dict), as safetensors."""
        from safetensors.torch import save

        tensors = {k: v.detach().cpu().contiguous() for k, v in state.items()}
        write_bytes_atomic(self / self.WEIGHTS, save(tensors))

    def read_weights(self) -> dict[str, Any]:
        """The saved weights; a RunError when they are missing or damaged."""
        from safetensors import SafetensorError
        from safetensors.torch import load

        path = self / self.WEIGHTS
        if not path.is_file():
            raise RunError(f"run {self.id!r} has no trained weights ({self.WEIGHTS}); its status is "
                           f"{self.summary().status}")
        try:
            return load(path.read_bytes())
        except (SafetensorError, ValueError, OSError) as err:
            raise RunError(f"the weights of run {self.id!r} ({self.WEIGHTS}) are damaged ({_first_line(err)}); "
                           "train the run again") from None

    def write_checkpoint(self, state: dict[str, Any]) -> None:
        """The last training state (see :class:`studio.runs.checkpoint.RunCheckpointer`), atomically."""
        import torch

        buf = io.BytesIO()
        torch.save({"format": CHECKPOINT_FORMAT, **state}, buf)
        write_bytes_atomic(self / self.CHECKPOINT, buf.getvalue())

    def read_checkpoint(self) -> dict[str, Any] | None:
        """The last training state, or None when the run wrote none; a RunError when it is damaged."""
        import torch

        path = self / self.CHECKPOINT
        if not path.is_file():
            return None
        try:
            state = torch.load(io.BytesIO(path.read_bytes()), map_location="cpu", weights_only=True)
        except Exception as err:  # torch raises many types for a damaged pickle
            raise RunError(f"the checkpoint of run {self.id!r} is damaged ({_first_line(err)})") from None
        if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
            raise RunError(f"the checkpoint of run {self.id!r} has an unknown format; train the run again")
        return state

    # -- prepared data ----------------------------------------------------------------------------

    def write_prepared(self, prepared: dict[str, Any], test_rows: pd.DataFrame,
                       test_images: dict[str, Any] | None = None) -> None:
        """preprocessing.json (plain JSON), the raw test rows, and the test split's decoded pictures
        (image column -> uint8 (n, C, H, W)): the pictures themselves may be gone when the run is exported."""
        write_json_atomic(self / self.PREPARED, prepared)
        write_text_atomic(self / self.TEST_ROWS, test_rows.to_csv(index=False))
        if test_images:
            buf = io.BytesIO()
            np.savez_compressed(buf, **{f"c{i}": a for i, a in enumerate(test_images.values())},
                                columns=np.asarray(list(test_images)))
            write_bytes_atomic(self / self.TEST_IMAGES, buf.getvalue())

    def test_images(self) -> dict[str, Any]:
        """The test split's pictures written by :meth:`write_prepared` (empty when the run has none)."""
        path = self / self.TEST_IMAGES
        if not path.is_file():
            raise RunError(f"run {self.id!r} has no {self.TEST_IMAGES}; train it again with this version")
        try:
            with np.load(path, allow_pickle=False) as z:
                return {str(c): z[f"c{i}"] for i, c in enumerate(z["columns"].tolist())}
        except (OSError, ValueError, KeyError, EOFError) as err:
            raise RunError(f"{self.TEST_IMAGES} of run {self.id!r} is damaged ({_first_line(err)}); "
                           "train the run again") from None

    def read_prepared(self) -> dict[str, Any]:
        raw = self.read_json(self.PREPARED)
        missing = [k for k in ("preprocessor", "table", "in_shape", "n_outputs") if not isinstance(raw, dict)
                   or k not in raw]
        if missing:
            raise RunError(f"{self.PREPARED} of run {self.id!r} lacks {', '.join(missing)}; the run is damaged, "
                           "train it again")
        return raw

    def test_rows(self, meta: dict[str, Any]) -> pd.DataFrame:
        """The raw test rows, read with the column types they were trained with."""
        path = self / self.TEST_ROWS
        if not path.is_file():
            raise RunError(f"run {self.id!r} has no {self.TEST_ROWS}; train it again with this version")
        return read_raw_rows(path, meta)

    # -- the decision boundary --------------------------------------------------------------------

    def write_boundary(self, boundary: dict[str, Any]) -> None:
        """boundary.json: the final BoundaryEnd (as ``to_dict()``) of a classifier whose probe looked."""
        write_json_atomic(self / self.BOUNDARY, boundary)

    def read_boundary(self) -> dict[str, Any] | None:
        """The saved final decision boundary, or None when the run has none; a RunError when damaged."""
        if not self.has(self.BOUNDARY):
            return None
        raw = self.read_json(self.BOUNDARY)
        if not isinstance(raw, dict) or not raw.get("surface"):
            raise RunError(f"{self.BOUNDARY} of run {self.id!r} is damaged; train the run again to see it")
        return raw

    # -- explanations ---------------------------------------------------------------------------

    IMPORTANCE_COLUMNS = ("column", "kind", "mean_drop", "std_drop")
    IMPORTANCE_ATTRS = ("metric", "score", "rows", "repeats", "seed")

    def write_importance(self, table: pd.DataFrame) -> None:
        """importance.csv: the table of :func:`studio.explain.permutation_importance_of`, its ``attrs``
        (metric, unshuffled score, rows, repeats, seed) repeated on every row so the file stands alone."""
        out = table[list(self.IMPORTANCE_COLUMNS)].copy()
        for key in self.IMPORTANCE_ATTRS:
            out[key] = table.attrs.get(key)
        write_text_atomic(self / self.IMPORTANCE, out.to_csv(index=False))

    def read_importance(self) -> pd.DataFrame | None:
        """The saved importance table (``attrs`` restored), or None when there is none or the weights are
        newer than it; a RunError when it is damaged."""
        if not self.has(self.IMPORTANCE) or self.mtime(self.IMPORTANCE) < self.mtime(self.WEIGHTS):
            return None
        try:
            raw = pd.read_csv(self / self.IMPORTANCE, dtype={"column": str, "kind": str})
        except (OSError, ValueError) as err:
            raise RunError(f"{self.IMPORTANCE} of run {self.id!r} cannot be read ({_first_line(err)}); "
                           "compute the importance again") from None
        needed = (*self.IMPORTANCE_COLUMNS, *self.IMPORTANCE_ATTRS)
        numbers = ("mean_drop", "std_drop", "score")
        if len(raw) == 0 or any(c not in raw.columns for c in needed) or \
                not all(pd.api.types.is_numeric_dtype(raw[c]) for c in numbers):
            raise RunError(f"{self.IMPORTANCE} of run {self.id!r} is damaged; compute the importance again")
        table = raw[list(self.IMPORTANCE_COLUMNS)].copy()
        table.attrs.update({key: raw[key].iloc[0] for key in self.IMPORTANCE_ATTRS})
        table.attrs["score"] = float(table.attrs["score"])
        return table

    # -- histograms over epochs ------------------------------------------------------------------

    def write_histograms(self, data: dict[str, Any]) -> None:
        """histograms.json (:func:`studio.train.histograms.as_dict`), compact: it can hold ~10^5 numbers."""
        write_text_atomic(self / self.HISTOGRAMS, json.dumps(json_safe(data), separators=(",", ":"), allow_nan=False))

    def read_histograms(self) -> dict[str, Any] | None:
        """The saved histograms, or None when the run has none; a RunError when the file is damaged."""
        if not self.has(self.HISTOGRAMS):
            return None
        from studio.train.distributions import problem

        raw = self.read_json(self.HISTOGRAMS)
        wrong = problem(raw)
        if wrong:
            raise RunError(f"{self.HISTOGRAMS} of run {self.id!r} is damaged ({wrong}); train the run again")
        return raw

    # -- helpers ----------------------------------------------------------------------------------

    def read_json(self, name: str) -> Any:
        path = self / name
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RunError(f"{self.id!r} is not a complete run: {name} is missing") from None
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
            raise RunError(f"{name} of run {self.id!r} is damaged ({_first_line(err)}); train the run again") from None


def read_raw_rows(path: Path, meta: dict[str, Any]) -> pd.DataFrame:
    """Rows written by :meth:`RunDir.write_prepared`, with categorical and text columns (and a class target) as text."""
    text_columns = [c for c, t in (meta.get("column_types") or {}).items() if t in ("categorical", "text")]
    if meta.get("task") == "classification":
        text_columns.append(meta["target"])
    try:
        return pd.read_csv(path, dtype={c: str for c in text_columns})
    except (ValueError, OSError) as err:
        raise RunError(f"{path.name} of run {path.parent.name!r} cannot be read ({_first_line(err)}); the run is "
                       "damaged, train it again") from None


def new_token() -> str:
    return secrets.token_hex(3)


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return (text.splitlines()[0] if text else type(err).__name__)[:120]
