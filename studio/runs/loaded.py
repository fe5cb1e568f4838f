"""LoadedRun: a run read back from disk, with its recipe, fitted preprocessing and model ready to use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from studio.errors import RunError, StudioError, quote
from studio.runs.rundir import RunDir
from studio.runs.summary import RunSummary


class LoadedRun:
    """Recipe, summary (status as a reader should believe it), preprocessing and the kept weights."""

    def __init__(self, path: str | Path | RunDir) -> None:
        from studio.blocks import build_network
        from studio.inputs.defaults import default_encoders
        from studio.preprocess import Preprocessor, TargetScaler

        self.run = path if isinstance(path, RunDir) else RunDir.open(path)
        self.path = self.run.path
        self.recipe = self.run.read_recipe()
        self.summary: RunSummary = self.run.summary()
        prep = self.run.read_prepared()
        self.meta: dict[str, Any] = self._piece("table", lambda: _table(prep["table"]))
        self.in_shape = self._piece("in_shape", lambda: tuple(int(d) for d in prep["in_shape"]))
        self.n_outputs = self._piece("n_outputs", lambda: int(prep["n_outputs"]))
        raw_pre = prep["preprocessor"]
        self.preprocessor = self._piece("preprocessor", lambda: Preprocessor.from_dict(raw_pre)) \
            if raw_pre is not None else None
        self.inputs = self._piece("inputs", lambda: _inputs(prep, self.preprocessor))
        scaler = prep.get("target_scaler")
        self.target_scaler = self._piece("target_scaler", lambda: TargetScaler.from_dict(scaler) if scaler else None)
        weights = self.run.read_weights()
        fronts = {i.name: f for i in self.inputs if (f := i.front()) is not None}
        self.model = build_network(self.in_shapes, self.recipe.model,
                                   default_encoders(self.recipe.encoders, self.inputs), self.n_outputs, fronts)
        misfit = _misfit(self.model.state_dict(), weights)
        if misfit:
            raise RunError(f"the weights of run {quote(self.run.id)} ({RunDir.WEIGHTS}) do not fit the model of its "
                           f"recipe: {misfit}; a file was changed after training, train the run again")
        self.model.load_state_dict(weights)
        self.model.eval()

    def _piece(self, key: str, read: Callable[[], Any]) -> Any:
        """``read()`` of one part of preprocessing.json, any failure a RunError that names the part."""
        try:
            return read()
        except KeyError as err:
            detail = f"{quote(err.args[0] if err.args else key)} is missing or unknown"
        except (TypeError, ValueError, AttributeError, IndexError, StudioError) as err:
            detail = (str(err).strip().splitlines() or [type(err).__name__])[0][:120]
        raise RunError(f"{RunDir.PREPARED} of run {quote(self.run.id)} has a damaged {key!r} ({detail}); "
                       "train the run again")

    @property
    def in_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        # a tuple subclass stays itself: Tokens (token ids) carries the vocabulary to the embedding block
        return [(i.name, i.shape if isinstance(i.shape, tuple) else tuple(i.shape)) for i in self.inputs]

    @property
    def image_inputs(self) -> list[Any]:
        return [i for i in self.inputs if i.kind == "image"]

    @property
    def task(self) -> str:
        return str(self.meta["task"])

    @property
    def class_labels(self) -> list[str] | None:
        return self.meta.get("class_labels")

    def inference_module(self) -> torch.nn.Module:
        """Raw inputs (in :meth:`raw_inputs` order) -> probabilities (B, K), or values (B, 1) in the
        target's units: a table's encoded columns (B, k), an image's uint8 pixels (B, H, W, C)."""
        from studio.inference import ChannelsFirst, InferenceModule

        mean, std = (self.target_scaler.mean, self.target_scaler.std) if self.target_scaler else (0.0, 1.0)
        prep = [self.preprocessor.to_torch() if i.kind == "table" else ChannelsFirst() for i in self.inputs]
        return InferenceModule(prep, self.model, self.task, mean, std).eval()

    def raw_inputs(self, frame: pd.DataFrame, images: dict[str, Any] | None = None) -> list[Any]:
        """What :meth:`inference_module` takes for ``frame``'s rows: a table's encoded columns float32 (n, k);
        an image column's uint8 (n, H, W, C) from ``images`` (column -> uint8 (n, C, H, W), e.g.
        :meth:`test_images`), else decoded from the paths in the frame (relative to the working folder)."""
        import numpy as np

        from studio.data.columns import derive_dates

        out = []
        for inp in self.inputs:
            if inp.kind == "table":
                out.append(self.preprocessor.encode(derive_dates(frame, self.meta.get("derived") or {})))
                continue
            pixels = images[inp.column] if images is not None else _decode(frame[inp.column], inp.spec)
            out.append(np.ascontiguousarray(np.asarray(pixels, dtype=np.uint8).transpose(0, 2, 3, 1)))
        return out

    def predict_frame(self, frame: pd.DataFrame, images: dict[str, Any] | None = None) -> Any:
        """Probabilities or values for raw rows, through torch (see :meth:`raw_inputs` for ``images``)."""
        xs = [torch.from_numpy(a) for a in self.raw_inputs(frame, images)]
        with torch.inference_mode():
            return self.inference_module()(*xs).numpy()

    def test_images(self) -> dict[str, Any]:
        """The test split's pictures, column -> uint8 (n, C, H, W), as training decoded them."""
        return self.run.test_images() if self.image_inputs else {}

    def history(self) -> pd.DataFrame:
        return self.run.history()

    def test_frame(self) -> pd.DataFrame:
        """The raw test rows, checked to hold every column the model reads, numbers where it wants numbers."""
        from studio.data.numbers import to_numbers

        frame = self.run.test_rows(self.meta)
        columns = self.preprocessor.input_columns if self.preprocessor is not None else []
        needed = [*(c.name for c in columns), *(i.column for i in self.image_inputs), self.meta["target"]]
        missing = [name for name in needed if name not in frame.columns]
        if missing:
            raise RunError(f"{RunDir.TEST_ROWS} of run {quote(self.run.id)} lacks the column(s) "
                           f"{', '.join(quote(m, 30) for m in missing[:5])}; the run is damaged, train it again")
        for c in (c for c in columns if c.type != "categorical"):
            col = frame[c.name]
            bad = col[to_numbers(col).isna() & col.notna() & (col.astype(str).str.strip() != "")]
            if len(bad):
                raise RunError(f"{RunDir.TEST_ROWS} of run {quote(self.run.id)} has text in the number column "
                               f"{quote(c.name, 30)} (e.g. {quote(bad.iloc[0], 30)}); the run is damaged, "
                               "train it again")
        return frame


