"""Data page: the "Use it as" choice per column writes data.columns and the table reloads with it."""

from __future__ import annotations

import pandas as pd

from components.state import RECIPE_KEY
from tests.components.helpers import by_key, clean, markdown_texts, recipe, shown, texts

EVIL = "[click](https://evil.example)"


def _column_table(at) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if "role" in df.value.columns).set_index("column")


def _csv() -> bytes:
    rows = [f"P{i}X{i % 7},{1 + i % 4},{20 + i % 7},{i % 3},{'yes' if i % 4 in (1, 3) else 'no'}" for i in range(40)]
    return (f"code,mode,age,{EVIL},label\n" + "\n".join(rows) + "\n").encode()


def _upload(at) -> None:
    by_key(at.radio, "data.mode").set_value("Upload a CSV").run()
    by_key(at.get("file_uploader"), "data.csv").upload("coded.csv", _csv(), "text/csv")
    at.run()
    clean(at)


def test_a_coded_column_can_be_made_categorical_and_back(at):
    _upload(at)
    assert _column_table(at).loc["mode", "type"] == "numeric"
    by_key(at.selectbox, "w.data.use.mode").set_value("categorical").run()
    clean(at)
    assert recipe(at).data.columns == {"mode": "categorical"}
    assert _column_table(at).loc["mode", "type"] == "categorical"
    by_key(at.selectbox, "w.data.use.mode").set_value("auto").run()
    clean(at)
    assert recipe(at).data.columns == {} and _column_table(at).loc["mode", "type"] == "numeric"


def test_ignore_drops_a_column_with_the_reason(at):
    _upload(at)
    by_key(at.selectbox, "w.data.use.age").set_value("ignore").run()
    clean(at)
    table = _column_table(at)
    assert table.loc["age", "role"] == "dropped" and "data.columns" in table.loc["age", "reason"]
    assert recipe(at).data.columns == {"age": "ignore"}


def test_a_use_that_fails_is_said_and_can_be_undone(at):
    _upload(at)
    by_key(at.selectbox, "w.data.use.code").set_value("numeric").run()
    assert not at.exception
    assert "sets 'code' to 'numeric'" in texts(at.error)
    by_key(at.selectbox, "w.data.use.code").set_value("auto").run()
    clean(at)
    assert recipe(at).data.columns == {}


def test_column_names_are_shown_escaped(at):
    _upload(at)
    labels = [s.label for s in at.selectbox if s.key and s.key.startswith("w.data.use.")]
    assert shown(next(label for label in labels if "evil" in label)) == EVIL
    assert not any("](https://evil" in t for t in markdown_texts(at))


def test_a_wide_builtin_table_gets_a_column_picker(at):
    assert recipe(at).data.source == "builtin:breast_cancer"  # 30 features: a picker, not 30 boxes
    by_key(at.selectbox, "w.data.use.pick").set_value("mean_radius").run()
    by_key(at.selectbox, "w.data.use.mean_radius").set_value("ignore").run()
    clean(at)
    assert recipe(at).data.columns == {"mean_radius": "ignore"}
    assert _column_table(at).loc["mean_radius", "role"] == "dropped"


def test_the_target_picked_loses_its_use(at):
    _upload(at)
    by_key(at.selectbox, "w.data.use.age").set_value("categorical").run()
    by_key(at.selectbox, "w.data.target").set_value("age").run()
    clean(at)
    assert recipe(at).data.target == "age" and "age" not in recipe(at).data.columns


def test_new_data_starts_with_no_uses_set(at):
    _upload(at)
    by_key(at.selectbox, "w.data.use.mode").set_value("categorical").run()
    by_key(at.radio, "data.mode").set_value("Built-in dataset").run()
    by_key(at.selectbox, "w.data.builtin").set_value("iris").run()
    clean(at)
    assert recipe(at).data.source == "builtin:iris" and recipe(at).data.columns == {}


def test_a_use_for_a_column_the_file_lacks_can_be_taken_back(at):
    _upload(at)
    data = recipe(at).data.model_dump(mode="json")
    at.session_state[RECIPE_KEY] = recipe(at).updated(data={**data, "columns": {"colour": "ignore"}})
    at.run()
    assert "names 'colour', which is not a column" in texts(at.error)
    by_key(at.selectbox, "w.data.use.colour").set_value("auto").run()
    clean(at)
    assert recipe(at).data.columns == {}
