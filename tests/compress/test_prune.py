"""`studio prune`: steps are linked runs, the zeros stay through fine-tuning, structured pruning shrinks."""

from __future__ import annotations

import pytest

from studio.cli import main
from studio.compress import prune_run
from studio.compress.masks import weight_sparsity
from studio.errors import RunError
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from studio.runs import RunDir, load_run

MLP = [{"kind": "dense", "units": 32}, {"kind": "activation", "fn": "relu"},
       {"kind": "dense", "units": 16}, {"kind": "activation", "fn": "relu"}]


@pytest.fixture
def source(runs_root):
    recipe = Recipe.from_dict({"name": "src", "data": {"source": "builtin:iris"},
                               "preprocessing": [{"kind": "scale", "method": "standard"}], "model": MLP,
                               "optimizer": {"kind": "adam", "lr": 0.02},
                               "training": {"epochs": 15, "batch_size": 16, "device": "cpu"}})
    return train_recipe(recipe, runs_root=runs_root).run_dir


def test_magnitude_pruning_keeps_its_zeros_through_fine_tuning(source, runs_root) -> None:
    report = prune_run(source, 0.6, steps=2, epochs=2, runs_root=runs_root)
    assert report.sparsity == [0.3, 0.6] and len(report.runs) == 2
    first, last = (RunDir(r) for r in report.runs)
    assert first.summary().extra["pruned_from"] == RunDir(source).id
    assert last.summary().extra["pruned_from"] == first.id and last.summary().extra["sparsity"] == 0.6
    assert weight_sparsity(load_run(last.path).model) >= 0.595  # fine-tuning did not regrow them
    assert last.summary().value >= 0.8


def test_structured_pruning_makes_the_network_smaller(source, runs_root) -> None:
    report = prune_run(source, 0.5, structured=True, steps=1, epochs=3, runs_root=runs_root)
    pruned = RunDir(report.runs[0]).read_recipe().model
    assert [b.get("units") for b in pruned if b["kind"] == "dense"] == [16, 8]
    assert report.notes == ["step 1 (50%): block 1 dense: 32 -> 16 units", "step 1 (50%): block 3 dense: 16 -> 8 units"]
    before = sum(p.numel() for p in load_run(source).model.parameters())
    after = sum(p.numel() for p in load_run(report.runs[0]).model.parameters())
    assert after < before / 2.5


@pytest.mark.slow
def test_cli_prune_prints_the_table(source, runs_root, capsys) -> None:
    assert main(["prune", str(source), "--sparsity", "0.5", "--structured", "--steps", "1", "--epochs", "1",
                 "--out", str(runs_root)]) == 0
    out = capsys.readouterr().out
    assert "50% pruned" in out and "size KB" in out and "latency µs (batch 256)" in out


@pytest.mark.parametrize(("args", "says"), [
    (["--sparsity", "0"], "between 0 and 1"), (["--sparsity", "1.5"], "between 0 and 1"),
    (["--sparsity", "0.5", "--steps", "0"], "pruning steps"),
    (["--sparsity", "0.5", "--epochs", "0"], "fine-tuning epochs"),
])
def test_bad_prune_settings(source, capsys, args, says) -> None:
    assert main(["prune", str(source), *args]) == 2
    assert says in capsys.readouterr().err


def test_pruning_a_missing_run(tmp_path) -> None:
    with pytest.raises(RunError):
        prune_run(tmp_path / "nothing", 0.5)


def test_a_model_of_the_head_alone_is_pruned_too(runs_root) -> None:
    recipe = Recipe.from_dict({"name": "flat", "data": {"source": "builtin:iris"}, "model": [],
                               "training": {"epochs": 1, "device": "cpu"}})
    run = train_recipe(recipe, runs_root=runs_root).run_dir  # the head alone: a Linear layer, so prunable
    report = prune_run(run, 0.5, steps=1, epochs=1, runs_root=runs_root)
    assert len(report.runs) == 1
