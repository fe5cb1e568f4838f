"""The Recipe: one serializable value that describes a whole run.

The JSON format is a public contract. Preprocessing steps, model blocks, the optimizer and the
schedule are each ``{"kind": ..., <params>}`` validated against their registry, and stored with
every default filled in, so a saved recipe says exactly what ran.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from studio.errors import RecipeError, quote, with_location
from studio.jsontext import load_json
from studio.registry import describe_validation_error

SCHEMA_VERSION = 1
SEED_MAX = 2**32 - 1  # what numpy, scikit-learn and torch all accept as a seed


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class SplitConfig(_Strict):
    train: float = Field(0.7, gt=0.0, lt=1.0, description="Share of rows used to fit the model.")
    val: float = Field(0.15, ge=0.0, lt=1.0, description="Share of rows used for early stopping and curves.")
    test: float = Field(0.15, gt=0.0, lt=1.0, description="Share of rows held out for the final metrics.")
    stratify: bool = Field(True, description="Keep class proportions equal in every split (classification).")

    @model_validator(mode="after")
    def _sums_to_one(self) -> SplitConfig:
        total = self.train + self.val + self.test
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"train + val + test must add up to 1, got {total:.3f}")
        return self


# data.columns: what a column is used as. Roles: feature (keep it, whatever the automatic typing
# thinks), ignore (never use it); types: numeric, categorical (and a feature). text and image are
# reserved for the input kinds that read them (accepted here, refused by the loader until then).
ColumnUse = Literal["feature", "ignore", "numeric", "categorical", "text", "image"]
COLUMN_USES: tuple[str, ...] = ("feature", "ignore", "numeric", "categorical", "text", "image")


class SeriesConfig(_Strict):
    """``data.series``: the rows are the time steps of one or more numeric series.

    Each sample is a window of ``window`` consecutive steps of the input series; ``task`` forecast
    predicts the next ``horizon`` values of ``data.target`` (a regression with ``horizon`` outputs),
    classify predicts the label ``data.target`` holds at the window's last step. The split is by time
    (studio/data/series_split.py); each series is standardized with training statistics inside the model.
    """

    time: str | None = Field(None, description="Column that orders the steps (dates or numbers); null: the "
                                               "rows' order in the file.")
    window: int = Field(24, ge=1, le=4096, description="Past steps the model sees for each prediction.",
                        json_schema_extra={"ui": "slider"})
    horizon: int = Field(1, ge=1, le=1024, description="Forecast: how many next values of the target to "
                                                       "predict at once (classify: 1).")
    columns: list[str] | None = Field(None, description="Series the model reads; null: every numeric column "
                                                        "(the target's own past included when forecasting).")
    task: Literal["forecast", "classify"] = Field("forecast", description="forecast the target's next values, "
                                                                          "or classify each window by the label "
                                                                          "at its last step.")
    missing: Literal["interpolate", "refuse"] = Field("interpolate", description="Missing values in a series: "
                                                      "filled linearly between neighbouring steps, or refused.")

    @model_validator(mode="after")
    def _consistent(self) -> SeriesConfig:
        if self.task == "classify" and self.horizon != 1:
            raise RecipeError(f"data.series.horizon is {self.horizon}, but a classify series labels each window "
                              "at its last step; set horizon to 1 or task to forecast", ("data", "series", "horizon"))
        if self.columns is not None:
            if not self.columns:
                raise RecipeError("data.series.columns is empty; list at least one series or set it to null for "
                                  "every numeric column", ("data", "series", "columns"))
            if len(set(self.columns)) != len(self.columns):
                twice = next(c for c in self.columns if self.columns.count(c) > 1)
                raise RecipeError(f"data.series.columns lists {quote(twice)} twice; list each series once",
                                  ("data", "series", "columns"))
            if self.time is not None and self.time in self.columns:
                raise RecipeError(f"data.series.columns lists the time column {quote(self.time)}; the time orders "
                                  "the steps and is not a series, so remove it", ("data", "series", "columns"))
        return self


class DataConfig(_Strict):
    source: str = Field(
        "builtin:breast_cancer",
        description="builtin:NAME (see `studio datasets`), csv:PATH, or images:PATH (a folder with one "
                    "subfolder of pictures per class, or a .zip of one).",
    )
    target: str | None = Field(None, description="Target column; a CSV source must name it.")
    features: list[str] | None = Field(None, description="Feature columns to use; null means all usable ones.")
    task: Literal["auto", "classification", "regression"] = "auto"
    split: SplitConfig = Field(default_factory=SplitConfig)
    seed: int = Field(0, ge=0, le=SEED_MAX, description="Seed of the split (and of synthetic data).")
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Options of the source: size/noise for synthetic sets, delimiter/max_mb for CSVs.",
    )
    columns: dict[str, ColumnUse] = Field(
        default_factory=dict,
        description="Per column, what it is used as: feature, ignore, numeric, categorical, or image (a path "
                    "to a picture, relative to the CSV; text is reserved); a column not named here is typed "
                    "automatically.",
    )
    series: SeriesConfig | None = Field(None, description="The rows are time steps: forecast or classify "
                                                          "windows of them (see SeriesConfig); null: a table.")

    @field_validator("series", mode="before")
    @classmethod
    def _series_form(cls, v: Any) -> Any:
        """A bad value inside data.series is a RecipeError located there (not pydantic's generic sentence)."""
        if v is None or isinstance(v, SeriesConfig):
            return v
        if not isinstance(v, dict):
            raise RecipeError(f"data.series must be an object such as {{\"window\": 24, \"horizon\": 1}} or null, "
                              f"got {_json_kind(v)}", ("data", "series"))
        try:
            return SeriesConfig.model_validate(v)
        except ValidationError as err:
            first = err.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else None
            where = ("data", "series", field) if field else ("data", "series")
            raise RecipeError(f"data.series: {describe_validation_error(err)}", where) from None

    @field_validator("columns", mode="before")
    @classmethod
    def _column_uses(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            raise RecipeError(f"data.columns must map column names to a use ({', '.join(COLUMN_USES)}), "
                              f"got {_json_kind(v)}", ("data", "columns"))
        for name, use in v.items():
            if not isinstance(name, str) or not name.strip():
                raise RecipeError("data.columns has an empty column name; name each column as its header does",
                                  ("data", "columns"))
            if use not in COLUMN_USES:
                raise RecipeError(f"data.columns[{quote(name)}] is {quote(use)}; valid uses: "
                                  f"{', '.join(COLUMN_USES)}", ("data", "columns", name))
        return v

    @model_validator(mode="after")
    def _columns_agree(self) -> DataConfig:
        if self.target is not None and self.target in self.columns:
            raise RecipeError(f"data.columns sets the target {quote(self.target)}; the target is chosen by "
                              "data.target, so remove it from data.columns", ("data", "columns", self.target))
        from studio.data.options import check_options

        check_options(self.source, self.options, self.columns)
        if self.series is not None:
            _check_series(self)
        ignored = [f for f in self.features or [] if self.columns.get(f) == "ignore"]
        if ignored:
            raise RecipeError(f"data.features lists {quote(ignored[0])}, which data.columns sets to 'ignore'; "
                              "remove it from one of them", ("data", "columns", ignored[0]))
        return self

    @field_validator("source")
    @classmethod
    def _source_form(cls, v: str) -> str:
        if not v.startswith(("builtin:", "csv:", "images:")) or len(v.split(":", 1)[1]) == 0:
            raise ValueError(f"source must be 'builtin:NAME', 'csv:PATH' or 'images:PATH', got {quote(v)}")
        return v


def _check_series(data: DataConfig) -> None:
    """What data.series cannot go with, as a RecipeError located at the field to change."""
    series = data.series
    assert series is not None
    if data.source.startswith("images:"):
        raise RecipeError("data.series reads rows of a CSV or a built-in set as time steps, not a folder of "
                          "pictures; set data.series to null or choose another source", ("data", "series"))
    if data.features is not None:
        raise RecipeError("data.features is set, but a series model reads the series in data.series.columns; set "
                          "data.features to null and list the series there", ("data", "features"))
    wanted = {"forecast": "regression", "classify": "classification"}[series.task]
    if data.task not in ("auto", wanted):
        raise RecipeError(f"data.task is {data.task!r}, but data.series.task {series.task!r} is a {wanted}; set "
                          f"data.task to auto", ("data", "task"))
    if series.time is not None and series.time == data.target:
        raise RecipeError(f"data.series.time is the target {quote(data.target)}; the time orders the steps, so "
                          "choose another column (or null for row order)", ("data", "series", "time"))
    if series.task == "classify" and data.target in (series.columns or []):
        raise RecipeError(f"data.series.columns lists the label column {quote(data.target)}; a window is "
                          "classified from the other series, so remove it", ("data", "series", "columns"))
    special = [c for c, use in data.columns.items() if use in ("image", "text")]
    if special:
        raise RecipeError(f"data.columns sets {quote(special[0])} to {data.columns[special[0]]!r}, which a series "
                          "cannot read; remove it", ("data", "columns", special[0]))


class EarlyStopping(_Strict):
    patience: int = Field(10, ge=1, description="Epochs without improvement before stopping.")
    monitor: Literal["val_loss", "val_metric"] = "val_loss"
    min_delta: float = Field(0.0, ge=0.0, description="Smallest change that counts as an improvement.")


class Augmentation(_Strict):
    """Random changes to each training sample, drawn anew every epoch (never at evaluation)."""

    noise_std: float = Field(0.0, ge=0.0, le=5.0, description="Gaussian noise added to (scaled) tabular inputs.")
    shift: int = Field(0, ge=0, le=16, description="Images: random crop after padding by this many pixels "
                                                   "(shifts the picture by up to that much).")
    hflip: bool = Field(False, description="Images: mirror half of them left-right.")
    vflip: bool = Field(False, description="Images: mirror half of them upside down.")
    rotation: float = Field(0.0, ge=0.0, le=180.0, description="Images: largest random rotation, in degrees.")
    brightness: float = Field(0.0, ge=0.0, le=1.0, description="Images: brightness shifted by up to this much "
                                                               "(share of full white).")
    contrast: float = Field(0.0, ge=0.0, le=1.0, description="Images: contrast scaled by up to this share.")
    cutout: float = Field(0.0, ge=0.0, le=0.5, description="Images: half of them get a random rectangle of up "
                                                            "to this share of the picture blanked out.")


class Regularization(_Strict):
    l1: float = Field(0.0, ge=0.0, description="L1 penalty on the weights, added to the loss.")
    l2: float = Field(0.0, ge=0.0, description="L2 penalty on the weights, added to the loss.")
    label_smoothing: float = Field(0.0, ge=0.0, lt=1.0)
    grad_clip: float | None = Field(None, gt=0.0, description="Clip the gradient norm to this value.")
    early_stopping: EarlyStopping | None = Field(default_factory=EarlyStopping)
    augmentation: Augmentation | None = None
    class_weights: Literal["none", "balanced"] = Field(
        "none", description="'balanced' weighs classes inversely to their frequency."
    )


class TrainingConfig(_Strict):
    epochs: int = Field(50, ge=1, le=100_000)
    batch_size: int = Field(64, ge=1, le=1_000_000)
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    loss: Literal["auto", "cross_entropy", "mse", "huber"] = "auto"
    seed: int = Field(0, ge=0, le=SEED_MAX)
    threads: int | None = Field(
        None, ge=1, le=256, title="CPU threads",
        description="CPU threads for training. Blank: all cores but one, fewer when other programs keep "
                    "cores busy at the start (more threads than free cores can make training 10x slower).")
    init_from: str | None = Field(
        None, min_length=1, max_length=4096, title="Start from run",
        json_schema_extra={"ui": "hidden"},
        description="A run directory whose weights this run starts from (fine-tuning): blocks are matched by "
                    "position and shape; a new head is made when the classes differ.")
    freeze: int | str | None = Field(
        None, json_schema_extra={"ui": "hidden"},
        description="With init_from: freeze the first N blocks of the model, or the whole stack of the input of "
                    "that name; frozen weights do not change.")
    pretrained_lr_factor: float = Field(
        1.0, gt=0.0, le=1.0, title="Pretrained learning-rate factor", json_schema_extra={"ui": "hidden"},
        description="With init_from: the learning rate of the loaded (not frozen) weights, as a share of the "
                    "optimizer's (e.g. 0.1); new weights such as the head learn at the full rate.")

    distill_from: str | None = Field(
        None, min_length=1, max_length=4096, title="Teacher run", json_schema_extra={"ui": "hidden"},
        description="A run whose predictions this model learns from (knowledge distillation), mixed with the "
                    "true labels; the teacher's data and preprocessing are used.")
    distill_temperature: float = Field(
        4.0, ge=1.0, le=20.0, json_schema_extra={"ui": "hidden"},
        description="Softens the teacher's probabilities (classification): higher shows more of how it ranks "
                    "the wrong classes.")
    distill_alpha: float = Field(
        0.7, ge=0.0, le=1.0, json_schema_extra={"ui": "hidden"},
        description="Weight of the teacher's soft targets in the loss; the rest goes to the true labels.")

    @field_validator("freeze")
    @classmethod
    def _freeze_is_sensible(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, bool) or (isinstance(value, int) and not 0 <= value <= 10_000):
            raise ValueError("freeze must be a number of blocks (0 or more) or an input's name")
        if isinstance(value, str) and not value.strip():
            raise ValueError("freeze must be a number of blocks (0 or more) or an input's name, not empty")
        return value

    @model_validator(mode="after")
    def _fine_tuning_needs_a_run(self) -> TrainingConfig:
        if self.init_from is None and (self.freeze not in (None, 0) or self.pretrained_lr_factor != 1.0):
            raise ValueError("freeze and pretrained_lr_factor apply to weights loaded with init_from; set "
                             "init_from to a run directory, or remove them")
        return self


def _kinded(registry_name: str, raw: Any, where: str, location: tuple[str | int, ...] = ()) -> dict[str, Any]:
    from studio import catalog

    try:
        return catalog.registry(registry_name).normalize(raw, where)
    except RecipeError as err:
        raise with_location(err, *location) from None


class Recipe(_Strict):
    """Everything a run needs. Build it with :func:`load_recipe` / :meth:`Recipe.from_dict`."""

    schema_version: Literal[1] = SCHEMA_VERSION
    name: str = Field("untitled", min_length=1, max_length=120)
    data: DataConfig = Field(default_factory=DataConfig)
    preprocessing: list[dict[str, Any]] = Field(default_factory=list)
    model: list[dict[str, Any]] = Field(default_factory=list)
    encoders: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description="Per input (its name: 'table', or an image column), the blocks it goes through before the "
                    "inputs are joined and `model` follows; for data with one input, `model` is the whole network.",
    )
    optimizer: dict[str, Any] = Field(default_factory=lambda: {"kind": "adam"})
    schedule: dict[str, Any] = Field(default_factory=lambda: {"kind": "constant"})
    regularization: Regularization = Field(default_factory=Regularization)
    training: TrainingConfig = Field(default_factory=TrainingConfig)

    @field_validator("preprocessing", mode="before")
    @classmethod
    def _steps(cls, v: Any) -> list[dict[str, Any]]:
        if not isinstance(v, list):
            raise RecipeError(f"preprocessing must be a list of steps, got {type(v).__name__}")
        return [_kinded("steps", s, f"preprocessing step {i + 1}", ("preprocessing", i)) for i, s in enumerate(v)]

    @field_validator("model", mode="before")
    @classmethod
    def _blocks(cls, v: Any) -> list[dict[str, Any]]:
        if not isinstance(v, list):
            raise RecipeError(f"model must be a list of blocks, got {type(v).__name__}")
        return [_kinded("blocks", b, f"model block {i + 1}", ("model", i)) for i, b in enumerate(v)]

    @field_validator("encoders", mode="before")
    @classmethod
    def _encoders(cls, v: Any) -> dict[str, list[dict[str, Any]]]:
        if not isinstance(v, dict):
            raise RecipeError(f"encoders must map an input's name to a list of blocks, got {type(v).__name__}")
        out = {}
        for name, blocks in v.items():
            if not isinstance(blocks, list):
                raise RecipeError(f"encoders[{quote(name)}] must be a list of blocks, got {type(blocks).__name__}",
                                  ("encoders", name))
            out[str(name)] = [_kinded("blocks", b, f"encoder {quote(name)} block {i + 1}", ("encoders", name, i))
                              for i, b in enumerate(blocks)]
        return out

    @field_validator("optimizer", mode="before")
    @classmethod
    def _optimizer(cls, v: Any) -> dict[str, Any]:
        return _kinded("optimizers", v, "optimizer", ("optimizer",))

    @field_validator("schedule", mode="before")
    @classmethod
    def _schedule(cls, v: Any) -> dict[str, Any]:
        return _kinded("schedules", v, "schedule", ("schedule",))

    # -- serialization -------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, raw: Any) -> Recipe:
        """Validate plain data; any problem is a :class:`RecipeError` naming the field."""
        if not isinstance(raw, dict):
            raise RecipeError(f"a recipe must be a JSON object {{...}}, got {_json_kind(raw)}")
        version = raw.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise RecipeError(
                f"schema_version {quote(version)} is not supported; this studio reads version {SCHEMA_VERSION}"
            )
        try:
            return cls.model_validate(raw)
        except ValidationError as err:
            raise RecipeError(f"invalid recipe: {describe_validation_error(err)}") from None
        except RecursionError:  # e.g. options nested hundreds of levels deep: no field of a recipe is
            raise RecipeError("the recipe is nested too deeply to check (objects inside objects hundreds of "
                              "levels deep); no recipe field needs that") from None

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def digest(self) -> str:
        """A short, stable hash of the recipe's content (names a run's lineage in exports)."""
        canon = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canon.encode()).hexdigest()[:16]

    def updated(self, **changes: Any) -> Recipe:
        """A validated copy with top-level sections replaced (the UI edits drafts this way)."""
        return Recipe.from_dict({**self.to_dict(), **changes})


def _json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words (a list is "an array", None is "null")."""
    kinds = {list: "an array", str: "a string", bool: "true/false", int: "a number", float: "a number"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


def load_recipe(path: str | Path) -> Recipe:
    """Read and validate a recipe JSON file."""
    p = Path(path)
    if not p.is_file():
        raise RecipeError(f"recipe file {quote(str(p))} does not exist")
    try:
        data = p.read_bytes()
    except OSError as err:
        raise RecipeError(f"recipe file {quote(p.name)} cannot be read ({err.strerror})") from None
    return recipe_from_json(data, p.name)


def recipe_from_json(data: bytes | str, name: str) -> Recipe:
    """Parse and validate a recipe's JSON (a file's bytes, an upload's); ``name`` names it in messages."""
    return Recipe.from_dict(load_json(data, f"recipe file {quote(name)}", RecipeError))
