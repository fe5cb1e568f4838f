"""The built-in ``shapes`` dataset: generated colour pictures of six shapes (see :mod:`.shapes`)."""

from __future__ import annotations

from pydantic import Field, field_validator

from studio.data.datasets import DATASETS
from studio.data.images.shapes import CLASSES, SIZE, draw_shapes
from studio.data.table import Table
from studio.registry import Params


class ShapesParams(Params):
    n_samples: int = Field(3000, ge=60, le=50_000, description="Number of pictures (an equal share per shape).",
                           json_schema_extra={"ui": "slider"})
    classes: list[str] | None = Field(
        None, description=f"The shapes to draw (2 or more of {', '.join(CLASSES)}); blank: all six. Two sets of "
                          "different shapes make a pretraining task and a fine-tuning task.")

    @field_validator("classes")
    @classmethod
    def _known_shapes(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = [v for v in value if v not in CLASSES]
        if unknown:
            raise ValueError(f"unknown shape {unknown[0]!r}; the shapes are {', '.join(CLASSES)}")
        if len(set(value)) < 2 or len(set(value)) != len(value):
            raise ValueError("give 2 or more different shapes")
        return value


@DATASETS.register("shapes", ShapesParams,
                   f"Colour shapes: {SIZE}x{SIZE} pictures of {len(CLASSES)} shapes on noisy backgrounds "
                   "(where a CNN beats a dense network).")
def load_shapes(params: ShapesParams, seed: int) -> Table:
    from studio.data.images.tables import generated_table

    classes = tuple(params.classes or CLASSES)
    images, codes = draw_shapes(params.n_samples, seed=seed, classes=classes)
    key = f"builtin:shapes:{params.n_samples}:{seed}" + ("" if classes == CLASSES else ":" + ",".join(classes))
    return generated_table("shapes", key, images, list(classes), codes,
                           "shape", f"{params.n_samples} generated {SIZE}x{SIZE} colour pictures of "
                           f"{', '.join(classes)}, drawn from seed {seed}")
