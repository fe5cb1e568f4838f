"""Diagnoses on synthetic histories: each fires where it should and stays quiet where it should not;
every remedy makes a valid recipe with the change it announces."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from studio.recipe import Recipe
from studio.train.diagnose import baseline_loss, class_counts, diagnose
from studio.train.remedies import REMEDIES, apply_remedy, describe


def _history(train, val=None, lr=0.01):
    val = val if val is not None else [None] * len(train)
    pairs = enumerate(zip(train, val, strict=True))
    return [{"epoch": i + 1, "train_loss": t, "val_loss": v, "lr": lr} for i, (t, v) in pairs]


def _kinds(history, **kw):
    return [d.kind for d in diagnose(history, **kw)]


HEALTHY_TRAIN = [0.69 * 0.8**i for i in range(20)]
HEALTHY_VAL = [0.7 * 0.8**i + 0.01 for i in range(20)]


def test_a_healthy_run_has_no_diagnosis():
    assert _kinds(_history(HEALTHY_TRAIN, HEALTHY_VAL), baseline=0.69, counts=[50, 55]) == []


def test_overfitting_names_the_epoch_it_began():
    train = [0.6 * 0.85**i for i in range(20)]
    val = [0.6, 0.5, 0.42, 0.36, 0.33, 0.31, 0.30, 0.305, 0.31, 0.33, 0.35, 0.37, 0.40, 0.43, 0.45, 0.48, 0.5, 0.52,
           0.55, 0.57]
    found = diagnose(_history(train, val), baseline=0.69)
    over = next(d for d in found if d.kind == "overfitting")
    assert over.epoch == 7 and "since epoch 7" in over.sentence and "13 epochs" in over.sentence
    assert over.remedy == "add_dropout"
    assert "plateau" not in [d.kind for d in found]


def test_a_small_bump_in_validation_loss_is_not_overfitting():
    val = [*HEALTHY_VAL[:17], HEALTHY_VAL[16] * 1.005, HEALTHY_VAL[16] * 1.01, HEALTHY_VAL[16] * 1.001]
    assert "overfitting" not in _kinds(_history(HEALTHY_TRAIN, val))
    train_up = [*HEALTHY_TRAIN[:10], *[HEALTHY_TRAIN[9] * 1.01**i for i in range(1, 11)]]
    val_up = [*HEALTHY_VAL[:10], *[HEALTHY_VAL[9] * 1.1**i for i in range(1, 11)]]
    assert "overfitting" not in _kinds(_history(train_up, val_up))  # both rise: not overfitting


def test_underfitting_against_the_prior_loss():
    flat = [0.68, 0.66, 0.65, 0.64, 0.64, 0.63, 0.63]
    found = diagnose(_history(flat, [v + 0.01 for v in flat]), baseline=math.log(2))
    under = next(d for d in found if d.kind == "underfitting")
    assert "predicting the class shares" in under.sentence and under.remedy == "more_capacity"
    assert "underfitting" not in _kinds(_history(HEALTHY_TRAIN, HEALTHY_VAL), baseline=math.log(2))
    assert "underfitting" not in _kinds(_history(flat), baseline=None)  # no baseline: not judged
    assert "underfitting" not in _kinds(_history(flat[:4]), baseline=math.log(2))  # too early


def test_learning_rate_too_high_when_the_loss_rises_or_oscillates():
    rising = [0.7, 0.5, 0.4, 0.45, 0.6, 0.9, 1.4]
    high = next(d for d in diagnose(_history(rising)) if d.kind == "lr_too_high")
    assert high.epoch == 3 and high.remedy == "lower_lr"
    zigzag = [0.7, 0.5, 0.62, 0.45, 0.6, 0.44, 0.63, 0.46, 0.61, 0.47]
    assert _kinds(_history(zigzag))[:1] == ["lr_too_high"]
    assert "lr_too_high" not in _kinds(_history(HEALTHY_TRAIN))
    noise = [0.3 * 0.9**i + (0.001 if i % 2 else 0) for i in range(15)]  # tiny wiggles on a falling curve
    assert "lr_too_high" not in _kinds(_history(noise))


def test_noise_near_zero_is_not_a_learning_rate_too_high():
    # a network that fits spirals (the underfitting lesson's "big enough", measured): 0.048 -> 0.097 at the end
    near_zero = [0.69, 0.4, 0.2, 0.1, 0.07, 0.06, 0.052, 0.048, 0.06, 0.097]
    assert "lr_too_high" not in _kinds(_history(near_zero), baseline=0.693)
    assert "lr_too_high" in _kinds(_history(near_zero))  # without a baseline: the relative rule alone
    wobble = [0.69, 0.3, 0.1, 0.05, 0.04, 0.05, 0.04, 0.05, 0.04, 0.05, 0.04, 0.05]
    assert "lr_too_high" not in _kinds(_history(wobble), baseline=0.693)
    big = [0.69, 0.5, 0.45, 0.6, 0.4, 0.65, 0.42, 0.62, 0.41, 0.63, 0.44, 0.66]  # lr 5.0: still said
    assert "lr_too_high" in _kinds(_history(big), baseline=0.693)


def test_learning_rate_too_low_when_the_loss_barely_moves():
    barely = [0.693, 0.692, 0.691, 0.690, 0.689, 0.688]
    low = next(d for d in diagnose(_history(barely), baseline=0.693) if d.kind == "lr_too_low")
    assert low.remedy == "raise_lr" and "barely moved" in low.sentence
    assert "lr_too_low" not in _kinds(_history(HEALTHY_TRAIN))
    converged = [0.011, 0.0109, 0.0108, 0.0108, 0.0107, 0.0107]  # far below the baseline: done, not slow
    assert "lr_too_low" not in _kinds(_history(converged), baseline=0.693)


def test_plateau_when_nothing_improves_for_a_while():
    train = [*HEALTHY_TRAIN[:8], *[HEALTHY_TRAIN[7]] * 10]
    val = [*HEALTHY_VAL[:8], *[HEALTHY_VAL[7] * (1 + 0.0001 * (i % 2)) for i in range(10)]]
    found = diagnose(_history(train, val), baseline=0.69)
    plateau = next(d for d in found if d.kind == "plateau")
    assert plateau.epoch == 8 and "validation loss" in plateau.sentence and plateau.remedy == "reduce_on_plateau"
    assert "plateau" not in _kinds(_history(HEALTHY_TRAIN, HEALTHY_VAL))


def test_class_imbalance_from_counts():
    found = diagnose([], counts=[900, 100], labels=["ok", "fraud"])
    assert [d.kind for d in found] == ["class_imbalance"]
    assert "'fraud' only 100" in found[0].sentence and found[0].remedy == "balance_classes"
    assert _kinds([], counts=[900, 100], balanced=True) == []  # already balanced
    assert _kinds([], counts=[500, 300]) == []


def test_reads_metrics_csv_frames_and_skips_too_short_or_broken_histories():
    frame = pd.DataFrame(_history([0.7, 0.5, 0.4, 0.45, 0.6, 0.9, 1.4]))
    assert "lr_too_high" in _kinds(frame)
    assert _kinds(_history([0.7, 2.0])) == []
    assert _kinds(_history([0.7, 0.6, float("nan"), 0.5])) == []


def test_baseline_loss_is_the_loss_of_knowing_nothing():
    assert baseline_loss(np.array([0, 1] * 50), "classification") == pytest.approx(math.log(2))
    skewed = np.array([0] * 90 + [1] * 10)
    assert baseline_loss(skewed, "classification") == pytest.approx(-(0.9 * math.log(0.9) + 0.1 * math.log(0.1)))
    y = np.random.default_rng(0).normal(50, 10, 1000)
    assert baseline_loss(y, "regression") == pytest.approx(1.0)
    assert 0.3 < baseline_loss(y, "regression", "huber") < 0.5
    assert class_counts(np.array([0, 2, 2]), 4) == [1, 0, 2, 0]


# -- remedies ----------------------------------------------------------------------------------

BASE = Recipe.from_dict({
    "model": [{"kind": "dense", "units": 16}, {"kind": "activation"}, {"kind": "dense", "units": 8},
              {"kind": "activation"}],
    "optimizer": {"kind": "adam", "lr": 0.01},
})


def test_each_remedy_changes_the_recipe_as_it_says():
    kinds = [b["kind"] for b in apply_remedy(BASE, "add_dropout").model]
    assert kinds == ["dense", "activation", "dropout", "dense", "activation", "dropout"]
    twice = apply_remedy(apply_remedy(BASE, "add_dropout"), "add_dropout")  # stronger, not doubled
    assert [b["p"] for b in twice.model if b["kind"] == "dropout"] == [0.3, 0.3]
    kinds = [b["kind"] for b in apply_remedy(BASE, "add_batchnorm").model]
    assert kinds == ["dense", "batchnorm", "activation", "dense", "batchnorm", "activation"]
    assert apply_remedy(BASE, "lower_lr").optimizer["lr"] == pytest.approx(0.001)
    assert apply_remedy(BASE, "raise_lr").optimizer["lr"] == pytest.approx(0.1)
    assert describe(BASE, "lower_lr") == "lower the learning rate 0.01 → 0.001"
    assert [b.get("units") for b in apply_remedy(BASE, "more_capacity").model if b["kind"] == "dense"] == [32, 16]
    assert apply_remedy(BASE, "reduce_on_plateau").schedule["kind"] == "reduce_on_plateau"
    assert apply_remedy(BASE, "balance_classes").regularization.class_weights == "balanced"


@pytest.mark.parametrize("name", list(REMEDIES))
def test_every_remedy_gives_a_valid_recipe_from_an_empty_model(name):
    recipe = apply_remedy(Recipe(), name)
    assert isinstance(recipe, Recipe) and describe(Recipe(), name)


@pytest.mark.slow
def test_a_real_overfitting_run_is_diagnosed(tmp_path):
    """A wide MLP on 60 noisy moons, no early stopping: the validation loss climbs within a few epochs."""
    from studio.pipeline import train_recipe
    from studio.runs import RunDir
    from studio.train.diagnose import diagnose_run

    recipe = Recipe.from_dict({
        "name": "overfit", "data": {"source": "builtin:moons", "options": {"n_samples": 120, "noise": 0.45},
                                    "split": {"train": 0.5, "val": 0.25, "test": 0.25}},
        "preprocessing": [{"kind": "scale"}],
        "model": [{"kind": "dense", "units": 128}, {"kind": "activation"}, {"kind": "dense", "units": 128},
                  {"kind": "activation"}],
        "optimizer": {"kind": "adam", "lr": 0.01}, "regularization": {"early_stopping": None},
        "training": {"epochs": 30, "batch_size": 16, "device": "cpu", "threads": 1}})
    run = RunDir(train_recipe(recipe, runs_root=tmp_path).run_dir)
    summary = run.read_summary()
    assert summary.extra["class_counts"] == {"0": 30, "1": 30}
    assert summary.extra["baseline_loss"] == pytest.approx(math.log(2))
    health = summary.extra["health"]  # the last reading of the network's health, for Evaluate
    assert health["layers"] == ["layer 1", "layer 2", "layer 3"] and len(health["dead_shares"]) == 2
    found = diagnose_run(run.history(), summary.extra, summary.task)
    assert "overfitting" in [d.kind for d in found], [d.text() for d in found]


# -- gradients and dead units ----------------------------------------------------------------------


def _health(norms, dead=(), epoch=4):
    return {"epoch": epoch, "layers": [f"layer {i + 1}" for i in range(len(norms))], "grad_norms": list(norms),
            "relus": [f"ReLU {i + 1}" for i in range(len(dead))], "dead_shares": list(dead), "rows": 512}


def test_dead_relu_vanishing_and_exploding_gradients_from_a_health_reading():
    found = diagnose([], health=_health([0.1, 0.2, 0.3], dead=[0.1, 0.75]))
    assert [d.kind for d in found] == ["dead_relu"] and "75% of the units of ReLU 2" in found[0].sentence
    assert found[0].remedy == "leaky_relu"
    found = diagnose([], health=_health([1e-7, 1e-4, 0.02]))
    assert [d.kind for d in found] == ["vanishing_gradients"] and found[0].remedy == "add_batchnorm"
    found = diagnose([], health=_health([0.5, 5e4, 0.1]))
    assert [d.kind for d in found] == ["exploding_gradients"] and "layer 2" in found[0].sentence
    assert found[0].remedy == "clip_gradients"
    assert diagnose([], health=_health([1e-7, 0.02])) == []  # two layers: not a deep network
    assert diagnose([], health=_health([0.01, 0.05, 0.1], dead=[0.3, float("nan")])) == []


def test_health_probe_measures_gradients_and_dead_units(cls_data):
    import torch

    from studio.train.health import HealthEnd, HealthProbe
    from studio.train.trainer import Trainer
    from tests.train.conftest import N_CLASSES, Recorder, make_recipe

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8), torch.nn.ReLU(),
                                torch.nn.Linear(8, N_CLASSES))
    with torch.no_grad():  # the second layer's units are dead for any input: bias far below zero
        model[2].bias.fill_(-100.0)
    rec = Recorder()
    Trainer(model, cls_data, make_recipe(), "classification", N_CLASSES, callbacks=[rec],
            probes=[HealthProbe(interval=0.0)]).fit()
    seen = [e for e in rec.events if isinstance(e, HealthEnd)]
    assert [e.epoch for e in seen] == [1, 2, 2]
    last = seen[-1]
    assert last.layers == ("layer 1", "layer 2", "layer 3") and all(n >= 0 for n in last.grad_norms)
    assert last.dead_shares[1] == 1.0 and last.dead_shares[0] < 0.5 and last.rows == 96
    assert last.grad_norms[0] == 0.0  # nothing flows back through dead units: the first layer gets no gradient
    kinds = [d.kind for d in diagnose([], health={**last.to_dict()})]
    assert "dead_relu" in kinds


def test_new_remedies_replace_relu_and_clip():
    recipe = Recipe.from_dict({"model": [{"kind": "dense"}, {"kind": "activation", "fn": "relu"},
                                         {"kind": "residual", "blocks": [{"kind": "activation", "fn": "relu"}]}]})
    changed = apply_remedy(recipe, "leaky_relu")
    assert changed.model[1]["fn"] == "leaky_relu" and changed.model[2]["blocks"][0]["fn"] == "leaky_relu"
    clipped = apply_remedy(recipe, "clip_gradients")
    assert clipped.regularization.grad_clip == 1.0
    assert apply_remedy(clipped, "clip_gradients").regularization.grad_clip == pytest.approx(0.1)


def test_a_blown_up_loss_is_a_learning_rate_too_high_not_overfitting():
    train = [5.8e14, 40.0, 9.0, 3.4, 3.0]
    val = [1.2, 2.0, 3.5, 5.0, 6.1]
    found = diagnose(_history(train, val), baseline=math.log(2))
    kinds = [d.kind for d in found]
    assert kinds[0] == "lr_too_high" and "overfitting" not in kinds and found[0].epoch == 1


@pytest.mark.slow
def test_a_real_deep_sigmoid_network_has_vanishing_gradients(tmp_path):
    from studio.pipeline import train_recipe
    from studio.runs import RunDir
    from studio.train.diagnose import diagnose_run

    blocks = [b for _ in range(8) for b in ({"kind": "dense", "units": 16}, {"kind": "activation", "fn": "sigmoid"})]
    recipe = Recipe.from_dict({"name": "deep", "data": {"source": "builtin:moons"},
                               "preprocessing": [{"kind": "scale"}], "model": blocks,
                               "optimizer": {"kind": "sgd", "lr": 0.01, "momentum": 0.0},
                               "training": {"epochs": 3, "batch_size": 32, "device": "cpu", "threads": 1}})
    run = RunDir(train_recipe(recipe, runs_root=tmp_path).run_dir)
    summary = run.read_summary()
    found = {d.kind: d for d in diagnose_run(run.history(), summary.extra, summary.task)}
    assert "vanishing_gradients" in found and found["vanishing_gradients"].remedy == "add_batchnorm"
