"""The Train page's CPU threads setting: blank is the studio's policy, a number overrides it."""

from __future__ import annotations

from studio.train.threads import policy_threads, usable_cores
from tests.components.helpers import by_key, clean, recipe, texts

KEY = "w.train.training.threads"


def test_threads_are_blank_by_default_and_a_number_overrides_the_policy(at, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDIO_RUNS_DIR", str(tmp_path / "runs"))
    by_key(at.selectbox, "sidebar.preset").set_value("iris-mlp").run()
    at.switch_page("app_pages/train.py").run()
    clean(at)
    box = by_key(at.text_input, KEY)
    assert box.label == "CPU threads" and box.value == "" and "Blank" in box.help
    cores = usable_cores()
    assert f"at most {policy_threads(cores, 0.0)} of this machine's {cores} cores" in texts(at.caption)
    box.input("2").run()
    clean(at)
    assert recipe(at).training.threads == 2
    by_key(at.text_input, KEY).input("0").run()
    assert "training.threads" in texts(at.error) and recipe(at).training.threads == 2
    by_key(at.text_input, KEY).input("").run()
    clean(at)
    assert recipe(at).training.threads is None
