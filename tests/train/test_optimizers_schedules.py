"""Every optimizer and schedule builds and runs two steps; lr_curve has the expected shapes."""

from __future__ import annotations

import itertools

import pytest
import torch

from studio.errors import RecipeError, plain
from studio.recipe import Recipe
from studio.train.optimizers import OPTIMIZERS, build_optimizer
from studio.train.schedules import SCHEDULES, build_schedule, lr_curve
from tests.train.conftest import tiny_model


def _two_steps(opt: torch.optim.Optimizer, model: torch.nn.Module, sched=None) -> list[float]:
    x, y = torch.randn(8, 4), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    lrs = []
    for _ in range(2):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        if sched is not None:
            sched.after_batch()
            sched.after_epoch(1.0)
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


@pytest.mark.parametrize("kind", list(OPTIMIZERS))
def test_every_optimizer_runs_two_steps_with_its_defaults(kind: str) -> None:
    model = tiny_model()
    before = [p.detach().clone() for p in model.parameters()]
    opt = build_optimizer({"kind": kind}, model.parameters())
    _two_steps(opt, model)
    after = list(model.parameters())
    assert any(not torch.equal(b, a) for b, a in zip(before, after, strict=True))
    assert all(torch.isfinite(p).all() for p in after)


@pytest.mark.parametrize("kind", ["adam", "adamw", "sgd", "adagrad"])
def test_fused_kernels_are_used_on_cpu_where_torch_has_them(kind: str) -> None:
    opt = build_optimizer({"kind": kind}, tiny_model().parameters())
    assert opt.defaults.get("fused") is True


def test_optimizer_params_reach_torch() -> None:
    opt = build_optimizer({"kind": "adam", "lr": 0.05, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.1},
                          tiny_model().parameters())
    group = opt.param_groups[0]
    assert (group["lr"], group["betas"], group["weight_decay"]) == (0.05, (0.8, 0.99), 0.1)


def test_recipe_default_optimizer_is_adam_1e3() -> None:
    recipe = Recipe.from_dict({"optimizer": {"kind": "adam"}})
    assert recipe.optimizer["lr"] == 1e-3


@pytest.mark.parametrize("lr", [-0.5, 0.0])
def test_a_non_positive_lr_names_the_optimizer_and_the_value(lr: float) -> None:
    with pytest.raises(RecipeError, match=rf"optimizer.*lr.*received {plain(lr)}\)"):  # 0.0 reads "0"
        Recipe.from_dict({"optimizer": {"kind": "sgd", "lr": lr}})


def test_nesterov_without_momentum_is_a_recipe_error() -> None:
    with pytest.raises(RecipeError, match="nesterov needs momentum"):
        Recipe.from_dict({"optimizer": {"kind": "sgd", "momentum": 0.0, "nesterov": True}})


@pytest.mark.parametrize("kind", list(SCHEDULES))
@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adagrad"])
def test_every_schedule_runs_two_steps(kind: str, optimizer: str) -> None:
    model = tiny_model()
    opt = build_optimizer({"kind": optimizer, "lr": 0.01}, model.parameters())
    sched = build_schedule({"kind": kind}, opt, epochs=3, steps_per_epoch=4)
    lrs = _two_steps(opt, model, sched)
    assert all(lr > 0 for lr in lrs)


def test_lr_curve_has_one_value_per_epoch_and_constant_is_flat() -> None:
    assert lr_curve({"kind": "constant"}, 0.1, 5, 3) == pytest.approx([0.1] * 5)


def test_warmup_rises_then_cosine_ends_low() -> None:
    curve = lr_curve({"kind": "cosine", "warmup_epochs": 3, "min_lr_ratio": 0.01}, 0.1, 20, 10)
    assert len(curve) == 20
    assert curve[0] < curve[1] < curve[2] < curve[3] == pytest.approx(0.1)
    assert all(a >= b for a, b in itertools.pairwise(curve[3:]))
    assert curve[-1] < 0.01


def test_step_schedule_halves_every_step_size_epochs() -> None:
    curve = lr_curve({"kind": "step", "step_size": 2, "gamma": 0.5}, 1.0, 6, 5)
    assert curve == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.25, 0.25])


def test_onecycle_peaks_at_max_lr_ratio_in_the_middle() -> None:
    curve = lr_curve({"kind": "onecycle", "max_lr_ratio": 10.0, "pct_start": 0.3}, 0.01, 10, 10)
    peak = max(range(10), key=curve.__getitem__)
    assert 1 <= peak <= 4
    assert max(curve) == pytest.approx(0.1, rel=0.05)
    assert all(a > b for a, b in itertools.pairwise(curve[peak:]))
