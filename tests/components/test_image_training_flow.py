"""From a zip of pictures to a finished run, in the app (AppTest)."""

from __future__ import annotations

import pytest

from tests.components.helpers import by_key, clean, recipe, texts
from tests.components.test_image_data_page import _png, _upload, _zip
from tests.components.test_train_page import until


@pytest.fixture(autouse=True)
def places(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path / "runs"))


@pytest.mark.slow
def test_a_zip_of_pictures_trains_to_the_end(at):
    pictures = {f"pets/{c}/{i}.png": _png((200 * (c == "cat"), 10 * i, 200 * (c == "dog")))
                for c in ("cat", "dog") for i in range(12)}
    _upload(at, "pets.zip", _zip(pictures))
    clean(at)
    model = [{"kind": "conv2d", "filters": 4}, {"kind": "activation"}, {"kind": "global_avg_pool"}]
    at.session_state["studio.recipe"] = recipe(at).updated(
        model=model, training={**recipe(at).training.model_dump(mode="json"), "epochs": 2, "batch_size": 4},
        data={**recipe(at).data.model_dump(mode="json"),
              "split": {"train": 0.6, "val": 0.1, "test": 0.3, "stratify": True}})
    at.switch_page("app_pages/train.py").run()
    clean(at)
    assert not at.warning, texts(at.warning)
    by_key(at.button, "train.start").click().run()
    until(at, lambda a: "Test metrics" in [h.value for h in a.subheader])
    assert not at.exception and "pets" in texts(at.markdown)
