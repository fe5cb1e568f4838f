"""'Start from run…' on the Train page: only this browser's runs, freezing, and a foreign path refused."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from studio.pipeline import train_recipe
from studio.recipe import load_recipe as load_file
from tests.components.helpers import by_key, clean, recipe, texts
from tests.conftest import PRESETS


def _source(root):
    r = load_file(PRESETS / "iris-mlp.json")
    return train_recipe(r.updated(training={**r.training.model_dump(), "epochs": 2}), runs_root=root).run_dir


def _train_page(at: AppTest) -> AppTest:
    by_key(at.selectbox, "sidebar.preset").set_value("iris-mlp").run()
    at.switch_page("app_pages/train.py").run()
    clean(at)
    return at


def test_choosing_a_run_sets_init_from_and_freezing(at, tmp_path, monkeypatch):
    root = tmp_path / "runs"
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(root))
    monkeypatch.setenv("STUDIO_SHARED_RUNS", "1")  # the source run was made outside the app
    source = _source(root)
    _train_page(at)
    at.selectbox(key="train.start_from.run").set_value(str(source)).run()
    assert recipe(at).training.init_from == str(source)
    at.number_input(key="train.start_from.freeze").set_value(2).run()
    at.slider(key="train.start_from.factor").set_value(0.1).run()
    training = recipe(at).training
    assert training.freeze == 2 and training.pretrained_lr_factor == 0.1
    assert not at.button(key="train.start").disabled
    at.selectbox(key="train.start_from.run").set_value("— none: start from random weights —").run()
    training = recipe(at).training
    assert training.init_from is None and training.freeze is None and training.pretrained_lr_factor == 1.0
    assert not at.exception


def test_a_run_that_is_not_this_browsers_cannot_be_loaded(at, tmp_path, monkeypatch):
    root = tmp_path / "runs"
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(root))
    source = _source(root)  # made by the CLI: no app user owns it, and runs are not shared
    _train_page(at)
    raw = recipe(at).to_dict()
    shared = json.dumps({**raw, "training": {**raw["training"], "init_from": str(source)}}).encode()
    by_key(at.get("file_uploader"), "sidebar.upload").upload("shared.json", shared, "application/json")
    at.run()
    assert recipe(at).training.init_from == str(source)
    at.switch_page("app_pages/train.py").run()
    assert at.button(key="train.start").disabled
    assert "not one of yours" in texts(at.warning)
    assert str(source) not in [o for o in at.selectbox(key="train.start_from.run").options]
