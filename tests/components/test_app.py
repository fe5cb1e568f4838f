"""The app as a whole: starts on the preset, every page renders, the sidebar, the error boundary."""

from __future__ import annotations

import json
import logging

import pytest
from streamlit.testing.v1 import AppTest

from components import engine, sidebar
from studio.errors import DataError
from studio.recipe import load_recipe
from tests.components.helpers import APP, TIMEOUT, by_key, clean, recipe, texts

PAGES = ["data", "preprocess", "architecture", "train", "evaluate", "export", "predict"]


def test_starts_with_breast_cancer_preset(at):
    clean(at)
    assert at.title[0].value == "Data"
    assert recipe(at).data.source == "builtin:breast_cancer"
    assert recipe(at) == load_recipe(APP.parents[1] / "assets" / "recipes" / "breast-cancer-mlp.json")
    assert at.query_params["owner"]  # a per-browser owner token in the URL


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(at, page):
    at.switch_page(f"app_pages/{page}.py").run()
    clean(at)
    assert at.title[0].value.lower() == page


def test_load_preset_replaces_recipe(at):
    by_key(at.selectbox, "sidebar.preset").set_value("iris-mlp").run()
    clean(at)
    assert recipe(at).name == "iris-mlp" and recipe(at).data.source == "builtin:iris"
    assert by_key(at.text_input, "w.recipe.name").value == "iris-mlp"  # widgets re-read the new draft


def test_upload_recipe_json_and_bad_one(at):
    good = {**recipe(at).to_dict(), "name": "uploaded"}
    by_key(at.get("file_uploader"), "sidebar.upload").upload("r.json", json.dumps(good).encode(), "application/json")
    at.run()
    assert recipe(at).name == "uploaded"
    bad = {**good, "training": {"epochs": 0}}
    uploader = by_key(at.get("file_uploader"), "sidebar.upload")
    uploader.set_value(("bad.json", json.dumps(bad).encode(), "application/json"))
    at.run()
    assert "epochs" in texts(at.error) and "bad.json" in texts(at.error)
    assert recipe(at).name == "uploaded"  # the draft stayed valid


def test_rename_rejects_empty_name(at):
    by_key(at.text_input, "w.recipe.name").input("").run()
    assert "name" in texts(at.error) and recipe(at).name == "breast-cancer-mlp"
    by_key(at.text_input, "w.recipe.name").input("mine").run()
    clean(at)
    assert recipe(at).name == "mine"


def test_run_id_from_url_is_shown_after_refresh():
    fresh = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    fresh.query_params["run"] = "abc123"
    fresh.run()
    clean(fresh)
    assert "abc123" in texts(fresh.markdown)


def test_studio_error_shows_its_sentence(at, monkeypatch):
    def boom():
        raise DataError("the file is gone; upload it again.")

    monkeypatch.setattr(sidebar, "run_status", boom)
    at.run()
    assert not at.exception
    assert "the file is gone; upload it again." in texts(at.error)


def test_unexpected_error_is_logged_not_shown(at, monkeypatch, caplog):
    def bug(recipe):
        raise RuntimeError("internal detail")

    monkeypatch.setattr(engine, "prepared", bug)
    with caplog.at_level(logging.ERROR, logger="components"):
        at.switch_page("app_pages/preprocess.py").run()
    assert not at.exception
    assert "server log" in texts(at.error) and "internal detail" not in texts(at.error)
    assert "internal detail" in caplog.text
