"""The built-in ``shapes`` dataset: generated colour pictures of six shapes (see :mod:`.shapes`)."""

from __future__ import annotations

from pydantic import Field

from studio.data.datasets import DATASETS
from studio.data.images.shapes import CLASSES, SIZE, draw_shapes
from studio.data.table import Table
from studio.registry import Params


class ShapesParams(Params):
    n_samples: int = Field(3000, ge=60, le=50_000, description="Number of pictures (an equal share per shape).",
                           json_schema_extra={"ui": "slider"})


@DATASETS.register("shapes", ShapesParams,
                   f"Colour shapes: {SIZE}x{SIZE} pictures of {len(CLASSES)} shapes on noisy backgrounds "
                   "(where a CNN beats a dense network).")
def load_shapes(params: ShapesParams, seed: int) -> Table:
    from studio.data.images.tables import generated_table

    images, codes = draw_shapes(params.n_samples, seed=seed)
    return generated_table("shapes", f"builtin:shapes:{params.n_samples}:{seed}", images, list(CLASSES), codes,
                           "shape", f"{params.n_samples} generated {SIZE}x{SIZE} colour pictures of "
                           f"{', '.join(CLASSES)}, drawn from seed {seed}")
