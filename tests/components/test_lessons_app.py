"""Lessons in the app: picking one loads its setup and shows its text; its marks and locks reach the
widgets; a locked edit is refused in one sentence until the teacher unlocks; a link opens its lesson
with its locks; projector mode thickens the figures' lines and stays in the URL."""

from __future__ import annotations

import base64
import json
import zlib
from urllib.parse import parse_qs, urlsplit

from streamlit.testing.v1 import AppTest

from components.lesson_state import PICKER_KEY, PROJECTOR_KEY, UNLOCK_KEY
from components.projector import CSS
from components.share_link import OPEN_KEY
from components.state import default_recipe
from studio.lessons import get_lesson
from studio.share import PARAM, decode, encode
from tests.components.helpers import APP, TIMEOUT, by_key, clean, recipe, texts

LR = "w.train.optimizer.sgd.lr"
MOMENTUM = "w.train.optimizer.sgd.momentum"
EPOCHS = "w.train.training.epochs"


def _widget(app: AppTest, key: str):
    return by_key([*app.number_input, *app.slider, *app.selectbox, *app.checkbox], key)


def _pick(app: AppTest, lesson_id: str) -> AppTest:
    by_key(app.selectbox, PICKER_KEY).set_value(lesson_id).run()
    clean(app)
    return app


def test_picking_a_lesson_loads_its_setups_and_shows_its_text(at):
    lesson = get_lesson("learning-rate")
    _pick(at, "learning-rate")
    assert recipe(at) == lesson.recipe(0)
    shown = texts(at.markdown)
    assert f"Lesson: {lesson.title}" in shown and lesson.text in shown
    by_key(at.button, "lesson.setup.2").click().run()
    assert recipe(at) == lesson.recipe(2) and "The draft is the setup about right" in texts(at.caption)
    at.switch_page("app_pages/train.py").run()  # the box is on every page
    assert lesson.text in texts(at.markdown)
    _pick(at, "")
    assert recipe(at) == lesson.recipe(2) and lesson.text not in texts(at.markdown)  # the draft stays


def test_locked_widgets_are_disabled_and_marked(at):
    _pick(at, "learning-rate").switch_page("app_pages/train.py").run()
    lr, momentum, epochs = (_widget(at, k) for k in (LR, MOMENTUM, EPOCHS))
    assert not lr.disabled and momentum.disabled and epochs.disabled
    assert lr.label.startswith(":material/school:") and not momentum.label.startswith(":material/school:")
    assert texts(at.caption).count("Locked by the lesson.") >= 3  # optimizer kind, momentum, epochs...
    assert any(e.label.startswith(":material/school:") for e in at.expander)  # its "How it works" box
    lr.set_value(0.3).run()
    assert recipe(at).optimizer["lr"] == 0.3  # the highlighted control is the student's to change
    at.session_state[OPEN_KEY] = True  # "Copy link" opened
    by_key(at.toggle, UNLOCK_KEY).set_value(True).run()
    assert not _widget(at, MOMENTUM).disabled
    shared = decode(parse_qs(urlsplit(at.sidebar.code[0].value).query)[PARAM][0])  # "Copy link", for students
    assert (shared.lesson, shared.locked) == ("learning-rate", get_lesson("learning-rate").locked)
    _widget(at, MOMENTUM).set_value(0.5).run()
    assert recipe(at).optimizer["momentum"] == 0.5 and not at.error


def _edit_a_locked_field() -> None:
    import streamlit as st

    from components import lesson_state, state
    from studio.errors import StudioError
    from studio.lessons import get_lesson

    lesson = get_lesson("learning-rate")
    if "started" not in st.session_state:
        st.session_state["started"] = True
        state.set_recipe(lesson.recipe(0))
        lesson_state.set_lesson(lesson, lesson.locked)
    st.toggle("unlock", key=lesson_state.UNLOCK_KEY)
    optimizer = state.get_recipe().optimizer
    for change in ({"lr": 0.2}, {"momentum": 0.5}):
        try:
            state.update_recipe(optimizer={**optimizer, **change})
        except StudioError as err:
            st.error(str(err))


def test_the_draft_refuses_an_edit_of_a_locked_field_until_unlocked(uploads_dir):
    app = AppTest.from_function(_edit_a_locked_field, default_timeout=TIMEOUT).run()
    assert [e.value for e in app.error] == ["optimizer.momentum is locked by the lesson 'A learning rate too high, "
                                            "and too low'; a teacher can unlock it in the sidebar"]
    assert recipe(app).optimizer["lr"] == 0.2 and recipe(app).optimizer["momentum"] == 0.9  # lr is not locked
    app.toggle[0].set_value(True).run()
    assert not app.error and recipe(app).optimizer["momentum"] == 0.5


