"""Data page: choose a built-in dataset or upload a CSV, then look at what loading made of it."""

from __future__ import annotations

import contextlib
import typing
from pathlib import Path
from typing import Any

import streamlit as st

from components import engine, figures, image_data, lesson_state, state, tables, text_data
from components.column_uses import column_uses
from components.forms import lock_note, marked, render_params
from components.safe import md
from studio.data import DATASETS
from studio.data.csv_reader import CsvOptions
from studio.errors import DataError, StudioError
from studio.recipe import DataConfig, SplitConfig

W = state.WIDGET_PREFIX
BUILTIN_KEY, CSV_KEY, TARGET_KEY, TASK_KEY = f"{W}data.builtin", "data.csv", f"{W}data.target", f"{W}data.task"
MODE_KEY, MODE_SHOWN_FOR = "data.mode", "data.mode.upload_shown_for"
MODEL_FIT_FOR = "data.model_fit_for"  # the source the model was last checked against
TRAIN_KEY, VAL_KEY, STRAT_KEY, SEED_KEY = f"{W}data.train", f"{W}data.val", f"{W}data.stratify", f"{W}data.seed"


def _set_data(key: str, reset: bool = True, **changes: Any) -> None:
    data = state.get_recipe().data.model_dump(mode="json")
    state.try_update(key, reset_widgets=reset, data={**data, **changes})


def _data_name(source: str) -> str:
    """The name a recipe gets from its data: "wine", or "sales" for an uploaded sales.csv (or sales.zip)."""
    kind, ref = source.split(":", 1)
    return ref if kind == "builtin" else (Path(ref).stem or kind)


def _unreadable(data: DataConfig) -> bool:
    """Whether the recipe names a file (a CSV, a zip of pictures) this session may not or cannot read."""
    kind, ref = data.source.split(":", 1)
    if kind == "builtin":
        return False
    try:
        engine.resolve_file(ref, "image folder" if kind == "images" else "CSV file")
    except DataError:
        return True
    return False


def _wanted_file(data: DataConfig) -> str | None:
    """The file name a CSV recipe reads when this session does not have that file (else None).

    A plain name (``csv:sales.csv``) that is not among this session's uploads or the server's data
    folders is asked for again; a path elsewhere on the server (``csv:/etc/passwd``) is refused by
    the data access with its own sentence, and never read.
    """
    if not _unreadable(data):
        return None
    path = Path(data.source.split(":", 1)[1])
    return None if path.is_absolute() or ".." in path.parts else path.name


def _new_source(key: str, source: str, **changes: Any) -> None:
    """Switch to ``source``; a name that only said what the data was (a preset's, "untitled", the
    last data's) follows the new data, so runs of an uploaded CSV are not named after a preset.
    A name the person typed stays."""
    recipe = state.get_recipe()
    automatic = {"untitled", _data_name(recipe.data.source), *state.presets()}
    data = {**recipe.data.model_dump(mode="json"), "source": source, **changes}
    named = {"name": _data_name(source)} if recipe.name in automatic else {}
    state.try_update(key, reset_widgets=True, data=data, **named)


def _pick_builtin() -> None:
    if state.widgets_gone(BUILTIN_KEY):
        return
    name = st.session_state[BUILTIN_KEY]
    _new_source(BUILTIN_KEY, f"builtin:{name}", target=None, features=None, task="auto", options={}, columns={})


def _save_csv() -> None:
    uploaded = st.session_state.get(CSV_KEY)
    if uploaded is None:
        return
    data = state.get_recipe().data
    wanted = _wanted_file(data)
    path = state.save_upload(uploaded, "data.csv")
    if wanted is not None and path.name == state.safe_file_name(wanted, wanted):
        # the file the loaded recipe asked for: keep its target, features and options
        state.clear_widget_error(CSV_KEY)
        _set_data(CSV_KEY, source=f"csv:{path.name}")
        return
    try:
        columns = engine.csv_columns(path.name, {})
    except StudioError as err:
        state.set_widget_error(CSV_KEY, str(err))
        return
    # The last column is the usual place of the target; the person changes it below if not.
    _new_source(CSV_KEY, f"csv:{path.name}", target=columns[-1], features=None, task="auto", options={},
                columns={})


def _set_split() -> None:
    if state.widgets_gone(TRAIN_KEY, VAL_KEY, STRAT_KEY):
        return
    train, val = st.session_state[TRAIN_KEY], st.session_state[VAL_KEY]
    if train + val > 0.99:  # the test share is what is left, so say that rather than "test must be > 0"
        state.set_widget_error(TRAIN_KEY, f"train {train:.0%} + validation {val:.0%} leave no rows for the test "
                               "split; lower one of them so that at least 1% is left for testing.")
        return
    split = {"train": train, "val": val, "test": round(1.0 - train - val, 4),
             "stratify": st.session_state[STRAT_KEY]}
    _set_data(TRAIN_KEY, reset=False, split=split)


