"""Preprocess page: add, edit, move and remove steps; reports and before/after."""

from __future__ import annotations

from tests.components.helpers import by_key, clean, recipe, texts


def _kinds(at) -> list[str]:
    return [s["kind"] for s in recipe(at).preprocessing]


def _open(at):
    at.switch_page("app_pages/preprocess.py").run()
    clean(at)
    return at


def test_add_edit_move_remove(at):
    _open(at)
    assert _kinds(at) == ["impute", "scale"]
    by_key(at.selectbox, "addkind.preprocessing").set_value("drop_outliers").run()
    by_key(at.button, "add.preprocessing").click().run()
    clean(at)
    assert _kinds(at) == ["impute", "scale", "drop_outliers"]
    assert recipe(at).preprocessing[2]["threshold"] == 3.0  # defaults filled in

    by_key(at.number_input, "w.preprocessing.2.drop_outliers.threshold").set_value(2.5).run()
    clean(at)
    assert recipe(at).preprocessing[2]["threshold"] == 2.5

    by_key(at.button, "up.preprocessing.2.drop_outliers").click().run()
    clean(at)
    assert _kinds(at) == ["impute", "drop_outliers", "scale"]
    assert by_key(at.number_input, "w.preprocessing.1.drop_outliers.threshold").value == 2.5  # follows the step

    by_key(at.button, "remove.preprocessing.0.impute").click().run()
    clean(at)
    assert _kinds(at) == ["drop_outliers", "scale"]
    assert recipe(at).preprocessing[0]["threshold"] == 2.5


def test_invalid_param_shows_sentence_and_keeps_draft(at):
    _open(at)
    by_key(at.selectbox, "addkind.preprocessing").set_value("drop_outliers").run()
    by_key(at.button, "add.preprocessing").click().run()
    by_key(at.number_input, "w.preprocessing.2.drop_outliers.threshold").set_value(0.0).run()  # gt=0
    assert "preprocessing step 3" in texts(at.error) and "threshold" in texts(at.error)
    assert recipe(at).preprocessing[2]["threshold"] == 3.0
    by_key(at.number_input, "w.preprocessing.2.drop_outliers.threshold").set_value(4.0).run()
    clean(at)  # a valid value clears the message
    assert recipe(at).preprocessing[2]["threshold"] == 4.0


def test_reports_and_before_after(at):
    _open(at)
    markdown = texts(at.markdown)
    assert "**Before**: " in markdown and "**After**: " in markdown
    steps = next(df.value for df in at.dataframe if "what it did" in df.value.columns)
    assert list(steps["kind"])[-2:] == ["impute", "scale"] or {"impute", "scale"} <= set(steps["kind"])
