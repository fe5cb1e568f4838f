"""Shareable links in the app: opening one loads its recipe as the draft, a bad one says why and leaves
the draft alone, and the sidebar's "Copy link" holds a link to the draft as it is now."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from streamlit.testing.v1 import AppTest

from components.state import default_recipe
from studio.recipe import Recipe
from studio.share import PARAM, decode, encode
from tests.components.helpers import APP, TIMEOUT, by_key, clean, recipe, texts

SHARED = Recipe.from_dict({"name": "lesson-1", "data": {"source": "builtin:moons"},
                           "model": [{"kind": "dense", "units": 8}, {"kind": "activation", "fn": "tanh"}],
                           "optimizer": {"kind": "sgd", "lr": 0.3}, "training": {"epochs": 7}})


def _opened(token: str) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.query_params[PARAM] = token
    return app.run()


def test_opening_a_link_loads_its_recipe(uploads_dir):
    app = _opened(encode(SHARED))
    assert not app.exception and not app.error
    assert recipe(app) == SHARED
    assert "Loaded the recipe lesson-1 from the link" in texts(app.success)
    app.switch_page("app_pages/train.py").run()  # the link is read once: later pages keep the draft
    assert recipe(app) == SHARED and by_key(app.selectbox, "w.train.optimizer.kind").value == "sgd"


def test_a_bad_link_says_why_and_leaves_the_draft(uploads_dir):
    for token, said in [("v1.garbage!!", "damaged"), ("v9.abc", "format v9"), ("nonsense", "not a Training Studio")]:
        app = _opened(token)
        assert not app.exception
        assert said in texts(app.error) and "Your draft is unchanged" in texts(app.error)
        assert recipe(app) == default_recipe()
        assert PARAM not in app.query_params  # a refresh does not repeat the error


def test_sidebar_copy_link_holds_the_current_draft(at):
    by_key(at.selectbox, "sidebar.preset").set_value("iris-mlp").run()
    clean(at)
    code = [c.value for c in at.sidebar.code]
    assert len(code) == 1
    token = parse_qs(urlsplit(code[0]).query)[PARAM][0]
    assert decode(token).recipe == recipe(at)