MODES = {"builtin": "Built-in dataset", "csv": "Upload a CSV", "images": "Upload pictures (zip)"}


def _choose_source(data: DataConfig, wanted: str | None) -> None:
    kind, ref = data.source.split(":", 1)
    modes = list(MODES.values())
    state.seed_widget(MODE_KEY, MODES[kind])
    if _unreadable(data) and st.session_state.get(MODE_SHOWN_FOR) != data.source:
        st.session_state[MODE_SHOWN_FOR] = data.source  # once per source, so Built-in can still be chosen
        st.session_state[MODE_KEY] = MODES[kind]  # the recipe needs a file: show the uploader
    fixed = lesson_state.is_locked("data.source")
    mode = st.radio(marked("Source", "data.source"), modes, horizontal=True, key=MODE_KEY, disabled=fixed)
    lock_note("data.source")
    if mode == modes[0]:
        rows = {row["name"]: row for row in engine.datasets()}
        names = list(rows)
        state.seed_widget(BUILTIN_KEY, ref if ref in names else None)
        st.selectbox(
            "Dataset", names, key=BUILTIN_KEY,
            on_change=_pick_builtin, placeholder="Choose a dataset", disabled=fixed,
            format_func=lambda n: f"{n} ({rows[n]['task']}, {rows[n]['rows']} rows, {rows[n]['features']} features)",
        )
        if kind == "builtin" and ref in DATASETS:
            st.caption(md(DATASETS[ref].description))
            render_params(DATASETS[ref].params, data.options, f"data.options.{ref}", _set_option,
                          path="data.options")
    elif mode == MODES["images"]:
        image_data.uploader(Path(ref).name if kind == "images" else None, _new_source)
        if wanted is not None:
            st.info(f"This recipe reads the pictures {md(wanted)}: upload that zip here. Its options stay as "
                    "the recipe says.")
    else:
        limit = float(data.options.get("max_mb", CsvOptions().max_mb))
        st.file_uploader(f"CSV file (up to {limit:g} MB)", type=["csv", "txt"], key=CSV_KEY, on_change=_save_csv,
                         help="Saved in a temporary folder private to this browser session.", disabled=fixed)
        _error(CSV_KEY)
        if wanted is not None:
            st.info(f"This recipe reads {md(wanted)}: upload it here. Its target, features and options "
                    "stay as the recipe says.")
        elif kind == "csv":
            st.caption(f"Using {md(Path(ref).name)}.")


def _set_option(field: str, value: Any) -> None:
    data = state.get_recipe().data
    state.update_recipe(reset_widgets=False,
                        data={**data.model_dump(mode="json"), "options": {**data.options, field: value}})


def _error(key: str) -> None:
    message = state.widget_error(key)
    if message:
        st.error(md(message))


def _target_and_task(data: DataConfig, columns: list[str], fixed_target: str | None) -> None:
    left, right = st.columns(2)
    with left:
        if fixed_target is not None:
            st.selectbox("Target", [fixed_target], disabled=True, key="data.target.fixed",
                         help="A built-in dataset predicts its own target; a folder of pictures, the name "
                              "of the folder each picture is in.")
        else:
            state.seed_widget(TARGET_KEY, data.target if data.target in columns else None)
            st.selectbox("Target", columns, key=TARGET_KEY, placeholder="Choose the column to predict",
                         on_change=_set_target, disabled=lesson_state.is_locked("data.target"))
            _error(TARGET_KEY)
    with right:
        tasks = list(typing.get_args(DataConfig.model_fields["task"].annotation))
        state.seed_widget(TASK_KEY, data.task)
        st.selectbox("Task", tasks, key=TASK_KEY, disabled=lesson_state.is_locked("data.task"),
                     help="auto: text or few whole numbers -> classification, other numbers -> regression.",
                     on_change=_set_task)
        _error(TASK_KEY)


def _set_task() -> None:
    if not state.widgets_gone(TASK_KEY):
        _set_data(TASK_KEY, reset=False, task=st.session_state[TASK_KEY])


def _set_target() -> None:
    """A new target; a use set by hand for that column no longer applies (the target is no feature)."""
    if state.widgets_gone(TARGET_KEY):
        return
    target = st.session_state[TARGET_KEY]
    columns = {k: v for k, v in state.get_recipe().data.columns.items() if k != target}
    _set_data(TARGET_KEY, target=target, features=None, columns=columns)


