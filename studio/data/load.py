"""``load_table``: a DataConfig in, a typed Table out (built-in set or CSV file)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from studio.data.access import DataAccess
from studio.data.csv_reader import parse_options, read_csv
from studio.data.datasets import DATASETS
from studio.data.overrides import override_table, parse_overrides, type_features
from studio.data.ranges import check_feature_ranges
from studio.data.table import Table
from studio.data.target import check_target, decide_task, drop_missing_target, listed, target_numbers
from studio.errors import DataError, quote
from studio.recipe import DataConfig

if TYPE_CHECKING:
    from studio.data.images.cache import Progress


def load_table(data: DataConfig, access: DataAccess | None = None, progress: Progress | None = None) -> Table:
    """Load ``data.source`` and apply ``data.target``, ``data.features`` and ``data.task``.

    ``access`` says where a file's relative path is looked up and which files may be read at all
    (default: any path, relative to the working folder; see :class:`studio.data.access.DataAccess`).
    ``progress(done, total)`` is called while pictures are decoded (the app's progress bar); nothing
    else reports progress.

    Raises:
        DataError: the file or the columns cannot be used as given (the message says why and what to do).
        RecipeError: ``data.options`` holds a value the source does not accept.
    """
    kind, ref = data.source.split(":", 1)
    if kind == "builtin":
        return _load_builtin(ref, data)
    if kind == "images":
        return _load_images(ref, data, access or DataAccess(), progress)
    return _load_csv(ref, data, access or DataAccess())


def _load_images(ref: str, data: DataConfig, access: DataAccess, progress: Progress | None = None) -> Table:
    from studio.data.images.tables import LABEL_COLUMN, folder_table, image_options

    options = image_options(data.options)
    path = access.resolve(ref, "image folder")
    if not path.exists():
        raise DataError(f"image folder {ref!r} does not exist; give a folder with one subfolder of pictures per "
                        "class, or a .zip of one")
    table = folder_table(path, Path(ref).name, options, progress)
    parse_overrides(data.columns, [*table.features, *table.images], table.target, f"image folder {Path(ref).name!r}")
    if data.target not in (None, LABEL_COLUMN):
        raise DataError(f"data.target is {data.target!r} but a folder of pictures predicts its folders' names "
                        f"({LABEL_COLUMN!r}); leave data.target empty")
    if data.task == "regression":
        raise DataError("a folder of pictures is a classification (the label is the folder's name); set data.task "
                        "to auto or classification, or use a CSV with a numeric target and an image column")
    return table


def _load_builtin(name: str, data: DataConfig) -> Table:
    if name not in DATASETS:
        raise DataError(f"unknown built-in dataset {name!r}; valid names: {', '.join(DATASETS)}.")
    params = DATASETS.parse({**data.options, "kind": name}, "data.options")
    table = DATASETS[name].impl(params, data.seed)
    if data.target not in (None, table.target):
        raise DataError(
            f"data.target is {data.target!r} but the built-in dataset {name!r} predicts "
            f"{table.target!r}; leave data.target empty or set it to {table.target!r}."
        )
    table = override_table(table, parse_overrides(data.columns, table.features, table.target,
                                                  f"the built-in dataset {name!r}"))
    if data.features is not None:
        full = list(table.features)
        table.features = _choose(data.features, full, {}, {}, table.target, name)
        table.column_types = {f: table.column_types[f] for f in table.features}
        table.frame = table.frame[[*table.features, table.target]]
        if table.features != full:
            table.image_shape = None  # a subset of pixels is no longer an image
    if data.task not in ("auto", table.task):
        task, col, labels = decide_task(table.frame[table.target], data.task)
        table.frame = table.frame.assign(**{table.target: col})
        table.task, table.class_labels = task, labels
    return table


def _load_csv(ref: str, data: DataConfig, access: DataAccess) -> Table:
    name = Path(ref).name
    raw, notes = read_csv(access.resolve(ref, "CSV file"), parse_options(data.options))
    columns = list(raw.columns)
    if len(columns) == 1:
        raise DataError(
            f"CSV file {name!r} has a single column ({columns[0]!r}); a model needs a target and at "
            "least one feature column; if the file uses another separator, set data.options.delimiter."
        )
    target = check_target(columns, data.target, f"CSV file {name!r}")
    overrides = parse_overrides(data.columns, columns, target, f"CSV file {name!r}")
    raw, number_notes = target_numbers(raw, target)
    frame, target_notes = drop_missing_target(raw, target)
    typed = type_features(frame.drop(columns=[target]), overrides)
    task, y, labels = decide_task(frame[target], data.task)
    usable = [c for c in typed.frame.columns if c in typed.column_types]
    features = _choose(data.features, usable, typed.dropped, typed.expanded, target, name)
    if not features:
        why = "; ".join(f"{quote(c, 30)} ({r})" for c, r in list(typed.dropped.items())[:3])
        more = f" and {len(typed.dropped) - 3} more" if len(typed.dropped) > 3 else ""
        raise DataError(
            f"CSV file {name!r} has no usable feature column: {why or 'only the target'}{more}; "
            "add numeric or categorical columns besides the target, or keep one with data.columns."
        )
    check_feature_ranges(typed.frame, [f for f in features if typed.column_types[f] == "numeric"])
    out = typed.frame[features].copy()
    out[target] = y
    dropped_notes = [f"not a feature: {quote(c)} ({r})" for c, r in typed.dropped.items()]
    return Table(
        name=name,
        frame=out,
        target=target,
        features=features,
        column_types={f: typed.column_types[f] for f in features},
        task=task,
        class_labels=labels,
        dropped=dict(typed.dropped),
        notes=[*notes, *number_notes, *target_notes, *typed.notes, *dropped_notes],
        derived={src: [c for c in cols if c in features] for src, cols in typed.expanded.items()
                 if any(c in features for c in cols)},
    )


def _choose(
    wanted: list[str] | None,
    usable: list[str],
    dropped: dict[str, str],
    expanded: dict[str, list[str]],
    target: str,
    source: str,
) -> list[str]:
    """The features to use: all usable ones, or ``data.features`` checked against them."""
    if wanted is None:
        return usable
    chosen: list[str] = []
    for name in wanted:
        if name == target:
            raise DataError(f"data.features lists the target {target!r}; remove it from the features.")
        if name in expanded:
            chosen += [c for c in expanded[name] if c not in chosen]
        elif name in dropped:
            hint = "" if dropped[name].startswith("set to") else " or set it to 'feature' in data.columns"
            raise DataError(f"data.features lists {quote(name)}, which cannot be used ({dropped[name]}); "
                            f"remove it{hint}.")
        elif name in usable:
            chosen += [] if name in chosen else [name]
        else:
            raise DataError(f"data.features lists {quote(name)}, which is not a column of {source}; "
                            f"valid: {listed([*usable, *expanded])}.")
    if not chosen:
        raise DataError("data.features is empty; list at least one feature or set it to null for all.")
    return chosen
