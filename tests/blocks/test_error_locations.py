"""Errors carry where they are in the recipe, so a page can mark the offending block (not parse the text)."""

from __future__ import annotations

import pytest

from studio.blocks import build_model, infer_shapes, summarize
from studio.errors import RecipeError, ShapeError
from studio.recipe import Recipe

INNER_BAD_SHAPE = [{"kind": "dense"}, {"kind": "residual", "blocks": [{"kind": "conv2d"}]}]


@pytest.mark.parametrize("check", [
    lambda b: infer_shapes(b, (10,)),
    lambda b: summarize(b, (10,), 2),
    lambda b: build_model(b, (10,), 2),
])
def test_shape_error_locates_the_block(check):
    with pytest.raises(ShapeError, match="block 3 conv2d") as err:
        check([{"kind": "dense"}, {"kind": "activation"}, {"kind": "conv2d"}])
    assert err.value.location == ("model", 2)


def test_shape_error_inside_a_residual_locates_the_inner_block():
    with pytest.raises(ShapeError, match="inner block 1 conv2d") as err:
        summarize(INNER_BAD_SHAPE, (10,), 2)
    assert err.value.location == ("model", 1, "blocks", 0)


def test_recipe_error_locates_the_block_and_the_step():
    with pytest.raises(RecipeError, match="model block 2") as err:
        Recipe.from_dict({"model": [{"kind": "dense"}, {"kind": "dense", "units": -1}]})
    assert err.value.location == ("model", 1)
    with pytest.raises(RecipeError, match="preprocessing step 1") as err:
        Recipe.from_dict({"preprocessing": [{"kind": "no_such_step"}]})
    assert err.value.location == ("preprocessing", 0)


def test_recipe_error_inside_a_residual_locates_the_inner_block():
    inner = [{"kind": "dense"}, {"kind": "dense", "units": 0}]
    raw = {"model": [{"kind": "dense"}, {"kind": "residual", "blocks": inner}]}
    with pytest.raises(RecipeError, match="inner block 2") as err:
        Recipe.from_dict(raw)
    assert err.value.location == ("model", 1, "blocks", 1)
