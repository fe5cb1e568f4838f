"""The student made from a teacher's recipe, the consistent teacher (asked about augmented batches),
and prune/distill reading an uploaded file through the session's data access, for the session's user."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris

from studio.compress import prune_run
from studio.compress.student import distill_run, scaled_student
from studio.data.access import DataAccess
from studio.errors import DataError, RecipeError
from studio.pipeline import prepare, train_recipe, training_data
from studio.recipe import Recipe
from studio.runs import RunDir
from studio.train.distill import _same_inputs, distill_targets, student_recipe
from studio.train.trainer import Trainer

CNN = [{"kind": "conv2d", "filters": 16, "kernel_size": 3}, {"kind": "activation", "fn": "relu"},
       {"kind": "conv2d", "filters": 32, "kernel_size": 3}, {"kind": "dropout2d", "p": 0.1}, {"kind": "flatten"},
       {"kind": "dense", "units": 64}, {"kind": "activation", "fn": "relu"}, {"kind": "dropout", "p": 0.25},
       {"kind": "dense", "units": 2}]


def _recipe(model, source="builtin:iris", augment=None, epochs=2) -> Recipe:
    return Recipe.from_dict({"name": "teacher", "data": {"source": source},
                             "preprocessing": [{"kind": "scale", "method": "standard"}], "model": model,
                             "regularization": {"augmentation": augment},
                             "training": {"epochs": epochs, "batch_size": 16, "device": "cpu"}})


def test_a_scaled_student_keeps_the_blocks_and_shrinks_their_widths() -> None:
    teacher = _recipe(CNN, source="builtin:digits")
    raw = teacher.to_dict()
    teacher = Recipe.from_dict({**raw, "training": {**raw["training"], "init_from": "runs/x", "freeze": 1}})
    student = scaled_student(teacher, dense=0.25, conv=0.75, epochs=7)
    assert [(b["kind"], b.get("filters") or b.get("units")) for b in student.model] == [
        ("conv2d", 12), ("activation", None), ("conv2d", 24), ("flatten", None), ("dense", 16),
        ("activation", None), ("dense", 1)]  # no dropout; at least one unit
    assert student.name == "teacher-student" and student.training.epochs == 7
    assert student.training.init_from is None and student.training.freeze is None
    kept = scaled_student(teacher, dense=0.5, dropout=True)
    assert [b["kind"] for b in kept.model] == [b["kind"] for b in teacher.model]
    assert kept.training.epochs == teacher.training.epochs
    with pytest.raises(RecipeError, match="dense width factor must be above 0 and at most 1"):
        scaled_student(teacher, dense=2.0)


def test_the_teacher_answers_about_the_augmented_batch(runs_root) -> None:
    mlp = [{"kind": "dense", "units": 16}, {"kind": "activation", "fn": "relu"}]
    noisy = {"noise_std": 0.3}
    teacher = train_recipe(_recipe(mlp, augment=noisy), runs_root=runs_root).run_dir
    recipe = student_recipe(teacher, _recipe(mlp, augment=noisy))
    prepared = prepare(recipe)
    soft, network = distill_targets(recipe, prepared)
    assert network is not None and soft.shape == (len(prepared.y_train), 3)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3))
    data = training_data(prepared)
    trainer = Trainer(model, data, recipe, "classification", 3, soft_targets=soft, teacher=network)
    x = torch.randn(5, 4)
    expected = torch.softmax(network(x) / recipe.training.distill_temperature, dim=1)
    assert torch.allclose(trainer._soft(trainer.soft, torch.arange(5), [x]), expected)
    plain = student_recipe(teacher, _recipe(mlp))  # no augmentation: the stored answers are the same ones
    assert Trainer(model, data, plain, "classification", 3, soft_targets=soft, teacher=network).teacher is None
    assert not _same_inputs([np.zeros((2, 4), np.float32)], [np.ones((2, 4), np.float32)])


def test_prune_and_distill_read_the_upload_through_the_sessions_access(tmp_path, runs_root) -> None:
    folder = tmp_path / "uploads"
    folder.mkdir()
    iris = load_iris(as_frame=True).frame
    iris.to_csv(folder / "flowers.csv", index=False)
    access = DataAccess.confined(folder)
    mlp = [{"kind": "dense", "units": 16}, {"kind": "activation", "fn": "relu"}]
    raw = _recipe(mlp, source="csv:flowers.csv").to_dict()
    recipe = Recipe.from_dict({**raw, "data": {**raw["data"], "target": "target"}})
    run = train_recipe(recipe, runs_root=runs_root, access=access, user="u1").run_dir
    with pytest.raises(DataError):
        prune_run(run, 0.5, steps=1, epochs=1, runs_root=runs_root, access=DataAccess.confined(tmp_path / "other"))
    steps: list[tuple[int, int, float]] = []
    report = prune_run(run, 0.5, True, 1, 1, runs_root, access=access, user="u1", on_step=lambda *a: steps.append(a))
    assert steps == [(1, 1, 0.5)] and RunDir(report.runs[0]).owner().user == "u1"
    distilled = distill_run(run, scaled_student(recipe, 0.5), runs_root=runs_root, access=access, user="u1")
    assert RunDir(distilled.student).owner().user == "u1" and distilled.status.has_result
