"""Data page: built-in datasets, CSV upload, target/task and split."""

from __future__ import annotations

import pandas as pd

from tests.components.helpers import by_key, clean, recipe, texts


def _column_table(at) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if "role" in df.value.columns)


def _csv() -> bytes:
    rows = [f"{i},{20 + i % 7},{['red', 'blue', 'green'][i % 3]},{'yes' if i % 2 else 'no'}" for i in range(30)]
    return ("id,age,color,label\n" + "\n".join(rows) + "\n").encode()


def test_switching_dataset_changes_recipe_and_columns(at):
    assert "mean_radius" in set(_column_table(at)["column"])
    by_key(at.selectbox, "w.data.builtin").set_value("iris").run()
    clean(at)
    assert recipe(at).data.source == "builtin:iris" and recipe(at).data.target is None
    assert recipe(at).name == "iris"  # the preset's name followed the data
    columns = _column_table(at)
    assert "mean_radius" not in set(columns["column"])
    assert len(columns) == 5 and list(columns["role"]).count("target") == 1


def test_a_typed_recipe_name_stays_when_the_data_changes(at):
    by_key(at.text_input, "w.recipe.name").set_value("my churn study").run()
    by_key(at.selectbox, "w.data.builtin").set_value("wine").run()
    clean(at)
    assert recipe(at).data.source == "builtin:wine" and recipe(at).name == "my churn study"


def test_dataset_options_are_a_generic_form(at):
    by_key(at.selectbox, "w.data.builtin").set_value("moons").run()
    by_key(at.slider, "w.data.options.moons.n_samples").set_value(200).run()  # the field asks for a slider
    clean(at)
    assert recipe(at).data.options["n_samples"] == 200
    assert "200 rows" in texts(at.caption)


def test_upload_csv_shows_detected_types(at):
    by_key(at.radio, "data.mode").set_value("Upload a CSV").run()
    assert "MB" in by_key(at.get("file_uploader"), "data.csv").proto.label  # the size limit is shown
    by_key(at.get("file_uploader"), "data.csv").upload("pets.csv", _csv(), "text/csv")
    at.run()
    clean(at)
    source = recipe(at).data.source
    assert source.startswith("csv:") and source.endswith("pets.csv") and recipe(at).data.target == "label"
    assert recipe(at).name == "pets"  # runs of this CSV are not named after the preset
    table = _column_table(at).set_index("column")
    assert table.loc["age", "type"] == "numeric" and table.loc["color", "type"] == "categorical"
    assert table.loc["id", "role"] == "dropped" and table.loc["id", "reason"]
    assert table.loc["label", "role"] == "target"


def test_csv_target_and_task(at):
    by_key(at.radio, "data.mode").set_value("Upload a CSV").run()
    by_key(at.get("file_uploader"), "data.csv").upload("pets.csv", _csv(), "text/csv")
    at.run()
    by_key(at.selectbox, "w.data.target").set_value("age").run()
    clean(at)
    assert recipe(at).data.target == "age"
    assert "classification" in set(_column_table(at)["type"])  # 7 distinct whole numbers: auto says classes
    by_key(at.selectbox, "w.data.task").set_value("regression").run()
    clean(at)
    assert recipe(at).data.task == "regression"
    assert "regression" in set(_column_table(at)["type"])


def test_bad_csv_shows_its_sentence(at):
    by_key(at.radio, "data.mode").set_value("Upload a CSV").run()
    by_key(at.get("file_uploader"), "data.csv").upload("one.csv", b"only\n1\n2\n", "text/csv")
    at.run()
    assert not at.exception
    assert "single column" in texts(at.error)


def test_split_sliders(at):
    by_key(at.slider, "w.data.train").set_value(0.6).run()
    clean(at)
    split = recipe(at).data.split
    assert abs(split.train - 0.6) < 1e-9 and abs(split.test - 0.25) < 1e-9
    by_key(at.slider, "w.data.val").set_value(0.5).run()  # 0.6 + 0.5 > 1
    assert "leave no rows for the test split" in texts(at.error)
    assert abs(recipe(at).data.split.val - 0.15) < 1e-9


def test_charts_drawn(at):
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # class balance, histogram, correlation


def test_pictures_after_a_table_get_a_model_that_reads_them_and_back(at):
    """The default dense model cannot read pictures: choosing them makes the model a small CNN, said
    once; going back to a table makes it dense again. Train then works without a visit to Architecture."""
    by_key(at.selectbox, "w.data.builtin").set_value("shapes").run()
    clean(at)
    kinds = [b["kind"] for b in recipe(at).model]
    assert "conv2d" in kinds and "global_avg_pool" in kinds
    assert "small convolutional network" in texts(at.info)
    by_key(at.selectbox, "w.data.builtin").set_value("iris").run()
    clean(at)
    assert {b["kind"] for b in recipe(at).model} <= {"dense", "activation"}
    assert "dense layers" in texts(at.info)


def test_a_model_made_for_the_data_stays():
    from studio.inputs.defaults import model_for_data

    flat = [{"kind": "flatten"}, {"kind": "dense", "units": 8}]
    assert model_for_data(flat, pictures_only=True, has_table=False) is None
    cnn = [{"kind": "residual", "blocks": [{"kind": "conv2d", "filters": 4}]}]
    assert model_for_data(cnn, pictures_only=True, has_table=False) is None
    assert model_for_data([{"kind": "dense", "units": 8}], pictures_only=False, has_table=True) is None
    assert model_for_data(cnn, pictures_only=False, has_table=True)[0]["kind"] == "dense"



def test_the_new_model_is_what_the_architecture_page_shows(at):
    """A block's widget seen before the switch must not bring the old model's value back."""
    at.switch_page("app_pages/architecture.py").run()
    at.switch_page("app_pages/data.py").run()
    by_key(at.selectbox, "w.data.builtin").set_value("shapes").run()
    by_key(at.selectbox, "w.data.builtin").set_value("iris").run()
    at.switch_page("app_pages/architecture.py").run()
    clean(at)
    assert recipe(at).model[0]["kind"] == "dense" and recipe(at).model[0]["units"] == 64
    assert by_key(at.number_input, "w.model.0.dense.units").value == 64
