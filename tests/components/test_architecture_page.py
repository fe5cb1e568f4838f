"""Architecture page: blocks edited like steps, nested residual blocks, summary, shape errors."""

from __future__ import annotations

from studio.blocks import summarize
from studio.pipeline import prepare
from tests.components.helpers import by_key, clean, errors_in_box, recipe, texts


def _open(at):
    at.switch_page("app_pages/architecture.py").run()
    clean(at)
    return at


def _add(at, kind: str, where: str = "model"):
    by_key(at.selectbox, f"addkind.{where}").set_value(kind).run()
    by_key(at.button, f"add.{where}").click().run()


def test_summary_totals_match_engine(at):
    _open(at)
    prep = prepare(recipe(at))
    expected = summarize(recipe(at).model, prep.in_shape, prep.n_outputs)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Parameters"] == f"{expected.total_params:,}"
    assert metrics["MACs per sample"] == f"{expected.total_macs:,}"
    table = next(df.value for df in at.dataframe if "out_shape" in df.value.columns)
    assert len(table) == len(expected.rows)
    assert "1. dense 64" in at.get("graphviz_chart")[0].proto.spec


def test_conv2d_on_flat_input_blocks_training(at):
    _open(at)
    n = len(recipe(at).model)  # the preset's blocks; the new one comes after them
    _add(at, "conv2d")
    assert [b["kind"] for b in recipe(at).model][-1] == "conv2d"  # the recipe is valid; the shapes are not
    assert not at.exception
    errors = texts(at.error)
    assert f"block {n + 1} conv2d" in errors
    assert "#fbe3e3" in at.get("graphviz_chart")[0].proto.spec  # drawn red in the diagram
    at.switch_page("app_pages/train.py").run()
    assert "Training is blocked" in texts(at.warning) and f"block {n + 1} conv2d" in texts(at.warning)
    at.switch_page("app_pages/architecture.py").run()
    by_key(at.button, f"remove.model.{n}.conv2d").click().run()
    clean(at)
    at.switch_page("app_pages/train.py").run()
    assert not at.warning


def test_residual_has_a_nested_editor(at):
    _open(at)
    n = len(recipe(at).model)
    _add(at, "residual")
    clean(at)
    assert [b["kind"] for b in recipe(at).model[n]["blocks"]] == ["dense", "activation"]
    _add(at, "dropout", where=f"model.{n}.blocks")
    clean(at)
    assert [b["kind"] for b in recipe(at).model[n]["blocks"]] == ["dense", "activation", "dropout"]
    by_key(at.number_input, f"w.model.{n}.blocks.0.dense.units").set_value(32).run()
    clean(at)
    assert recipe(at).model[n]["blocks"][0]["units"] == 32
    assert f"subgraph cluster_b{n}" in at.get("graphviz_chart")[0].proto.spec


def test_invalid_edits_rejected_with_sentence(at):
    _open(at)
    n = len(recipe(at).model)
    _add(at, "residual")
    by_key(at.button, f"remove.model.{n}.blocks.0.dense").click().run()
    by_key(at.button, f"remove.model.{n}.blocks.0.activation").click().run()  # the last inner block
    assert f"model block {n + 1}" in texts(at.error)
    assert [b["kind"] for b in recipe(at).model[n]["blocks"]] == ["activation"]
    _add(at, "conv2d")
    by_key(at.text_input, f"w.model.{n + 1}.conv2d.padding").input("wide").run()
    assert f"model block {n + 2} (conv2d)" in texts(at.error) and "padding" in texts(at.error)
    assert recipe(at).model[n + 1]["padding"] == "same"


def test_an_inner_shape_error_is_shown_at_the_inner_block(at):
    """The error's location, not a regex on its text, says which box shows it: here the residual's
    first inner block, not the residual itself."""
    _open(at)
    n = len(recipe(at).model)
    _add(at, "residual")
    _add(at, "conv2d", where=f"model.{n}.blocks")
    by_key(at.button, f"remove.model.{n}.blocks.0.dense").click().run()
    by_key(at.button, f"remove.model.{n}.blocks.0.activation").click().run()
    assert [b["kind"] for b in recipe(at).model[n]["blocks"]] == ["conv2d"]
    inner = errors_in_box(at, f"box.model.{n}.blocks.0.conv2d")
    assert len(inner) == 1 and "inner block 1 conv2d needs input (C, H, W)" in inner[0]
    assert errors_in_box(at, f"box.model.{n}.residual") == []


def test_move_block_down(at):
    _open(at)
    by_key(at.button, "down.model.0.dense").click().run()
    clean(at)
    assert [b["kind"] for b in recipe(at).model][:2] == ["activation", "dense"]
    assert by_key(at.button, "up.model.0.activation").disabled
