"""``load_table``: a DataConfig in, a typed Table out (built-in set or CSV file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from studio.data.access import DataAccess
from studio.data.csv_reader import parse_options, read_csv
from studio.data.datasets import DATASETS
from studio.data.decided import TEXT_NOTE
from studio.data.options import split_csv_options
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
    return _load_csv(ref, data, access or DataAccess(), progress)


def _load_images(ref: str, data: DataConfig, access: DataAccess, progress: Progress | None = None) -> Table:
    from studio.data.images.tables import LABEL_COLUMN, folder_table, image_options

    options = image_options(data.options)
    _only_csv_pictures(data, f"the image folder {Path(ref).name!r}")
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


def _only_csv_pictures(data: DataConfig, source: str) -> None:
    """An image column names pictures by path; only a CSV has such columns."""
    for name, use in data.columns.items():
        if use == "image":
            raise DataError(f"data.columns sets {quote(name)} to 'image', but {source} has no column of picture "
                            "paths; 'image' is for a CSV column that names picture files", ("data", "columns", name))


def _load_builtin(name: str, data: DataConfig) -> Table:
    if name not in DATASETS:
        raise DataError(f"unknown built-in dataset {name!r}; valid names: {', '.join(DATASETS)}.")
    _only_csv_pictures(data, f"the built-in dataset {name!r}")
    params = DATASETS.parse({**data.options, "kind": name}, "data.options")
    table = DATASETS[name].impl(params, data.seed)
    if data.series is not None or table.series is not None:
        from studio.data.series_sets import builtin_series

        return builtin_series(table, data)
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


def _load_csv(ref: str, data: DataConfig, access: DataAccess, progress: Progress | None = None) -> Table:
    name = Path(ref).name
    csv_options, image_raw = split_csv_options(data.options)
    path = access.resolve(ref, "CSV file")
    raw, notes = read_csv(path, parse_options(csv_options))
    columns = list(raw.columns)
    if len(columns) == 1:
        raise DataError(
            f"CSV file {name!r} has a single column ({columns[0]!r}); a model needs a target and at "
            "least one feature column; if the file uses another separator, set data.options.delimiter."
        )
    wanted = data.target
    series = data.series
    if not wanted and series is not None and series.task == "forecast" and len(series.columns or []) == 1:
        wanted = series.columns[0]  # one series to forecast: it is the target
    target = check_target(columns, wanted, f"CSV file {name!r}")
    overrides = parse_overrides(data.columns, columns, target, f"CSV file {name!r}")
    if data.series is not None:
        from studio.data.series import series_table

        return series_table(raw.drop(columns=sorted(overrides.ignored)), data.series, target, name, notes,
                            f"CSV file {name!r}")
    raw, number_notes = target_numbers(raw, target)
    frame, target_notes = drop_missing_target(raw, target)
    pictures = overrides.named("image")
    typed = type_features(frame.drop(columns=[target, *pictures]), overrides)
    task, y, labels = decide_task(frame[target], data.task)
    usable = [c for c in typed.frame.columns if c in typed.column_types]
    wanted = None if data.features is None else [f for f in data.features if f not in pictures]
    only_pictures = wanted == [] and bool(pictures)  # data.features lists image columns alone
    features = [] if only_pictures else _choose(wanted, usable, typed.dropped, typed.expanded, target, name)
    if not features and not pictures:
        why = "; ".join(f"{quote(c, 30)} ({r})" for c, r in list(typed.dropped.items())[:3])
        more = f" and {len(typed.dropped) - 3} more" if len(typed.dropped) > 3 else ""
        raise DataError(
            f"CSV file {name!r} has no usable feature column: {why or 'only the target'}{more}; "
            "add numeric, categorical or text columns besides the target, or keep one with data.columns."
        )
    check_feature_ranges(typed.frame, [f for f in features if typed.column_types[f] == "numeric"])
    out = typed.frame[features]  # copy-on-write: adding columns below leaves typed.frame alone
    for column in pictures:
        out[column] = frame[column]
    out[target] = y
    dropped_notes = [f"not a feature: {quote(c)} ({r})" for c, r in typed.dropped.items()]
    text_notes = [f"{TEXT_NOTE}{quote(c)} ({typed.text.get(c, 'set in data.columns')})" for c in features
                  if typed.column_types[c] == "text"]
    table = Table(
        name=name,
        frame=out,
        target=target,
        features=features,
        column_types={f: typed.column_types[f] for f in features},
        task=task,
        class_labels=labels,
        dropped=dict(typed.dropped),
        notes=[*notes, *number_notes, *target_notes, *typed.notes, *dropped_notes, *text_notes],
        derived={src: [c for c in cols if c in features] for src, cols in typed.expanded.items()
                 if any(c in features for c in cols)},
    )
    if pictures:
        table.features += pictures
        table = _attach_pictures(table, pictures, path, access, image_raw, progress)
    return table


def _attach_pictures(table: Table, columns: list[str], csv_path: Path, access: DataAccess,
                     image_raw: dict, progress: Progress | None) -> Table:
    """Decode the pictures the CSV's image columns name, relative to the CSV's folder.

    Where access is confined (the app), a picture must lie inside the CSV's own folder and within
    what the app allows; on the command line any path is read.
    """
    from studio.data.images.tables import attach_image_columns, image_options

    base = csv_path.resolve().parent
    resolve = None if access.allowed is None else _confined_to(base, access)
    return attach_image_columns(table, columns, base, image_options(image_raw), resolve, progress)


def _confined_to(base: Path, access: DataAccess) -> Callable[[str], Path]:
    def resolve(ref: str) -> Path:
        path = Path(ref).resolve()
        if not path.is_relative_to(base):
            raise DataError(f"picture {quote(ref, 80)} lies outside the CSV's folder; in the studio app an image "
                            "column may name only pictures beside the CSV or in its subfolders")
        found = DataAccess(access.search, access.allowed).resolve(str(path), "picture")
        if not found.is_file():
            raise DataError(f"picture {quote(ref, 80)} does not exist; paths are read relative to the CSV's folder")
        return found

    return resolve


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
