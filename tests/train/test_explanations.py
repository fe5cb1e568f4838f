"""Every optimizer, schedule, loss, penalty, norm/dropout block and metric explains itself, and the
update rules shown are the ones torch applies (checked by running them side by side)."""

from __future__ import annotations

import re
import typing

import numpy as np
import pytest
import torch

from studio.blocks import BLOCKS
from studio.explanations import LOSSES, METRICS, REGULARIZATION, explanation
from studio.recipe import Regularization, TrainingConfig
from studio.registry import Explanation
from studio.train.metrics import classification_metrics, regression_metrics
from studio.train.optimizers import OPTIMIZERS, build_optimizer
from studio.train.schedules import SCHEDULES


def _well_formed(e: Explanation | None) -> None:
    assert e is not None
    assert e.words.strip() and e.expect.strip()
    f = e.formula
    assert f.count("{") == f.count("}"), f
    assert f.count(r"\begin{") == f.count(r"\end{"), f
    assert len(re.findall(r"\\left(?![a-z])", f)) == len(re.findall(r"\\right(?![a-z])", f)), f


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_explains_itself(name):
    _well_formed(OPTIMIZERS[name].explain)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_every_schedule_explains_itself(name):
    _well_formed(SCHEDULES[name].explain)


@pytest.mark.parametrize("name", [n for n in typing.get_args(TrainingConfig.model_fields["loss"].annotation)
                                  if n != "auto"])
def test_every_loss_explains_itself(name):
    _well_formed(LOSSES.get(name))


@pytest.mark.parametrize("name", ["dropout", "dropout2d", "batchnorm", "layernorm"])
def test_norm_and_dropout_blocks_explain_themselves(name):
    _well_formed(BLOCKS[name].explain)


@pytest.mark.parametrize("name", ["l1", "l2", "label_smoothing", "grad_clip", "class_weights", "early_stopping"])
def test_regularization_explains_itself(name):
    assert name in Regularization.model_fields
    _well_formed(REGULARIZATION.get(name))


def test_every_metric_explains_itself():
    y = np.array([0, 1, 1, 0])
    proba = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.9, 0.1]])
    scalars = {k for k, v in classification_metrics(y, proba, ["a", "b"]).items() if isinstance(v, float)}
    scalars |= set(regression_metrics(np.arange(4.0), np.arange(4.0) + 0.5))
    assert scalars <= set(METRICS), scalars - set(METRICS)
    for name in METRICS:
        _well_formed(METRICS[name])


def test_lookup_finds_registry_entries_and_the_rest():
    assert explanation("optimizers", "adam") is OPTIMIZERS["adam"].explain
    assert explanation("blocks", "batchnorm") is BLOCKS["batchnorm"].explain
    assert explanation("losses", "huber") is LOSSES["huber"]
    assert explanation("optimizers", "nope") is None and explanation("metrics", "nope") is None


# -- the formulas are torch's: one parameter vector, three steps, both ways -----------------------

GRADS = [np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.3, -0.2]), np.array([-0.4, 0.2, 0.6])]
W0 = np.array([1.0, -2.0, 0.5])


def _torch_steps(spec: dict) -> np.ndarray:
    w = torch.nn.Parameter(torch.tensor(W0, dtype=torch.float64))
    opt = build_optimizer(spec, [w])
    for g in GRADS:
        w.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    return w.detach().numpy()


def _formula_steps(kind: str, lr: float, wd: float, **k: float) -> np.ndarray:
    """The update rules exactly as the explanations write them."""
    theta, b, m, v, big_g = W0.copy(), np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3)
    for t, grad in enumerate(GRADS, start=1):
        g = grad + (0 if kind == "adamw" else wd) * theta
        if kind == "sgd":
            b = k["momentum"] * b + g
            theta = theta - lr * ((g + k["momentum"] * b) if k["nesterov"] else b)
        elif kind in ("adam", "adamw"):
            if kind == "adamw":
                theta = theta - lr * wd * theta
            m = k["beta1"] * m + (1 - k["beta1"]) * g
            v = k["beta2"] * v + (1 - k["beta2"]) * g**2
            m_hat, v_hat = m / (1 - k["beta1"] ** t), v / (1 - k["beta2"] ** t)
            theta = theta - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
        elif kind == "rmsprop":
            v = k["alpha"] * v + (1 - k["alpha"]) * g**2
            b = k["momentum"] * b + g / (np.sqrt(v) + 1e-8)
            theta = theta - lr * b
        elif kind == "adagrad":
            big_g = big_g + g**2
            theta = theta - lr * g / (np.sqrt(big_g) + 1e-10)
    return theta


@pytest.mark.parametrize("spec", [
    {"kind": "sgd", "lr": 0.1, "momentum": 0.0, "nesterov": False, "weight_decay": 0.01},
    {"kind": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": False, "weight_decay": 0.01},
    {"kind": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.0},
    {"kind": "adam", "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "weight_decay": 0.1},
    {"kind": "adamw", "lr": 0.01, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.1},
    {"kind": "rmsprop", "lr": 0.01, "alpha": 0.9, "momentum": 0.5, "weight_decay": 0.01},
    {"kind": "rmsprop", "lr": 0.01, "alpha": 0.99, "momentum": 0.0, "weight_decay": 0.0},
    {"kind": "adagrad", "lr": 0.1, "weight_decay": 0.01},
])
def test_update_rules_shown_are_what_torch_does(spec):
    params = {k: v for k, v in spec.items() if k not in ("kind", "lr", "weight_decay")}
    expected = _formula_steps(spec["kind"], spec["lr"], spec["weight_decay"], **params)
    np.testing.assert_allclose(_torch_steps(spec), expected, rtol=1e-9, atol=1e-12)
