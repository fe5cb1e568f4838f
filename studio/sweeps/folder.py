"""A sweep folder: what a sweep is, Optuna's storage, the results table, the best recipe, the trials' runs.

Layout::

    sweep.json        the recipe, the space, the metric and its direction (a resumed sweep must match)
    study.db          Optuna's storage (SQLite): every trial's values, state and intermediate values
    results.csv       trial, params, value, status, run_dir, seconds, message (rewritten after each trial)
    best_recipe.json  the recipe with the best trial's values, named "<recipe name>-best"
    runs/             one normal run directory per trial
    ray/              Ray Tune's own files (``--ray``)

Only this module spells these names. Writes are atomic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.atomic import write_json_atomic, write_text_atomic
from studio.errors import RunError, quote
from studio.recipe import Recipe
from studio.sweeps.space import Space, parse_space

STUDY_NAME = "sweep"
RESULT_COLUMNS = ["trial", "status", "value", "params", "run_dir", "seconds", "message"]


@dataclass(frozen=True)
class SweepSpec:
    """What makes two sweeps the same sweep (a resume must agree on all of it)."""

    recipe: Recipe
    space: Space
    metric: str  # the primary metric compared on the validation split: "accuracy" | "r2"
    direction: str  # "maximize" | "minimize"

    def to_dict(self) -> dict[str, Any]:
        return {"format": 1, "recipe": self.recipe.to_dict(), "space": self.space.to_json(),
                "metric": self.metric, "direction": self.direction}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SweepSpec:
        return cls(Recipe.from_dict(raw["recipe"]), parse_space(raw["space"]), str(raw["metric"]),
                   str(raw["direction"]))


class SweepFolder:
    SPEC = "sweep.json"
    STUDY = "study.db"
    RESULTS = "results.csv"
    BEST = "best_recipe.json"
    RUNS = "runs"
    RAY = "ray"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    @property
    def storage_url(self) -> str:
        return f"sqlite:///{(self.path / self.STUDY).resolve()}"

    @property
    def runs(self) -> Path:
        return (self.path / self.RUNS).resolve()

    def exists(self) -> bool:
        return (self.path / self.SPEC).is_file()

    def prepare(self, spec: SweepSpec) -> bool:
        """Make the folder for ``spec``, or check that it already holds this sweep; True when resuming."""
        if self.path.exists() and not self.path.is_dir():
            raise RunError(f"--out {quote(str(self.path), 120)} is a file; give a folder for the sweep")
        if self.exists():
            old = self.read_spec()
            if old.recipe.to_dict() != spec.recipe.to_dict() or old.space.to_json() != spec.space.to_json():
                raise RunError(f"{quote(str(self.path), 120)} holds a sweep of another recipe or space; give "
                               "another --out, or the same recipe and space to continue it")
            return True
        if self.path.is_dir() and any(self.path.iterdir()):
            raise RunError(f"--out {quote(str(self.path), 120)} is a folder with other files in it; give a new "
                           "or empty folder for the sweep")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise RunError(f"cannot make the sweep folder {quote(str(self.path), 120)} ({err.strerror}); "
                           "choose another --out") from None
        write_json_atomic(self.path / self.SPEC, spec.to_dict())
        return False

    def read_spec(self) -> SweepSpec:
        try:
            return SweepSpec.from_dict(json.loads((self.path / self.SPEC).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise RunError(f"{quote(str(self.path / self.SPEC), 120)} cannot be read ({err}); it is not a "
                           "sweep folder this studio wrote") from None

    def write_results(self, rows: list[dict[str, Any]]) -> None:
        import csv
        import io

        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=RESULT_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "params": json.dumps(row["params"], sort_keys=True),
                             "value": "" if row["value"] is None else f"{row['value']:.6g}"})
        write_text_atomic(self.path / self.RESULTS, buf.getvalue())

    def write_best(self, recipe: Recipe) -> Path:
        return write_text_atomic(self.path / self.BEST, recipe.to_json() + "\n")

    def read_best(self) -> Recipe | None:
        path = self.path / self.BEST
        return Recipe.from_dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None
