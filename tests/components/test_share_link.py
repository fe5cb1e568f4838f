"""Shareable links in the app: opening one loads its recipe as the draft, a bad one says why and leaves
the draft alone, and the sidebar's "Copy link" holds a link to the draft as it is now."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from streamlit.testing.v1 import AppTest

from components.share_link import OPEN_KEY
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
    assert not at.sidebar.code and not at.sidebar.get("image")  # closed: no link nor QR code is made
    at.session_state[OPEN_KEY] = True  # the person opens "Copy link"
    at.run()
    code = [c.value for c in at.sidebar.code]
    assert len(code) == 1
    token = parse_qs(urlsplit(code[0]).query)[PARAM][0]
    assert decode(token).recipe == recipe(at)



def test_sidebar_copy_link_has_the_links_qr_code_to_download(at):
    at.session_state[OPEN_KEY] = True
    by_key(at.selectbox, "sidebar.preset").set_value("iris-mlp").run()
    clean(at)
    url = at.sidebar.code[0].value
    assert url.startswith(f"?{PARAM}=")  # no address in a test: the code holds the link as shown, and says so
    (image,) = at.sidebar.get("image")
    assert image.proto.imgs[0].url.endswith(".png")  # a PNG as made, not re-encoded as a blurred JPEG
    assert "without the studio's address" in image.proto.imgs[0].caption
    download = by_key(at.sidebar.get("download_button"), "share.qr.download")
    assert download.proto.label == "Download the QR code (PNG)"


def test_a_link_too_long_for_a_qr_code_says_so(uploads_dir, monkeypatch):
    import components.share_link

    monkeypatch.setattr(components.share_link, "app_address", lambda: "http://class.local:8501/" + "p" * 3000)
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.session_state[OPEN_KEY] = True
    app.run()
    clean(app)
    assert "a QR code holds at most 2,953" in texts(app.sidebar.info)
    assert not app.sidebar.get("image")
    assert "share.qr.download" not in [b.key for b in app.sidebar.get("download_button")]


def test_with_the_apps_address_the_qr_code_opens_the_draft(uploads_dir, monkeypatch):
    import components.share_link

    monkeypatch.setattr(components.share_link, "app_address", lambda: "http://class.local:8501/")
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.session_state[OPEN_KEY] = True
    app.run()
    clean(app)
    assert app.sidebar.code[0].value.startswith(f"http://class.local:8501/?{PARAM}=")
    (image,) = app.sidebar.get("image")
    assert image.proto.imgs[0].caption.startswith("Scan to open this draft")
