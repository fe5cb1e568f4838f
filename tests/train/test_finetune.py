"""Fine-tuning: start from another run's weights, matched by position and shape, with blocks frozen."""

from __future__ import annotations

import json

import pytest
import torch

from studio.errors import RecipeError
from studio.pipeline import train_recipe
from studio.recipe import Recipe
from tests.conftest import preset_dict

MLP = [{"kind": "dense", "units": 16}, {"kind": "activation", "fn": "relu"},
       {"kind": "dense", "units": 8}, {"kind": "activation", "fn": "relu"}]


def _recipe(source: str = "builtin:iris", epochs: int = 3, **training) -> Recipe:
    return Recipe.from_dict({"name": "ft", "data": {"source": source}, "model": MLP,
                             "optimizer": {"kind": "adam", "lr": 0.01},
                             "training": {"epochs": epochs, "batch_size": 16, "device": "cpu", **training}})


def test_frozen_blocks_keep_the_source_weights_and_the_rest_learns(runs_root) -> None:
    source = train_recipe(_recipe(), runs_root=runs_root)
    tuned = train_recipe(_recipe(init_from=str(source.run_dir), freeze=1), runs_root=runs_root)
    old, new = source.run.read_weights(), tuned.run.read_weights()
    assert torch.equal(old["0.weight"], new["0.weight"]) and torch.equal(old["0.bias"], new["0.bias"])
    assert not torch.equal(old["2.weight"], new["2.weight"])
    init = json.loads((tuned.run_dir / "summary.json").read_text())["init"]
    assert init["loaded"] == 6 and init["skipped"] == {} and not init["new_head"]
    assert init["frozen"] == ["model block 1"] and init["source"] == source.run.id


def test_other_classes_get_a_new_head_and_other_inputs_keep_what_fits(runs_root) -> None:
    source = train_recipe(_recipe(), runs_root=runs_root)  # iris: 4 features, 3 classes
    tuned = train_recipe(_recipe("builtin:wine", init_from=str(source.run_dir)), runs_root=runs_root)
    init = tuned.summary.extra["init"]
    assert init["new_head"]  # wine's three classes are not iris's
    assert init["skipped"]["0.weight"] == "another shape in the source run"  # 13 features, not 4
    assert init["skipped"]["4.weight"] == "the head (new classes)"
    assert init["loaded"] == 3  # 0.bias (16), 2.weight (8x16), 2.bias (8): they fit by position and shape


def test_a_lower_rate_for_loaded_weights(runs_root) -> None:
    from studio.prepared import build_model, prepare
    from studio.train.finetune import init_from_run, param_groups

    source = train_recipe(_recipe(), runs_root=runs_root)
    recipe = _recipe("builtin:wine", init_from=str(source.run_dir), pretrained_lr_factor=0.1)
    prepared = prepare(recipe)
    model = build_model(recipe, prepared)
    groups = param_groups(model, init_from_run(model, recipe, prepared), 0.1, 0.01)
    assert [len(g["params"]) for g in groups] == [3, 3] and groups[1]["lr"] == pytest.approx(0.001)
    assert "lr" not in groups[0]  # new weights (the first layer, the head) learn at the optimizer's rate


def test_bad_fine_tuning_settings_say_what_to_do(runs_root, tmp_path) -> None:
    source = train_recipe(_recipe(), runs_root=runs_root)
    with pytest.raises(RecipeError, match="the model has 4 blocks") as err:
        train_recipe(_recipe(init_from=str(source.run_dir), freeze=9), runs_root=runs_root)
    assert err.value.location == ("training", "freeze")
    with pytest.raises(RecipeError, match="inputs are table"):
        train_recipe(_recipe(init_from=str(source.run_dir), freeze="image"), runs_root=runs_root)
    with pytest.raises(RecipeError, match="init_from"):
        train_recipe(_recipe(init_from=str(tmp_path / "nowhere")), runs_root=runs_root)
    with pytest.raises(RecipeError, match="set init_from"):
        _recipe(freeze=2)
    with pytest.raises(RecipeError, match="freeze"):
        _recipe(init_from="x", freeze=-1)
    before = sorted(p.name for p in runs_root.iterdir())
    with pytest.raises(RecipeError):
        train_recipe(_recipe(init_from=str(source.run_dir), freeze=9), runs_root=runs_root)
    assert sorted(p.name for p in runs_root.iterdir()) == before  # nothing half-made


def _shapes(classes: list[str], n: int, split: tuple[float, float, float], epochs: int, seed: int = 0,
            **training) -> Recipe:
    raw = preset_dict("shapes-cnn")
    return Recipe.from_dict({
        **raw, "data": {**raw["data"], "seed": seed, "options": {"n_samples": n, "classes": classes},
                        "split": {"train": split[0], "val": split[1], "test": split[2], "stratify": True}},
        "training": {**raw["training"], "epochs": epochs, "seed": seed, "device": "cpu", **training}})


@pytest.mark.slow
def test_pretrained_on_some_shapes_fine_tunes_on_a_few_dozen_of_others(runs_root) -> None:
    """The teaching case. Pretrain on circles, squares and triangles (1,500 pictures); then learn pluses,
    rings and stripes from 30 pictures each (test on 180). Measured, seeds 0-2: from scratch 0.81, 0.94,
    0.92; fine-tuned from the pretrained run 0.98, 1.00, 0.99."""
    pre = train_recipe(_shapes(["circle", "square", "triangle"], 1500, (0.8, 0.1, 0.1), 8), runs_root=runs_root)
    few = (["plus", "ring", "stripes"], 300, (0.3, 0.1, 0.6), 30)
    scratch = train_recipe(_shapes(*few), runs_root=runs_root).summary.metrics["test"]["accuracy"]
    tuned = train_recipe(_shapes(*few, init_from=str(pre.run_dir)), runs_root=runs_root)
    accuracy = tuned.summary.metrics["test"]["accuracy"]
    assert tuned.summary.extra["init"]["new_head"]
    assert accuracy >= 0.95 and accuracy >= scratch + 0.03, (scratch, accuracy)


def test_a_run_of_another_kind_of_input_is_said_as_such(runs_root) -> None:
    pictures = train_recipe(_shapes(["circle", "square"], 60, (0.6, 0.2, 0.2), epochs=1), runs_root=runs_root)
    with pytest.raises(RecipeError, match="trained on pictures, this network reads a table's columns") as err:
        train_recipe(_recipe(init_from=str(pictures.run_dir)), runs_root=runs_root)
    assert err.value.location == ("training", "init_from")
