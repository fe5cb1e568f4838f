"""``data.options``: which options a source takes, checked once when the Recipe is made.

A CSV with an image column takes the CSV's options (delimiter, decimal, ...) and the pictures'
(image_size, channels, fit, skip_unreadable) side by side in the one ``data.options`` object;
:func:`split_csv_options` hands each reader its own.
"""

from __future__ import annotations

from typing import Any

from studio.errors import RecipeError


def image_option_names() -> set[str]:
    from studio.data.images.source import ImageOptions

    return set(ImageOptions.model_fields)


def split_csv_options(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``data.options`` of a CSV source as (the CSV reader's, the image columns')."""
    names = image_option_names()
    return ({k: v for k, v in raw.items() if k not in names}, {k: v for k, v in raw.items() if k in names})


def check_options(source: str, options: dict[str, Any], columns: dict[str, str]) -> None:
    """Refuse ``options`` the source does not take, and a built-in set's unknown name, before any
    data is read; a RecipeError located at ``("data", "options")`` or ``("data", "source")``."""
    from studio.data.csv_reader import parse_options
    from studio.data.datasets import DATASETS
    from studio.data.images.tables import image_options

    kind, ref = source.split(":", 1)
    if kind == "builtin":
        if ref not in DATASETS:
            raise RecipeError(f"unknown built-in dataset {ref!r}; valid names: {', '.join(DATASETS)}",
                              ("data", "source"))
        try:
            DATASETS.parse({**options, "kind": ref}, "data.options")
        except RecipeError as err:
            raise RecipeError(str(err), ("data", "options")) from None
    elif kind == "images":
        image_options(options)
    elif kind == "csv":
        csv_raw, image_raw = split_csv_options(options)
        if image_raw and "image" not in columns.values():
            raise RecipeError(f"data.options has picture options ({', '.join(sorted(image_raw))}) but no column is "
                              "an image; set one with data.columns, e.g. {\"photo\": \"image\"}, or remove them",
                              ("data", "options"))
        try:
            parse_options(csv_raw)
        except RecipeError as err:
            raise RecipeError(str(err), ("data", "options")) from None
        image_options(image_raw)