def load_run(path: str | Path | RunDir) -> LoadedRun:
    return LoadedRun(path)


def _inputs(prep: dict[str, Any], preprocessor: Any) -> list[Any]:
    """The run's fitted inputs; a run from before named inputs has only the table's."""
    from studio.inputs import input_from_dict
    from studio.inputs.table import TableInput

    raw = prep.get("inputs")
    if raw is None:
        if preprocessor is None:
            raise KeyError("inputs")
        return [TableInput(preprocessor)]
    if not isinstance(raw, list) or not raw:
        raise ValueError("a list of the network's inputs is needed")
    out = []
    for item in raw:
        if isinstance(item, dict) and item.get("kind") == "table":
            if preprocessor is None:
                raise KeyError("preprocessor")
            out.append(TableInput(preprocessor, str(item.get("name", "table"))))
        else:
            out.append(input_from_dict(item))
    return out


def _decode(paths: pd.Series, spec: Any) -> Any:
    """Pictures named in a column (paths), decoded as training did."""
    import numpy as np

    from studio.data.images.decode import decode_image

    return np.stack([decode_image(str(p), spec, str(p)) for p in paths]) if len(paths) else \
        np.zeros((0, *spec.shape), dtype=np.uint8)


TASKS = ("classification", "regression")


def _table(raw: Any) -> dict[str, Any]:
    """preprocessing.json's "table": what loading decided, with what every reader needs checked."""
    if not isinstance(raw, dict):
        raise TypeError(f"a JSON object is needed, found {type(raw).__name__}")
    for key in ("task", "target"):
        if key not in raw:
            raise KeyError(key)
    if raw["task"] not in TASKS:
        raise ValueError(f"task {quote(raw['task'])} is neither {' nor '.join(TASKS)}")
    labels = raw.get("class_labels")
    if raw["task"] == "classification" and not (isinstance(labels, list) and labels):
        raise KeyError("class_labels")
    return dict(raw)


def _misfit(expected: dict[str, torch.Tensor], weights: dict[str, torch.Tensor]) -> str | None:
    """The first difference between the model's tensors and the saved ones, in words, or None."""
    for key, tensor in expected.items():
        if key not in weights:
            return f"{quote(key)} is missing from the file"
        if tuple(weights[key].shape) != tuple(tensor.shape):
            return (f"{quote(key)} is {list(weights[key].shape)} in the file but {list(tensor.shape)} in the model")
    extra = [k for k in weights if k not in expected]
    return f"the file has {quote(extra[0])}, which the model lacks" if extra else None
