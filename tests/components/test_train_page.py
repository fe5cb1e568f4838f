"""Train page in AppTest: settings edit the recipe, a run trains to the end, pause/resume/stop,
re-attach after a refresh, and another owner does not see the run."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.components.helpers import APP, TIMEOUT, by_key, clean, plotly_array, recipe, texts

W = "w.train."


@pytest.fixture
def runs(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path / "runs"))
    return tmp_path / "runs"


def _open(at: AppTest, preset: str | None = "iris-mlp") -> AppTest:
    if preset:
        by_key(at.selectbox, "sidebar.preset").set_value(preset).run()
    at.switch_page("app_pages/train.py").run()
    clean(at)
    return at


def until(at: AppTest, pred, timeout: float = 60) -> AppTest:
    """Rerun like the live fragment would, until ``pred(at)`` holds."""
    end = time.time() + timeout
    while time.time() < end:
        at.run()
        if pred(at):
            return at
        time.sleep(0.3)
    raise AssertionError(f"timed out; page says: {texts(at.markdown)}")


def status(at: AppTest) -> str:
    line = next((m.value for m in at.markdown if "status: **" in m.value), "")
    return line.split("status: **")[1].split("**")[0] if line else ""


def _spec(at: AppTest, title: str) -> dict:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["layout"]["title"]["text"].startswith(title):
            return spec
    raise AssertionError(f"no chart titled {title!r}")


def _long_run(at: AppTest) -> None:
    """Iris with early stopping off and many epochs: runs until stopped."""
    by_key(at.checkbox, f"{W}regularization.early_stopping.on").uncheck().run()
    by_key(at.number_input, f"{W}training.epochs").set_value(20_000).run()
    by_key(at.button, "train.start").click().run()
    assert status(at) == "running"


def test_settings_edit_the_recipe(at, runs):
    _open(at)
    by_key(at.selectbox, f"{W}optimizer.kind").set_value("sgd").run()
    assert recipe(at).optimizer["kind"] == "sgd" and recipe(at).optimizer["momentum"] == 0.9
    by_key(at.number_input, f"{W}optimizer.sgd.lr").set_value(0.05).run()
    assert recipe(at).optimizer["lr"] == 0.05
    by_key(at.selectbox, f"{W}schedule.kind").set_value("step").run()
    by_key(at.number_input, f"{W}schedule.step.step_size").set_value(30).run()
    assert recipe(at).schedule == {"kind": "step", "step_size": 30, "gamma": 0.5}
    lr = _spec(at, "Learning-rate preview (step)")["data"][0]["y"]
    assert len(lr) == recipe(at).training.epochs and lr[0] == pytest.approx(0.05) and lr[30] == pytest.approx(0.025)
    by_key(at.number_input, f"{W}regularization.l2").set_value(0.001).run()
    by_key(at.text_input, f"{W}regularization.grad_clip").input("1.5").run()
    by_key(at.selectbox, f"{W}regularization.class_weights").set_value("balanced").run()
    by_key(at.checkbox, f"{W}regularization.early_stopping.on").uncheck().run()
    by_key(at.checkbox, f"{W}regularization.augmentation.on").check().run()
    by_key(at.number_input, f"{W}regularization.augmentation.noise_std").set_value(0.1).run()
    by_key(at.number_input, f"{W}training.epochs").set_value(7).run()
    by_key(at.number_input, f"{W}training.batch_size").set_value(8).run()
    by_key(at.selectbox, f"{W}training.precision").set_value("fp32").run()
    clean(at)
    reg, training = recipe(at).regularization, recipe(at).training
    assert (reg.l2, reg.grad_clip, reg.class_weights, reg.early_stopping) == (0.001, 1.5, "balanced", None)
    assert reg.augmentation is not None and reg.augmentation.noise_std == 0.1
    assert (training.epochs, training.batch_size, training.precision) == (7, 8, "fp32")
    assert "cpu" in texts(at.caption)  # the device auto picks here


def test_adam_betas_show_every_decimal(at, runs):
    _open(at)
    by_key(at.selectbox, f"{W}optimizer.kind").set_value("adam").run()
    beta2 = by_key(at.slider, f"{W}optimizer.adam.beta2")
    assert beta2.value == pytest.approx(0.999) and beta2.proto.format == "%.3f"
    assert beta2.proto.max < 1.0  # the field must stay below 1
    beta2.set_value(0.99).run()
    assert recipe(at).optimizer["beta2"] == pytest.approx(0.99)
    assert by_key(at.slider, f"{W}optimizer.adam.beta2").proto.format == "%.3f"  # 0.999 is still reachable


def test_invalid_setting_shows_sentence(at, runs):
    _open(at)
    by_key(at.text_input, f"{W}regularization.grad_clip").input("-1").run()
    assert "grad_clip" in texts(at.error)
    assert recipe(at).regularization.grad_clip is None


def test_train_blocked_with_reason(at, runs):
    _open(at)
    at.session_state["studio.recipe"] = recipe(at).updated(model=[{"kind": "conv2d"}])
    at.run()
    assert by_key(at.button, "train.start").disabled
    assert "Training is blocked" in texts(at.warning)


def test_trains_to_completion_and_shows_metrics(at, runs):
    _open(at)
    by_key(at.number_input, f"{W}training.epochs").set_value(4).run()
    by_key(at.button, "train.start").click().run()
    assert at.query_params["run"]
    # disabled while it trains (four epochs may already be over when the click's rerun draws the page)
    assert by_key(at.button, "train.start").disabled or status(at) in ("completed", "early_stopped")
    until(at, lambda a: status(a) not in ("running", "created", ""))
    clean(at)
    assert status(at) == "completed"
    assert "epoch 4/4" in at.get("progress")[0].proto.text
    curves = _spec(at, "Training curves (live)")
    assert curves["data"][0]["name"] == "train loss" and curves["data"][0]["x"] == [1, 2, 3, 4]
    assert len(curves["data"][1]["y"]) == 4 and curves["data"][2]["name"] == "train accuracy"
    assert curves["layout"]["yaxis2"]["title"]["text"].startswith("accuracy")
    metrics = {m.label: float(m.value) for m in at.metric}
    assert 0.0 <= metrics["accuracy"] <= 1.0 and "f1 macro" in metrics
    assert not by_key(at.button, "train.start").disabled and by_key(at.button, "train.stop").disabled
    saved = list(runs.iterdir())
    assert len(saved) == 1 and (saved[0] / "model.safetensors").is_file()


def test_pressing_train_changes_only_the_live_panel_so_the_browser_keeps_the_page(at, runs):
    """The click's callback must not draw anything (an element at the top of the page shifts every other
    one, and the browser then mounts the whole page again: 0.4 s of the first point in Chromium)."""

    def shape(app: AppTest) -> list[str]:
        main = list(app.main.children.values())
        return [type(e).__name__ for e in main[:-1]]  # the last is the live panel, which does change

    _open(at, "breast-cancer-mlp")
    before = shape(at)
    by_key(at.button, "train.start").click().run()
    clean(at)
    assert shape(at) == before and type(next(iter(at.main.children.values()))).__name__ == "Title"
    by_key(at.button, "train.stop").click().run()


def test_pause_resume_stop(at, runs):
    _open(at)
    _long_run(at)
    by_key(at.button, "train.pause").click().run()
    assert status(at) == "paused" and not by_key(at.button, "train.resume").disabled
    by_key(at.button, "train.resume").click().run()
    assert status(at) == "running"
    until(at, lambda a: "epoch 0/" not in a.get("progress")[0].proto.text)
    by_key(at.button, "train.stop").click().run()
    until(at, lambda a: status(a) == "stopped", timeout=20)
    assert "stopped" in texts(at.warning).lower() or "stopped" in texts(at.info).lower()
    assert by_key(at.button, "train.stop").disabled and not by_key(at.button, "train.start").disabled


def test_refresh_reattaches_and_other_owner_sees_nothing(at, runs):
    _open(at)
    _long_run(at)
    params = {"run": at.query_params["run"], "owner": at.query_params["owner"]}
    try:
        fresh = AppTest.from_file(str(APP), default_timeout=TIMEOUT)  # a refreshed tab: same URL
        for k, v in params.items():
            fresh.query_params[k] = v
        fresh.run().switch_page("app_pages/train.py").run()
        assert status(fresh) in ("running", "paused")
        assert by_key(fresh.button, "train.start").disabled and not by_key(fresh.button, "train.stop").disabled
        assert "iris-mlp" in texts(fresh.markdown)

        other = AppTest.from_file(str(APP), default_timeout=TIMEOUT)  # someone else with the run id
        other.query_params["run"] = params["run"]
        other.query_params["owner"] = "someone-else"
        other.run().switch_page("app_pages/train.py").run()
        assert status(other) == "" and not other.get("progress")
        assert "not running in this server" in texts(other.info)
        assert not by_key(other.button, "train.start").disabled  # not blocked by the other's run
    finally:
        by_key(at.button, "train.stop").click().run()


def test_per_batch_loss_is_drawn_smoothed_beside_the_epochs(at, runs):
    from studio.train.smoothing import smooth

    _open(at)
    by_key(at.number_input, f"{W}training.epochs").set_value(3).run()
    by_key(at.button, "train.start").click().run()
    until(at, lambda a: status(a) not in ("running", "created", ""))
    curves = _spec(at, "Training curves (live)")
    raw, smoothed = curves["data"][5], curves["data"][6]
    assert raw["name"] == "batch loss" and smoothed["name"] == "batch loss (smoothed)"
    assert raw["x"] and raw["x"] == sorted(raw["x"]) and smoothed["y"] == pytest.approx(smooth(raw["y"], 0.6))
    by_key(at.slider, "train.smoothing").set_value(0.0).run()
    curves = _spec(at, "Training curves (live)")
    assert curves["data"][6]["y"] == pytest.approx(curves["data"][5]["y"])


def test_2d_data_shows_the_live_decision_boundary_and_hidden_units(at, runs):
    moons = recipe(at).updated(data={"source": "builtin:moons"}, preprocessing=[{"kind": "scale"}],
                               model=[{"kind": "dense", "units": 8}, {"kind": "activation", "fn": "tanh"},
                                      {"kind": "dense", "units": 8}, {"kind": "activation", "fn": "tanh"}])
    at.session_state["studio.recipe"] = moons.updated(training={**moons.training.model_dump(), "epochs": 3})
    at.switch_page("app_pages/train.py").run()
    by_key(at.button, "train.start").click().run()
    until(at, lambda a: status(a) not in ("running", "created", ""))
    clean(at)
    surface = _spec(at, "Decision boundary after epoch 3")
    assert plotly_array(surface["data"][0]["z"]).shape == (40, 40)
    assert {t["name"] for t in surface["data"][1:]} >= {"0 (train)", "1 (validation)"}
    units = plotly_array(_spec(at, "Hidden units")["data"][0]["z"])  # 8 units of 20 x 20 a layer, tiled
    assert units.shape == (8 * 21 - 1, 2 * 21 - 1) and np.isfinite(units).sum() == 16 * 20 * 20
    assert not [r for r in at.radio if r.key == "train.plane"]  # 2-D data is its own plane


def test_iris_offers_a_plane_and_draws_the_boundary_over_two_chosen_features(at, runs):
    _open(at)
    plane = by_key(at.radio, "train.plane")
    assert plane.value == "first two principal components" and list(plane.options) == [
        "first two principal components", "two features"]
    assert not [s for s in at.selectbox if s.key == "train.plane.x"]
    plane.set_value("two features").run()
    assert by_key(at.selectbox, "train.plane.x").options == ["sepal_length_cm", "sepal_width_cm",
                                                             "petal_length_cm", "petal_width_cm"]
    by_key(at.selectbox, "train.plane.x").set_value("petal_length_cm").run()
    assert "petal_length_cm" not in by_key(at.selectbox, "train.plane.y").options
    by_key(at.selectbox, "train.plane.y").set_value("petal_width_cm").run()
    by_key(at.number_input, f"{W}training.epochs").set_value(3).run()
    by_key(at.button, "train.start").click().run()
    until(at, lambda a: status(a) not in ("running", "created", ""))
    clean(at)
    surface = _spec(at, "Decision boundary after epoch 3 (predicted class)")
    axes = surface["layout"]["xaxis"]["title"]["text"], surface["layout"]["yaxis"]["title"]["text"]
    assert axes == ("petal_length_cm (model input)", "petal_width_cm (model input)")
    z = plotly_array(surface["data"][0]["z"])
    assert z.shape == (40, 40) and set(np.unique(z)) <= {0, 1, 2}
    assert "held at its median" in texts(at.caption)
    # the run keeps its final view: Evaluate shows it
    at.switch_page("app_pages/evaluate.py").run()
    clean(at)
    saved = _spec(at, "Decision boundary after epoch 3")
    assert saved["layout"]["xaxis"]["title"]["text"] == "petal_length_cm (model input)"
    at.switch_page("app_pages/train.py").run()
    # wine, a draft of 13 inputs, is offered the plane too
    at.session_state["studio.recipe"] = recipe(at).updated(data={"source": "builtin:wine"})
    at.run()
    assert by_key(at.radio, "train.plane").value == "two features"
    assert len(by_key(at.selectbox, "train.plane.x").options) == 13
