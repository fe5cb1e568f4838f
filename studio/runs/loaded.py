"""LoadedRun: a run read back from disk, with its recipe, fitted preprocessing and model ready to use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import torch

from studio.errors import RunError, StudioError
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
        try:
            self.meta: dict[str, Any] = dict(prep["table"])
            self.in_shape = tuple(int(d) for d in prep["in_shape"])
            self.n_outputs = int(prep["n_outputs"])
            self.preprocessor = Preprocessor.from_dict(prep["preprocessor"])
            ts = prep.get("target_scaler")
            self.target_scaler = TargetScaler.from_dict(ts) if ts else None
            for key in ("task", "target"):  # every reader needs both
                if key not in self.meta:
                    raise KeyError(key)
        except RunError:
            raise
        except (KeyError, TypeError, ValueError) as err:
            raise RunError(f"{RunDir.PREPARED} of run {self.run.id!r} is damaged (bad or missing {err}); "
                           "train the run again") from None
        weights = self.run.read_weights()
        self.model = build_model(self.recipe.model, self.in_shape, self.n_outputs)
        try:
            self.model.load_state_dict(weights)
        except (RuntimeError, StudioError) as err:
            raise RunError(f"the weights of run {self.run.id!r} do not fit its recipe: {str(err)[:200]}") from None
        self.model.eval()

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
        return self.run.test_rows(self.meta)


def load_run(path: str | Path | RunDir) -> LoadedRun:
    return LoadedRun(path)
