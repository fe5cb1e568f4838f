"""Bad kinds and params are RecipeErrors that name the block's position, also inside residuals."""

from __future__ import annotations

import importlib.util
from typing import get_args

import pytest

from studio.blocks import BLOCKS, build_model
from studio.blocks.elementwise import ACTIVATIONS, ActivationName
from studio.errors import RecipeError

BAD = [
    ({"kind": "conv3d"}, ["model block 2", "unknown block kind 'conv3d'", "conv2d"]),
    ({"units": 3}, ["model block 2", "no \"kind\""]),
    ({"kind": "dense", "units": 0}, ["model block 2 (dense)", "units", "received 0"]),
    ({"kind": "dense", "width": 3}, ["model block 2 (dense)", "unknown field 'width'"]),
    ({"kind": "activation", "fn": "swish"}, ["fn", "'relu'", "received 'swish'"]),
    ({"kind": "dropout", "p": 1.5}, ["(dropout)", "p ", "received 1.5"]),
    ({"kind": "conv2d", "padding": "full"}, ["(conv2d)", "'same', 'valid'", "received 'full'"]),
    ({"kind": "conv2d", "padding": 9}, ["(conv2d)", "0 to 5", "received 9"]),
    ({"kind": "maxpool2d", "stride": 0}, ["(maxpool2d)", "stride", "received 0"]),
    ({"kind": "reshape", "shape": [-1, 4, -1]}, ["(reshape)", "at most one -1"]),
    ({"kind": "reshape", "shape": [0, 4]}, ["(reshape)", "positive"]),
    ({"kind": "residual", "blocks": []}, ["(residual)", "blocks", "at least 1"]),
    (
        {"kind": "residual", "blocks": [{"kind": "dense"}, {"kind": "conv2d", "filters": -1}]},
        ["model block 2 (residual) inner block 2 (conv2d)", "filters", "received -1"],
    ),
    (
        {"kind": "residual", "blocks": [{"kind": "residual", "blocks": [{"kind": "pool"}]}]},
        ["model block 2 (residual) inner block 1 (residual) inner block 1", "unknown block kind 'pool'"],
    ),
]


@pytest.mark.parametrize(("raw", "words"), BAD, ids=[w[0] for _, w in BAD])
def test_bad_block_names_position_and_value(raw: dict, words: list[str]) -> None:
    with pytest.raises(RecipeError) as err:
        BLOCKS.parse(raw, "model block 2")
    for word in words:
        assert word in str(err.value)


def test_build_model_reports_bad_params_by_position() -> None:
    with pytest.raises(RecipeError, match=r"model block 2 \(dense\): units"):
        build_model([{"kind": "flatten"}, {"kind": "dense", "units": 0}], (4,), 2)


def test_residual_inner_blocks_are_normalized_recursively() -> None:
    raw = {"kind": "residual", "blocks": [{"kind": "residual", "blocks": [{"kind": "conv2d"}]}]}
    inner = BLOCKS.normalize(raw, "model block 1")["blocks"][0]["blocks"][0]
    assert inner == {"kind": "conv2d", "filters": 16, "kernel_size": 3, "stride": 1, "padding": "same", "bias": True}


def test_every_kind_has_defaults_descriptions_and_a_schema() -> None:
    for kind in BLOCKS:
        entry = BLOCKS[kind]
        assert entry.description
        BLOCKS.normalize({"kind": kind}, "model block 1")  # every field has a default
        for name, field in entry.params.model_fields.items():
            assert field.description, f"{kind}.{name} has no description"
        entry.params.model_json_schema()


def test_activation_choices_match_the_table() -> None:
    assert set(get_args(ActivationName)) == set(ACTIVATIONS)


_HAS_RECIPE_REGISTRIES = all(
    importlib.util.find_spec(m) is not None for m in ("studio.train.optimizers", "studio.train.schedules")
)


@pytest.mark.skipif(not _HAS_RECIPE_REGISTRIES, reason="optimizer/schedule registries not written yet")
def test_recipe_validates_model_through_blocks() -> None:
    from studio.recipe import Recipe

    recipe = Recipe.from_dict({"model": [{"kind": "dense", "units": 8}, {"kind": "residual"}]})
    assert recipe.model[0] == {"kind": "dense", "units": 8, "bias": True}
    assert recipe.model[1]["blocks"][0]["kind"] == "dense"
    with pytest.raises(RecipeError, match="model block 2: unknown block kind 'conv3d'"):
        Recipe.from_dict({"model": [{"kind": "dense"}, {"kind": "conv3d"}]})
    with pytest.raises(RecipeError, match=r"model block 1 \(residual\) inner block 1 \(dense\): units"):
        Recipe.from_dict({"model": [{"kind": "residual", "blocks": [{"kind": "dense", "units": 0}]}]})
