"""Trainer behaviour: determinism, NaN guard, early stopping, regression, BatchNorm, regularization."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.errors import TrainingError
from studio.inputs.image_norm import ImageNormalize
from studio.train.tensors import TensorData
from studio.train.trainer import Trainer
from tests.train.conftest import N_CLASSES, Recorder, make_recipe, tiny_model, toy_classification


def _state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_same_recipe_and_seed_give_identical_metrics(cls_data) -> None:
    recipe = make_recipe(training={"epochs": 3}, regularization={"augmentation": {"noise_std": 0.1}})
    runs = [Trainer(tiny_model(), cls_data, recipe, "classification", N_CLASSES).fit() for _ in range(2)]
    strip = [[(e.train_loss, e.val_loss, e.train_metric, e.val_metric) for e in r.history] for r in runs]
    assert strip[0] == strip[1]
    other = Trainer(tiny_model(), cls_data, make_recipe(training={"epochs": 3, "seed": 1}), "classification",
                    N_CLASSES).fit()
    assert [e.train_loss for e in other.history] != [t[0] for t in strip[0]]


def test_training_learns_the_toy_problem(cls_data) -> None:
    recipe = make_recipe(training={"epochs": 30}, optimizer={"kind": "adam", "lr": 0.02})
    result = Trainer(tiny_model(), cls_data, recipe, "classification", N_CLASSES).fit()
    assert result.history[-1].val_metric > 0.8
    assert result.history[-1].train_loss < result.history[0].train_loss


def test_a_nan_loss_fails_with_what_to_change_and_keeps_finite_weights(cls_data) -> None:
    rec = Recorder()
    model = tiny_model()
    recipe = make_recipe(optimizer={"kind": "sgd", "lr": 1e6}, training={"epochs": 5})
    with pytest.raises(TrainingError, match=r"loss became (NaN|infinity) at epoch \d.*learning rate 1e\+06 is far too "
                                            r"large; lower optimizer.lr"):
        Trainer(model, cls_data, recipe, "classification", N_CLASSES, callbacks=[rec]).fit()
    assert all(torch.isfinite(p).all() for p in model.parameters())
    finished = rec.events[-1]
    assert finished.name == "finished" and finished.status == "failed" and "learning rate" in finished.message


def test_early_stopping_restores_the_best_weights() -> None:
    # random labels: the validation loss gets worse once the model starts memorizing
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = rng.integers(0, N_CLASSES, size=64).astype(np.int64)
    data = TensorData(x[:48], y[:48], x[48:], y[48:])
    snapshots: dict[int, dict[str, torch.Tensor]] = {}
    model = tiny_model()

    class Snap(Recorder):
        def on_event(self, event) -> None:
            if event.name == "epoch":
                snapshots[event.epoch] = _state(model)

    recipe = make_recipe(training={"epochs": 200, "batch_size": 8}, optimizer={"kind": "adam", "lr": 0.05},
                         regularization={"early_stopping": {"patience": 3}})
    result = Trainer(model, data, recipe, "classification", N_CLASSES, callbacks=[Snap()]).fit()
    assert result.status == "early_stopped" and "did not improve for 3 epochs" in result.message
    assert result.epochs_run == result.best_epoch + 3
    best = snapshots[result.best_epoch]
    assert all(torch.equal(v, best[k]) for k, v in model.state_dict().items())
    assert not all(torch.equal(v, snapshots[result.epochs_run][k]) for k, v in model.state_dict().items())
    val_losses = [e.val_loss for e in result.history]
    assert result.best_epoch == 1 + int(np.argmin(val_losses))


def test_regression_reports_r2_and_learns(reg_data) -> None:
    recipe = make_recipe(training={"epochs": 40}, optimizer={"kind": "adam", "lr": 0.02})
    result = Trainer(tiny_model(n_out=1), reg_data, recipe, "regression", 0).fit()
    last = result.history[-1]
    assert last.metric_name == "r2" and last.val_metric > 0.8 and last.train_metric > 0.8


@pytest.mark.parametrize("loss", ["huber", "mse"])
def test_regression_losses_run(reg_data, loss: str) -> None:
    result = Trainer(tiny_model(n_out=1), reg_data, make_recipe(training={"loss": loss}), "regression", 0).fit()
    assert result.status == "completed"


def test_a_loss_that_does_not_fit_the_task_is_refused(cls_data) -> None:
    from studio.errors import RecipeError

    with pytest.raises(RecipeError, match=r"training\.loss 'mse' does not fit a classification task"):
        Trainer(tiny_model(), cls_data, make_recipe(training={"loss": "mse"}), "classification", N_CLASSES)


def test_a_model_with_the_wrong_number_of_outputs_is_refused(reg_data) -> None:
    with pytest.raises(TrainingError, match=r"outputs of shape \(3,\).*needs \(1,\)"):
        Trainer(tiny_model(), reg_data, make_recipe(), "regression", 0)


def test_class_codes_out_of_range_are_refused() -> None:
    data = toy_classification()
    with pytest.raises(TrainingError, match="the model has 2 outputs"):
        Trainer(tiny_model(n_out=2), data, make_recipe(), "classification", 2)


def test_batchnorm_skips_a_final_batch_of_one_sample() -> None:
    data = toy_classification(n_train=33)  # 2 batches of 16 and one of 1
    rec = Recorder()
    trainer = Trainer(tiny_model(batchnorm=True), data, make_recipe(), "classification", N_CLASSES,
                      callbacks=[rec], batch_event_interval=0.0)
    assert trainer.batches == 2
    assert trainer.fit().status == "completed" and rec.events[0].batches_per_epoch == 2
    without_bn = Trainer(tiny_model(), data, make_recipe(), "classification", N_CLASSES)
    assert without_bn.batches == 3


@pytest.mark.parametrize(
    "regularization",
    [
        {"l1": 1e-3, "l2": 1e-3},
        {"grad_clip": 0.5},
        {"label_smoothing": 0.1, "class_weights": "balanced"},
        {"augmentation": {"noise_std": 0.2}},
    ],
)
def test_each_regularization_knob_runs(cls_data, regularization: dict) -> None:
    result = Trainer(tiny_model(), cls_data, make_recipe(regularization=regularization), "classification",
                     N_CLASSES).fit()
    assert result.status == "completed" and np.isfinite(result.history[-1].train_loss)


def test_l2_shrinks_the_weights(cls_data) -> None:
    def weight_norm(l2: float) -> float:
        recipe = make_recipe(training={"epochs": 10}, regularization={"l2": l2})
        model = tiny_model()
        Trainer(model, cls_data, recipe, "classification", N_CLASSES).fit()
        return float(sum(p.detach().pow(2).sum() for p in model.parameters() if p.ndim >= 2))

    assert weight_norm(0.1) < weight_norm(0.0)


def test_several_inputs_train_together_with_image_augmentation() -> None:
    """A table input and a uint8 image input, passed to the model in order; the images are augmented."""
    from studio.blocks import build_network

    rng = np.random.default_rng(0)
    table = rng.normal(size=(40, 3)).astype(np.float32)
    images = rng.integers(0, 256, size=(40, 1, 4, 4), dtype=np.uint8)
    y = rng.integers(0, N_CLASSES, size=40).astype(np.int64)
    x = {"table": table, "photo": images}
    data = TensorData({k: v[:32] for k, v in x.items()}, y[:32], {k: v[32:] for k, v in x.items()}, y[32:])
    model = build_network([("table", (3,)), ("photo", (1, 4, 4))], [{"kind": "dense", "units": 8}],
                          {"photo": [{"kind": "conv2d", "filters": 2}, {"kind": "global_avg_pool"}]}, N_CLASSES,
                          fronts={"photo": ImageNormalize([0.5], [0.25])})
    recipe = make_recipe(regularization={"augmentation": {"shift": 1, "hflip": True, "noise_std": 0.1}})
    trainer = Trainer(model, data, recipe, "classification", N_CLASSES)
    assert trainer.xs[1].dtype == torch.uint8  # pixels stay uint8 on the device: the model's front converts
    assert [a is not None for a in trainer.augments] == [True, True]
    assert trainer.fit().status == "completed"


def test_asking_for_cuda_without_one_is_a_training_error(cls_data) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(TrainingError, match=r"training\.device is 'cuda'.*'auto' or 'cpu'"):
        Trainer(tiny_model(), cls_data, make_recipe(training={"device": "cuda"}), "classification", N_CLASSES)


def test_the_lr_schedule_is_applied_and_reported(cls_data) -> None:
    recipe = make_recipe(training={"epochs": 3}, optimizer={"kind": "sgd", "lr": 0.1},
                         schedule={"kind": "step", "step_size": 1, "gamma": 0.5})
    result = Trainer(tiny_model(), cls_data, recipe, "classification", N_CLASSES).fit()
    assert [e.lr for e in result.history] == pytest.approx([0.1, 0.05, 0.025])


@pytest.mark.parametrize("schedule", ["constant", "step", "exponential", "cosine", "onecycle", "reduce_on_plateau"])
def test_every_schedule_runs_a_whole_fit_with_a_skipped_batchnorm_batch(schedule: str) -> None:
    data = toy_classification(n_train=33)  # BatchNorm skips the last batch: the schedule must know
    recipe = make_recipe(training={"epochs": 3}, schedule={"kind": schedule})
    result = Trainer(tiny_model(batchnorm=True), data, recipe, "classification", N_CLASSES).fit()
    assert result.status == "completed" and result.epochs_run == 3


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_the_mixed_precision_path_runs(cls_data, monkeypatch, precision: str) -> None:
    """No GPU here: force the CUDA-only precisions onto the CPU to exercise autocast and the GradScaler."""
    from studio.train import device as dev

    monkeypatch.setattr(dev, "resolve_precision", lambda requested, device: precision)
    rec = Recorder()
    trainer = Trainer(tiny_model(), cls_data, make_recipe(regularization={"grad_clip": 1.0}), "classification",
                      N_CLASSES, callbacks=[rec])
    assert (trainer.scaler is not None) == (precision == "fp16")
    result = trainer.fit()
    assert rec.events[0].precision == precision and result.precision == precision
    assert result.status == "completed" and np.isfinite(result.history[-1].val_loss)
