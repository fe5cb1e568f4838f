"""The Train page's augmentation: the recipe's options that apply to the draft's inputs, and a preview.

``regularization.augmentation`` holds options for tables (``noise_std``) and for pictures (shift,
flips, rotation, brightness, contrast, cutout). Only those that apply to the data are shown: the
picture options when the data has an image input, the noise when it has a table input. Under the
picture options, a grid shows a few training pictures as they are and as the network sees them
(:func:`studio.train.image_augment.preview`, the same kornia augmentation the Trainer runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st
from pydantic import BaseModel, create_model

from components import engine, forms, state
from components.safe import md
from studio.errors import StudioError
from studio.recipe import Augmentation, Recipe

TABLE_FIELDS = ("noise_std",)
IMAGE_FIELDS = tuple(n for n in Augmentation.model_fields if n not in TABLE_FIELDS)
PREVIEW_COUNT = 8
DRAW_KEY = "train.augment.draw"  # a widget key: which random draw the preview shows


def _fields(name: str, fields: tuple[str, ...]) -> type[BaseModel]:
    """A model of some of Augmentation's fields, so the generic form draws just them."""
    return create_model(name, **{n: (Augmentation.model_fields[n].annotation, Augmentation.model_fields[n])
                                 for n in fields})  # type: ignore[call-overload]


TableAugmentation = _fields("TableAugmentation", TABLE_FIELDS)
ImageAugmentation = _fields("ImageAugmentation", IMAGE_FIELDS)


def form(values: dict[str, Any], apply: Callable[[str, Any], None]) -> None:
    """The augmentation options that apply to the draft's inputs, and the preview when it has pictures."""
    recipe = state.get_recipe()
    images = engine.image_inputs(recipe)
    scope, path = "train.regularization.augmentation", "regularization.augmentation"
    if not images or _has_table_input(recipe):
        forms.render_params(TableAugmentation, values, scope, apply, path=path)
    if images:
        forms.render_params(ImageAugmentation, values, scope, apply, path=path)
        preview(recipe)


def _has_table_input(recipe: Recipe) -> bool:
    try:
        return any(i.kind == "table" for i in engine.prepared(recipe).inputs)
    except StudioError:
        return True


def _hwc(images: np.ndarray) -> list[np.ndarray]:
    """uint8 (n, C, H, W) -> what st.image shows: (H, W) grey or (H, W, 3) colour pictures."""
    return [im[0] if im.shape[0] == 1 else np.transpose(im, (1, 2, 0)) for im in images]


def preview(recipe: Recipe) -> None:
    """A few training pictures as they are, and as the network sees them in one random draw."""
    st.markdown("**What the network sees**")
    left, right = st.columns([1, 4], vertical_alignment="bottom")
    draw = int(left.number_input("Draw", min_value=0, max_value=10_000, value=0, step=1, key=DRAW_KEY,
                                 help="Another number draws other random changes of the same pictures."))
    try:
        original = engine.augment_preview(recipe, PREVIEW_COUNT, 0, augmented=False)
        seen = engine.augment_preview(recipe, PREVIEW_COUNT, draw)
    except StudioError as err:
        st.error(md(err))
        return
    width = 72
    right.caption("Training pictures as they are (top) and after augmentation (bottom); each epoch draws anew.")
    st.image(_hwc(original), width=width, clamp=True)
    st.image(_hwc(seen), width=width, clamp=True)
