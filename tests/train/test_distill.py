"""Knowledge distillation: the loss, the student's recipe, and `studio distill`'s comparison."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from studio.cli import main
from studio.errors import RecipeError
from studio.pipeline import prepare, train_recipe
from studio.recipe import Recipe
from studio.runs import load_run
from studio.train.distill import soft_loss, student_recipe, teacher_outputs

TEACHER = [{"kind": "dense", "units": 32}, {"kind": "activation", "fn": "relu"}]
STUDENT = [{"kind": "dense", "units": 8}, {"kind": "activation", "fn": "relu"}]


def _recipe(model, source="builtin:iris", name="teacher", epochs=20) -> Recipe:
    return Recipe.from_dict({"name": name, "data": {"source": source},
                             "preprocessing": [{"kind": "scale", "method": "standard"}], "model": model,
                             "optimizer": {"kind": "adam", "lr": 0.02},
                             "training": {"epochs": epochs, "batch_size": 16, "device": "cpu"}})


def test_the_loss_mixes_soft_and_hard_targets() -> None:
    out, y = torch.randn(5, 3), torch.tensor([0, 1, 2, 0, 1])
    hard = lambda o, t: F.cross_entropy(o, t)  # noqa: E731
    assert soft_loss(hard, "classification", 4.0, 0.0)(out, y, torch.full((5, 3), 1 / 3)) == pytest.approx(
        float(hard(out, y)))
    same = torch.softmax(out / 4.0, dim=1)  # the student already matches the teacher: no soft loss
    assert float(soft_loss(hard, "classification", 4.0, 1.0)(out, y, same)) == pytest.approx(0.0, abs=1e-6)
    values = torch.randn(5, 1)
    mse = lambda o, t: F.mse_loss(o.reshape(-1), t)  # noqa: E731
    assert float(soft_loss(mse, "regression", 1.0, 1.0)(values, torch.zeros(5), values[:, 0])) == 0.0


@pytest.mark.slow
def test_a_student_takes_the_teachers_data_and_learns_its_answers(runs_root) -> None:
    teacher = train_recipe(_recipe(TEACHER), runs_root=runs_root)
    other = _recipe(STUDENT, source="builtin:wine", name="student", epochs=40)
    recipe = student_recipe(teacher.run_dir, other, temperature=2.0, alpha=1.0)
    assert recipe.data.source == "builtin:iris" and recipe.preprocessing == teacher.run.read_recipe().preprocessing
    assert recipe.model == other.model and recipe.training.distill_from == str(teacher.run_dir)
    prepared = prepare(recipe)
    soft = teacher_outputs(recipe, prepared)
    assert soft.shape == (len(prepared.y_train), 3) and np.allclose(soft.sum(1), 1, atol=1e-5)
    student = train_recipe(recipe, runs_root=runs_root)
    assert student.summary.extra["teacher"] == teacher.run.id
    frame = load_run(teacher.run_dir).test_frame()
    agree = (load_run(teacher.run_dir).predict_frame(frame).argmax(1)
             == load_run(student.run_dir).predict_frame(frame).argmax(1)).mean()
    assert agree >= 0.85, agree  # alpha 1: it learned from the teacher's answers alone


def test_a_teacher_of_other_labels_is_refused(runs_root) -> None:
    teacher = train_recipe(_recipe(TEACHER, epochs=2), runs_root=runs_root)
    raw = _recipe(STUDENT, source="builtin:wine").to_dict()
    wrong = Recipe.from_dict({**raw, "training": {**raw["training"], "distill_from": str(teacher.run_dir)}})
    with pytest.raises(RecipeError, match="other labels"):
        train_recipe(wrong, runs_root=runs_root)


@pytest.mark.slow
def test_cli_distill_compares_student_and_teacher(runs_root, tmp_path, capsys) -> None:
    teacher = train_recipe(_recipe(TEACHER, epochs=10), runs_root=runs_root)
    student = tmp_path / "student.json"
    student.write_text(json.dumps(_recipe(STUDENT, name="student", epochs=10).to_dict()))
    assert main(["distill", str(teacher.run_dir), str(student), "--out", str(runs_root), "--quiet"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("variant"):]
    assert "teacher" in table and "student" in table and "latency µs (batch 1)" in table and "size KB" in table
    assert main(["distill", str(teacher.run_dir), str(student), "--alpha", "2"]) == 2
    assert "distill_alpha" in capsys.readouterr().err
    assert main(["distill", str(tmp_path / "none"), str(student)]) == 2


def test_a_student_recipe_for_another_task_is_said_as_such(runs_root) -> None:
    teacher = train_recipe(_recipe(TEACHER, epochs=2), runs_root=runs_root)
    raw = _recipe(STUDENT, source="builtin:diabetes", name="student").to_dict()
    regression = Recipe.from_dict({**raw, "training": {**raw["training"], "loss": "mse"}})
    with pytest.raises(RecipeError, match=r"'mse' is for another task than the teacher's: .* does classification"):
        student_recipe(teacher.run_dir, regression)
    assert student_recipe(teacher.run_dir, _recipe(STUDENT, source="builtin:diabetes")).data.source == "builtin:iris"
