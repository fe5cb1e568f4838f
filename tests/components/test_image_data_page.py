"""Data page with pictures: a zip upload shows counts, samples and sizes; a bad zip is one sentence."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from PIL import Image

from tests.components.helpers import by_key, clean, recipe, texts


@pytest.fixture(autouse=True)
def image_cache(tmp_path, monkeypatch):
    """Extracted zips and decoded pictures go to this test's own cache folder."""
    monkeypatch.setenv("STUDIO_CACHE_DIR", str(tmp_path / "cache"))


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (12, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _pets() -> bytes:
    members = {f"pets/cat/{i}.png": _png((200, 20 * i, 0)) for i in range(5)}
    members |= {f"pets/dog/{i}.png": _png((0, 20 * i, 200), (16, 10)) for i in range(3)}
    members["pets/[evil](javascript:x)/0.png"] = _png((9, 9, 9))
    members["pets/[evil](javascript:x)/1.png"] = _png((9, 9, 9))
    return _zip(members)


def _upload(at, name: str, data: bytes):
    by_key(at.radio, "data.mode").set_value("Upload pictures (zip)").run()
    by_key(at.get("file_uploader"), "data.zip").upload(name, data, "application/zip")
    return at.run()


def test_zip_upload_shows_counts_samples_and_sizes(at):
    _upload(at, "pets.zip", _pets())
    clean(at)
    assert recipe(at).data.source == "images:pets.zip" and recipe(at).name == "pets"
    counts = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert sorted(zip(counts["x"], counts["y"], strict=True))[-2:] == [("cat", 5), ("dog", 3)]
    grids = at.main.get("image")
    assert len(grids) == 3  # one row of pictures per class
    assert sum(len(g.proto.imgs) for g in grids) == 5 + 3 + 2
    sizes = next(df.value for df in at.dataframe if "pictures" in df.value.columns)
    assert set(zip(sizes["width"], sizes["height"], sizes["pictures"], strict=True)) == {(12, 10, 7), (16, 10, 3)}
    shown = texts(at.markdown)
    assert "Training size 10x10 (colour, 3 channels)" in shown and "padded" in shown
    assert "[evil](javascript:x)" in shown  # the class name as text, escaped
    assert not any("](" in m.value and "\\]" not in m.value for m in at.markdown)


def test_image_options_change_the_training_size(at):
    _upload(at, "pets.zip", _pets())
    by_key(at.selectbox, "w.data.options.images.channels").set_value("grey").run()
    by_key(at.selectbox, "w.data.options.images.fit").set_value("crop").run()
    clean(at)
    assert recipe(at).data.options == {"channels": "grey", "fit": "crop"}
    assert "(grey, 1 channel); each picture is cut to a square" in texts(at.markdown)
    by_key(at.text_input, "w.data.options.images.image_size").set_value("16").run()
    clean(at)
    assert recipe(at).data.options["image_size"] == 16
    assert "Training size 16x16 (grey" in texts(at.markdown)


@pytest.mark.parametrize(("members", "words"), [
    ({"cat/a.png": _png((1, 2, 3)), "cat/b.png": _png((1, 2, 3))}, "single class folder"),
    ({"../evil/a.png": b"x", "cat/b.png": _png((1, 2, 3))}, "points outside its folder"),
    ({"a.png": _png((1, 2, 3)), "b.png": _png((1, 2, 3))}, "has no class folders"),
    ({"cat/a.png": _png((1, 2, 3)), "cat/b.png": b"not a picture", "dog/c.png": _png((3, 2, 1)),
      "dog/d.png": _png((3, 2, 1))}, "is not a readable image"),
])
def test_a_bad_zip_is_one_sentence(at, members, words):
    _upload(at, "bad.zip", _zip(members))
    assert not at.exception
    assert len(at.error) == 1 and words in texts(at.error)


def test_a_file_that_is_not_a_zip_is_one_sentence(at):
    _upload(at, "fake.zip", b"PK not really a zip")
    assert not at.exception
    assert len(at.error) == 1 and "is not a zip file" in texts(at.error)


def test_builtin_shapes_shows_pictures_without_sizes_table(at):
    by_key(at.selectbox, "w.data.builtin").set_value("shapes").run()
    clean(at)
    assert len(at.main.get("image")) == 6
    assert "Training size 32x32 (colour, 3 channels)" in texts(at.markdown)


def test_skipping_unreadable_pictures_loads_the_rest(at):
    members = {"cat/a.png": _png((1, 2, 3)), "cat/b.png": _png((1, 2, 3)), "cat/c.png": b"broken",
               "dog/c.png": _png((3, 2, 1)), "dog/d.png": _png((3, 2, 1))}
    _upload(at, "pets.zip", _zip(members))
    assert len(at.error) == 1
    by_key(at.checkbox, "w.data.options.images.skip_unreadable").check().run()
    clean(at)
    assert "skipped 1 unreadable picture" in texts(at.caption)


def test_a_zip_bomb_stops_with_one_sentence(at, monkeypatch):
    import studio.data.images.scan as scan

    monkeypatch.setattr(scan, "MAX_UNZIPPED_BYTES", 50_000)  # a real bomb is gigabytes; the check is the same
    _upload(at, "bomb.zip", _zip({"cat/a.png": bytes(100_000), "dog/b.png": bytes(10)}))
    assert not at.exception
    assert len(at.error) == 1 and "more than" in texts(at.error)


def test_pictures_are_not_read_again_on_a_rerun(at, monkeypatch):
    import studio.data.images.tables as tables

    _upload(at, "pets.zip", _pets())
    calls = []
    real = tables.folder_table
    monkeypatch.setattr(tables, "folder_table", lambda *a, **k: calls.append(a) or real(*a, **k))
    at.run()
    by_key(at.slider, "w.data.train").set_value(0.6).run()  # a change elsewhere in the recipe
    clean(at)
    assert calls == [] and len(at.main.get("image")) == 3
    assert not at.get("progress")  # the decoding bar is gone once the pictures are there


def test_load_table_reports_decoding_progress(tmp_path):
    from studio.data import load_table
    from studio.data.access import DataAccess
    from studio.recipe import DataConfig

    (tmp_path / "pets.zip").write_bytes(_pets())
    seen: list[tuple[int, int]] = []
    load_table(DataConfig(source="images:pets.zip"), DataAccess.confined(tmp_path),
               progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (10, 10)


def test_decoding_draws_a_progress_bar(at, monkeypatch):
    from streamlit.delta_generator import DeltaGenerator

    drawn: list[tuple[float, str]] = []
    real = DeltaGenerator.progress

    def spy(self, value, text=None, **kwargs):
        drawn.append((value, text))
        return real(self, value, text=text, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "progress", spy)
    _upload(at, "pets.zip", _pets())
    clean(at)
    assert (1.0, "Decoding pictures: 10 of 10 pictures") in drawn


def test_a_recipe_that_reads_a_zip_asks_for_it_and_keeps_its_options(at):
    from tests.components.helpers import load_recipe

    load_recipe(at, {"source": "images:pets.zip", "options": {"fit": "crop"}})
    assert not at.exception
    assert by_key(at.radio, "data.mode").value == "Upload pictures (zip)"
    assert "reads the pictures pets.zip" in texts(at.info)
    by_key(at.get("file_uploader"), "data.zip").upload("pets.zip", _pets(), "application/zip")
    at.run()
    clean(at)
    assert recipe(at).data.source == "images:pets.zip" and recipe(at).data.options == {"fit": "crop"}
    assert "cut to a square at the centre" in texts(at.markdown)


def test_the_preprocess_page_of_pictures_says_where_they_go(at):
    by_key(at.selectbox, "sidebar.preset").set_value("digits-cnn").run()
    at.switch_page("app_pages/preprocess.py").run()
    clean(at)
    assert "Pictures go to the model as they were decoded (image (1, 8, 8)" in texts(at.caption)
