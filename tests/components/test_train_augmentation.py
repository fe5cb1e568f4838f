"""Train page: picture augmentation options only for picture data, and a preview of what the network sees."""

from __future__ import annotations

from tests.components.helpers import by_key, clean, recipe

W = "w.train.regularization.augmentation."


def _open(at, preset: str):
    by_key(at.selectbox, "sidebar.preset").set_value(preset).run()
    at.switch_page("app_pages/train.py").run()
    by_key(at.checkbox, f"{W}on").check().run()
    clean(at)
    return at


def _keys(at) -> set[str]:
    return {w.key for kind in ("checkbox", "number_input", "slider") for w in at.get(kind) if w.key}


def test_picture_data_gets_picture_options_and_a_preview(at):
    _open(at, "digits-cnn")
    keys = _keys(at)
    assert {f"{W}hflip", f"{W}shift", f"{W}rotation", f"{W}cutout"} <= keys and f"{W}noise_std" not in keys
    # Media URLs hash the picture and its place on the page: same place, same URL <=> same pixels.
    before, unchanged = at.main.get("image")  # as they are, and through the draft's (still empty) augmentation
    assert len(before.proto.imgs) == len(unchanged.proto.imgs) == 8
    by_key(at.checkbox, f"{W}vflip").check().run()
    by_key([*at.get("slider"), *at.number_input], f"{W}shift").set_value(2).run()
    clean(at)
    aug = recipe(at).regularization.augmentation
    assert aug.vflip and aug.shift == 2
    original, seen = at.main.get("image")
    assert [i.url for i in original.proto.imgs] == [i.url for i in before.proto.imgs]
    assert [i.url for i in seen.proto.imgs] != [i.url for i in unchanged.proto.imgs]  # the pixels changed
    by_key(at.number_input, "train.augment.draw").set_value(1).run()
    assert [i.url for i in at.main.get("image")[1].proto.imgs] != [i.url for i in seen.proto.imgs]  # another draw


def test_table_data_keeps_only_the_noise(at):
    _open(at, "iris-mlp")
    keys = _keys(at)
    assert f"{W}noise_std" in keys and f"{W}hflip" not in keys
    assert not at.main.get("image")
