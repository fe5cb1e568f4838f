"""The Data page shows text columns (lengths, frequent tokens, examples) and series (a line over time
with the split's boundaries); a text-only draft gets a model that reads text."""

from __future__ import annotations

import json

from tests.components.helpers import by_key, texts


def _titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_a_text_column_is_shown_with_its_tokens(at):
    by_key(at.selectbox, "w.data.builtin").set_value("reviews").run()
    assert not at.exception and not at.error
    assert "Tokens per text in review" in _titles(at)
    top = next(d.value for d in at.dataframe if "token" in d.value.columns)
    assert {"not", "but"} & set(top["token"]) and top["count"].is_monotonic_decreasing
    assert "text" in by_key(at.selectbox, "w.data.use.review").options


def test_new_data_of_another_kind_gets_a_model_that_reads_it():
    from components.engine import model_for_table
    from studio.data import load_table
    from studio.recipe import Recipe

    dense = [{"kind": "dense", "units": 8}, {"kind": "activation", "fn": "relu"}]
    text_alone = Recipe.from_dict({"data": {"source": "builtin:reviews",
                                            "columns": {"price": "ignore", "category": "ignore"}}, "model": dense})
    model = model_for_table(text_alone, load_table(text_alone.data))
    assert [b["kind"] for b in model][:2] == ["embedding", "seq_pool"]
    mixed = Recipe.from_dict({"data": {"source": "builtin:reviews"}, "model": model})
    trunk = model_for_table(mixed, load_table(mixed.data))  # the text model cannot be the trunk of several inputs
    assert trunk is not None and "embedding" not in {b["kind"] for b in trunk}
    assert model_for_table(mixed.updated(model=dense), load_table(mixed.data)) is None
    table = Recipe.from_dict({"data": {"source": "builtin:iris"}, "model": model})
    assert "embedding" not in {b["kind"] for b in model_for_table(table, load_table(table.data))}


def test_a_series_is_drawn_with_its_split(at):
    by_key(at.selectbox, "w.data.builtin").set_value("sunspots").run()
    assert not at.exception and not at.error
    title = next(t for t in _titles(at) if " over " in t)
    chart = next(c for c in at.get("plotly_chart") if " over " in json.loads(c.proto.spec)["layout"]["title"]["text"])
    annotations = [a["text"] for a in json.loads(chart.proto.spec)["layout"]["annotations"]]
    assert annotations == ["val begins", "test begins"], title
    assert "the split is by time" in texts(at.caption)
