"""The UI's pure helpers: list edits, the model diagram, tables, form parsing, the job registry."""

from __future__ import annotations

import pytest
from pydantic import Field

from components import diagram, forms, items, tables
from components.item_editor import item_error
from components.jobs import JobRegistry
from studio.blocks import BLOCKS, summarize
from studio.data import load_table
from studio.errors import ShapeError
from studio.recipe import DataConfig
from studio.registry import Params

STACK = [{"kind": "dense", "units": 8}, {"kind": "activation", "fn": "relu"}, {"kind": "dropout", "p": 0.1}]


def test_move_remove_append_do_not_mutate():
    original = [dict(x) for x in STACK]
    assert [x["kind"] for x in items.move(STACK, 2, -1)] == ["dense", "dropout", "activation"]
    assert [x["kind"] for x in items.move(STACK, 0, -1)] == ["dense", "activation", "dropout"]  # clamped
    assert [x["kind"] for x in items.remove(STACK, 1)] == ["dense", "dropout"]
    assert items.append(STACK, {"kind": "flatten"})[-1] == {"kind": "flatten"}
    assert items.set_field(STACK, 0, "units", 4)[0]["units"] == 4
    assert original == STACK


def test_with_list_reaches_nested_list():
    model = [{"kind": "residual", "blocks": [{"kind": "dense"}]}]
    out = items.with_list(model, (0, "blocks"), lambda lst: items.append(lst, {"kind": "activation"}))
    assert [b["kind"] for b in out[0]["blocks"]] == ["dense", "activation"]
    assert len(model[0]["blocks"]) == 1


def test_default_item_fills_defaults():
    assert items.default_item(BLOCKS, "dense") == {"kind": "dense", "units": 64, "bias": True}


def test_item_error_takes_the_location_below_its_section():
    err = ShapeError("block 2 (residual) inner block 1 conv2d needs an image", ("model", 1, "blocks", 0))
    assert item_error(err, "model") == ((1, "blocks", 0), str(err))
    assert item_error(err, "preprocessing") is None
    assert item_error(ShapeError("no place"), "model") is None


def test_model_dot_names_blocks_shapes_and_error():
    summary = summarize(STACK, (4,), 3)
    dot = diagram.model_dot(STACK, summary)
    assert dot.startswith("digraph model {") and dot.rstrip().endswith("}")
    assert '"input\\n(4,)"' in dot and "1. dense" in dot and "linear -> 3\\n(3,)" in dot
    edges = [ln for ln in dot.splitlines() if " -> " in ln and "[" not in ln]
    assert len(edges) == len(STACK) + 1  # input -> 3 blocks -> head
    bad = diagram.model_dot(STACK, None, error_index=1)
    assert bad.count("#fbe3e3") == 1 and "2. activation" in bad


def test_model_dot_residual_is_a_cluster_with_skip():
    model = [{"kind": "residual", "blocks": [{"kind": "dense", "units": 4}, {"kind": "activation"}]}]
    dot = diagram.model_dot(model, summarize(model, (4,), 2))
    assert "subgraph cluster_b0" in dot and 'style=dashed, label="skip"' in dot


def test_column_table_roles_and_missing():
    table = load_table(DataConfig(source="builtin:iris"))
    frame = tables.column_table(table)
    assert list(frame["role"]).count("target") == 1
    assert set(frame.loc[frame.role == "feature", "type"]) == {"numeric"}
    assert frame["missing"].fillna(0).between(0, 1).all()


class _Demo(Params):
    n: int = Field(3, ge=1, le=9, description="a count")
    lr: float = Field(0.01, gt=0.0, lt=1.0)
    on: bool = False


def test_bounds_and_number_limits():
    fields = _Demo.model_fields
    assert forms.bounds(fields["n"]) == {"ge": 1, "le": 9}
    assert forms._number_limits(fields["n"], is_int=True) == (1, 9)
    assert forms._number_limits(fields["lr"], is_int=False) == (0.0, 1.0)


def test_widget_choice_by_type():
    pick = {name: next(w for w in forms.WIDGETS if w.matches(f.annotation)).draw.__name__
            for name, f in _Demo.model_fields.items()}
    assert pick == {"n": "_draw_number", "lr": "_draw_number", "on": "_draw_checkbox"}


def test_text_and_list_parsing():
    assert forms._parse_list("1, 8,8") == [1, 8, 8]
    with pytest.raises(ValueError, match="numbers separated by commas"):
        forms._parse_list("1, x")
    assert forms._parse_text("") is None
    assert forms._parse_text("3") == 3
    assert forms._parse_text("same") == "same"


class _FakeJob:
    def __init__(self, status="running"):
        self.status, self.stopped = status, False

    def stop(self):
        self.stopped = True


def test_job_registry_owner_and_bound():
    reg = JobRegistry(max_finished=1)
    mine = reg.add("alice", _FakeJob())
    assert reg.get(mine.run_id) is mine and reg.get(mine.run_id, owner="bob") is None
    assert reg.list("bob") == [] and reg.list("alice") == [mine]
    done = [reg.add("alice", _FakeJob("finished")) for _ in range(3)]
    assert reg.get(done[0].run_id) is None and reg.get(mine.run_id) is mine  # old finished ones forgotten
    reg.stop_all()
    assert mine.job.stopped
    assert len({h.run_id for h in [mine, *done]}) == 4 and len(mine.run_id) >= 12