def _split(data: DataConfig) -> None:
    s = data.split
    a, b, c, d = st.columns([3, 3, 2, 2], vertical_alignment="center")
    for key, value in ((TRAIN_KEY, float(s.train)), (VAL_KEY, float(s.val)), (STRAT_KEY, s.stratify)):
        state.seed_widget(key, value)
    fixed = lesson_state.is_locked("data.split")
    a.slider("Train share", 0.05, 0.95, step=0.05, key=TRAIN_KEY, on_change=_set_split, disabled=fixed)
    b.slider("Validation share", 0.0, 0.9, step=0.05, key=VAL_KEY, on_change=_set_split, disabled=fixed)
    c.metric("Test share", f"{s.test:.0%}")
    d.checkbox("Stratify", key=STRAT_KEY, on_change=_set_split, disabled=fixed,
               help=SplitConfig.model_fields["stratify"].description)
    lock_note("data.split")
    _error(TRAIN_KEY)


def _explore(table: Any) -> None:
    st.subheader("Rows")
    st.caption(f"{len(table.frame)} rows, {len(table.features)} features, target **{md(table.target)}** "
               f"({table.task}).")
    st.dataframe(table.frame.head(20), hide_index=False)
    st.subheader("Columns")
    st.dataframe(tables.column_table(table), hide_index=True,
                 column_config={"missing": st.column_config.ProgressColumn("missing", format="percent")})
    for note in table.notes:
        st.caption(f"• {md(note)}")
    st.subheader("Charts")
    left, right = st.columns(2)
    with left:
        if table.task == "classification":
            st.plotly_chart(figures.class_balance(table.frame[table.target], table.class_labels))
        else:
            st.plotly_chart(figures.column_histogram(table.frame[table.target]))
    with right:
        plotted = [f for f in table.features if table.column_types.get(f) in ("numeric", "categorical")]
        if plotted:
            column = st.selectbox("Column", plotted, key="data.hist_column")
            st.plotly_chart(figures.column_histogram(table.frame[column], table.column_types.get(column, "numeric")))
    numeric = [f for f in table.features if table.column_types.get(f) == "numeric"]
    if len(numeric) > 1:
        st.plotly_chart(figures.correlation_heatmap(table.frame[numeric]))


def _fit_model_to(recipe: Any, table: Any) -> None:
    """New data of another kind (pictures after a table, or the reverse) gets a model that can read
    it, once per source, and says so; the person's own model for the same kind stays."""
    if st.session_state.get(MODEL_FIT_FOR) == recipe.data.source:
        return
    st.session_state[MODEL_FIT_FOR] = recipe.data.source
    model = engine.model_for_table(recipe, table)
    if model is None:
        return
    try:
        state.update_recipe(reset_widgets=False, model=model)
    except StudioError:
        return  # the draft's model stays; the Architecture page says what does not fit
    kinds = {b["kind"] for b in model}
    if "conv2d" in kinds:
        what = "a small convolutional network (two convolutions, pooling), since the model had no block that reads "\
               "pictures"
    elif "embedding" in kinds:
        what = "an embedding of the words, averaged over the text, then a dense layer, since the model had no block "\
               "that reads text"
    else:
        what = "a stack of dense layers, since the model's blocks could not read these columns"
    st.info(f"The model is now {what}; change it on the Architecture page.")


def page() -> None:
    st.title("Data")
    recipe = state.get_recipe()
    data = recipe.data
    wanted = _wanted_file(data)
    _choose_source(data, wanted)
    if wanted is not None:
        return  # asked for above; nothing else can be shown without the file
    kind, ref = data.source.split(":", 1)
    if kind == "images":
        image_data.options(data.options)  # before loading: a bad option is fixed here, where it is set
    try:
        table = engine.table(recipe)
    except StudioError as err:
        st.error(md(err))
        if kind == "csv":
            with contextlib.suppress(StudioError):  # the error above already says what is wrong
                columns = engine.csv_columns(ref, data.options)
                _target_and_task(data, columns, None)
                column_uses(data, columns)  # a use set by hand may be what went wrong: it can be undone here
        return
    _fit_model_to(recipe, table)
    columns = engine.csv_columns(ref, data.options) if kind == "csv" else []
    _target_and_task(data, columns, table.target if kind != "csv" else None)
    _split(data)
    if kind == "csv" or not table.images:  # a folder of pictures has no columns to retype
        column_uses(data, columns if kind == "csv" else [*table.features, *table.dropped])
    if table.images:
        image_data.show(table)
    elif table.series is not None:
        text_data.show_series(table, data.split)
        _explore(table)
    else:
        _explore(table)
        text_data.show_text(table, engine.tokenize_options(recipe))


page()