def test_a_locked_list_cannot_be_rearranged_and_a_highlighted_one_is_marked(at):
    _pick(at, "normalization").switch_page("app_pages/architecture.py").run()
    moves = [b for b in at.button if b.key and b.key.startswith(("remove.model", "down.model"))]
    assert len(moves) >= 4 and all(b.disabled for b in moves)
    assert not [b for b in at.button if b.key == "add.model"] and "Locked by the lesson." in texts(at.caption)
    at.switch_page("app_pages/preprocess.py").run()  # the raw setup has no step: the lesson marks adding one
    assert by_key(at.selectbox, "addkind.preprocessing").label == ":material/school: Add a step"


def _opened(token: str, **params: str) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.query_params[PARAM] = token
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def test_a_link_opens_its_lesson_with_its_locks(uploads_dir):
    lesson = get_lesson("learning-rate")
    app = _opened(encode(lesson.recipe(1), lesson.id, ["training.epochs"]))
    clean(app)
    assert recipe(app) == lesson.recipe(1) and by_key(app.selectbox, PICKER_KEY).value == "learning-rate"
    assert f"Loaded the recipe {lesson.recipe(1).name} and the lesson {lesson.title} from the link" in \
        texts(app.success)
    app.switch_page("app_pages/train.py").run()
    assert _widget(app, EPOCHS).disabled and not _widget(app, MOMENTUM).disabled


def test_a_link_to_an_unknown_lesson_leaves_the_draft(uploads_dir):
    raw = json.dumps({"recipe": get_lesson("overfitting").recipe().to_dict(), "lesson": "gone"}).encode()
    app = _opened("v2." + base64.urlsafe_b64encode(zlib.compress(raw)).decode())
    assert not app.exception
    assert "This link could not be opened: this link's lesson cannot be opened: there is no lesson 'gone'" in \
        texts(app.error) and "Your draft is unchanged" in texts(app.error)
    assert recipe(app) == default_recipe() and by_key(app.selectbox, PICKER_KEY).value == ""
    assert not any(m.value.startswith(":material/school: **Lesson") for m in app.markdown)


def _line_widths(app: AppTest) -> list[float]:
    chart = next(c for c in app.get("plotly_chart") if "Learning-rate preview" in c.proto.spec)
    return [t.get("line", {}).get("width", 2) for t in json.loads(chart.proto.spec)["data"]]


def test_projector_mode_thickens_lines_and_stays_in_the_url(at):
    at.switch_page("app_pages/train.py").run()
    assert _line_widths(at) == [2] and CSS not in [m.value for m in at.markdown]
    by_key(at.toggle, PROJECTOR_KEY).set_value(True).run()
    assert _line_widths(at) == [4] and CSS in [m.value for m in at.markdown]
    assert at.query_params["projector"] == "1"
    at.switch_page("app_pages/data.py").run()
    assert by_key(at.toggle, PROJECTOR_KEY).value and at.query_params["projector"] == "1"
    by_key(at.toggle, PROJECTOR_KEY).set_value(False).run()
    assert "projector" not in at.query_params and CSS not in [m.value for m in at.markdown]


def test_a_bookmark_with_projector_opens_in_it(uploads_dir):
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.query_params["projector"] = "1"
    app.run()
    assert by_key(app.toggle, PROJECTOR_KEY).value and CSS in [m.value for m in app.markdown]


def test_a_lesson_that_locks_the_data_disables_the_data_pages_controls(at):
    from components.app_pages.data import BUILTIN_KEY, MODE_KEY, TRAIN_KEY, VAL_KEY
    from components.column_uses import USE_KEY

    assert "data" in get_lesson("underfitting").locked
    _pick(at, "underfitting").switch_page("app_pages/data.py").run()
    clean(at)
    assert by_key(at.radio, MODE_KEY).disabled and by_key(at.selectbox, BUILTIN_KEY).disabled
    assert by_key(at.slider, TRAIN_KEY).disabled and by_key(at.slider, VAL_KEY).disabled
    uses = [s for s in at.selectbox if (s.key or "").startswith(USE_KEY)]
    assert all(s.disabled for s in uses)
