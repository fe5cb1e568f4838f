"""Architecture page with several inputs: one stack editor per input, the trunk, shapes as (C, H, W)."""

from __future__ import annotations

import pytest
import streamlit as st

from tests.components.helpers import by_key, clean, recipe

SHAPES = {"source": "builtin:shapes", "options": {"n_samples": 120}, "seed": 11}


@pytest.fixture
def two_inputs(monkeypatch):
    """The shapes pictures plus a numeric column: a table input and an image input (the app has no
    source of both yet, so the loaded table is given one column more)."""
    import components.engine as engine
    from studio.data import load_table
    from studio.recipe import DataConfig

    def table(recipe):
        t = load_table(DataConfig.model_validate(SHAPES))
        t.frame = t.frame.assign(brightness=range(len(t.frame)))
        t.features = [*t.features, "brightness"]
        t.column_types = {**t.column_types, "brightness": "numeric"}
        return t

    st.cache_data.clear()
    monkeypatch.setattr(engine, "table", table)
    yield
    st.cache_data.clear()


def _open(at):
    at.session_state["studio.recipe"] = recipe(at).updated(data=SHAPES, model=[{"kind": "dense", "units": 16}],
                                                           preprocessing=[])
    at.switch_page("app_pages/architecture.py").run()
    clean(at)
    return at


def test_each_input_has_its_own_stack_and_the_trunk_follows(at, two_inputs):
    _open(at)
    heads = [h.value for h in at.subheader]
    assert "Input table (1,)" in heads and "Input image (3, 32, 32)" in heads and "Trunk" in heads
    draft = recipe(at)
    assert set(draft.encoders) == {"table", "image"} and draft.encoders["image"]  # the default small CNN
    rows = at.dataframe[0].value
    assert set(rows["stack"]) == {"image", "trunk"}  # the table input has no blocks of its own yet
    first_image = rows[rows["stack"] == "image"].iloc[0]["out_shape"]
    assert first_image.count(",") == 2  # (C, H, W)
    dot = at.get("graphviz_chart")[0].proto.spec
    assert "input image\\n(3, 32, 32)" in dot and "join" in dot


def test_editing_an_encoder_changes_only_that_stack(at, two_inputs):
    _open(at)
    before = recipe(at).encoders["image"]
    by_key(at.selectbox, "addkind.encoders.table").set_value("dense")
    by_key(at.button, "add.encoders.table").click().run()
    clean(at)
    after = recipe(at)
    assert [b["kind"] for b in after.encoders["table"]][-1] == "dense"
    assert after.encoders["image"] == before and after.model == [{"kind": "dense", "units": 16, **{
        k: v for k, v in after.model[0].items() if k not in ("kind", "units")}}]
    by_key(at.button, f"remove.encoders.image.0.{before[0]['kind']}").click().run()
    assert recipe(at).encoders["image"] == before[1:]


def test_one_input_stays_one_list(at):
    by_key(at.selectbox, "sidebar.preset").set_value("digits-cnn").run()
    at.switch_page("app_pages/architecture.py").run()
    clean(at)
    assert "Trunk" not in [h.value for h in at.subheader] and recipe(at).encoders == {}
    columns = at.dataframe[0].value.columns
    assert "stack" not in columns


def test_a_block_that_does_not_fit_its_input_is_shown_in_its_stack(at, two_inputs):
    from tests.components.helpers import errors_in_box

    _open(at)
    draft = recipe(at)
    at.session_state["studio.recipe"] = draft.updated(encoders={**draft.encoders, "table": [{"kind": "conv2d"}]})
    at.run()
    assert not at.exception
    assert errors_in_box(at, "box.encoders.table.0.conv2d")  # the sentence at the block that does not fit
    assert "fillcolor=\"#fbe3e3\"" in at.get("graphviz_chart")[0].proto.spec  # and red on the diagram
