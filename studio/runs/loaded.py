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
        from studio.blocks import build_model
        from studio.preprocess import Preprocessor, TargetScaler

        self.run = path if isinstance(path, RunDir) else RunDir.open(path)
        self.path = self.run.path
        self.recipe = self.run.read_recipe()
        self.summary: RunSummary = self.run.summary()
        prep = self.run.read_prepared()
        self.meta: dict[str, Any] = self._piece("table", lambda: _table(prep["table"]))
        self.in_shape = self._piece("in_shape", lambda: tuple(int(d) for d in prep["in_shape"]))
        self.n_outputs = self._piece("n_outputs", lambda: int(prep["n_outputs"]))
        self.preprocessor = self._piece("preprocessor", lambda: Preprocessor.from_dict(prep["preprocessor"]))
        scaler = prep.get("target_scaler")
        self.target_scaler = self._piece("target_scaler", lambda: TargetScaler.from_dict(scaler) if scaler else None)
        weights = self.run.read_weights()
        self.model = build_model(self.recipe.model, self.in_shape, self.n_outputs)
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
    def task(self) -> str:
        return str(self.meta["task"])

    @property
    def class_labels(self) -> list[str] | None:
        return self.meta.get("class_labels")

    def inference_module(self) -> torch.nn.Module:
        """encoded (B, k) -> probabilities (B, K), or values (B, 1) in the target's units."""
        from studio.inference import InferenceModule

        mean, std = (self.target_scaler.mean, self.target_scaler.std) if self.target_scaler else (0.0, 1.0)
        return InferenceModule(self.preprocessor.to_torch(), self.model, self.task, mean, std).eval()

    def predict_frame(self, frame: pd.DataFrame) -> Any:
        """Probabilities or values for raw rows, through torch."""
        from studio.data.columns import derive_dates

        frame = derive_dates(frame, self.meta.get("derived") or {})
        x = torch.from_numpy(self.preprocessor.encode(frame))
        with torch.inference_mode():
            return self.inference_module()(x).numpy()

    def history(self) -> pd.DataFrame:
        return self.run.history()

    def test_frame(self) -> pd.DataFrame:
        """The raw test rows, checked to hold every column the model reads, numbers where it wants numbers."""
        from studio.data.numbers import to_numbers

        frame = self.run.test_rows(self.meta)
        columns = self.preprocessor.input_columns
        missing = [name for name in [*(c.name for c in columns), self.meta["target"]] if name not in frame.columns]
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
