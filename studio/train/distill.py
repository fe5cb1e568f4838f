"""Knowledge distillation: a (smaller) student learns from a trained teacher's outputs.

Classification (Hinton et al., 2015): the loss is ``alpha * T² * KL(p_teacher(T) || p_student(T))
+ (1 - alpha) * CE(student, labels)``, where ``p(T) = softmax(logits / T)``; the T² keeps the soft
part's gradients on the scale of the hard part's. Regression: ``alpha * MSE(student, teacher) +
(1 - alpha) * loss(student, target)``. The teacher's outputs on the training rows are computed once,
before training, with the teacher's own fitted inputs on the student's rows, which are the teacher's
(a student recipe takes the teacher's data and preprocessing: :func:`student_recipe`). When the
recipe augments its inputs, the teacher is asked about each augmented batch instead
(:func:`distill_targets`), so its answer is about the picture the student sees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from studio.errors import RecipeError, RunError
from studio.recipe import Recipe

SoftLoss = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


def student_recipe(teacher_run: Any, student: Recipe, temperature: float | None = None,
                   alpha: float | None = None) -> Recipe:
    """``student`` with the teacher's data and preprocessing and ``training.distill_from`` set."""
    from studio.runs import RunDir

    teacher = RunDir.open(teacher_run)
    raw_teacher = teacher.read_recipe().to_dict()
    raw = student.to_dict()
    _check_task(teacher, student)
    training = {**raw["training"], "distill_from": str(teacher.path)}
    if temperature is not None:
        training["distill_temperature"] = temperature
    if alpha is not None:
        training["distill_alpha"] = alpha
    return Recipe.from_dict({**raw, "data": raw_teacher["data"], "preprocessing": raw_teacher["preprocessing"],
                             "training": training})


def _check_task(teacher: Any, student: Recipe) -> None:
    """A student learns its teacher's task on the teacher's data: a loss chosen for another task is said here,
    not as a loss that does not fit."""
    from studio.train.losses import resolve_loss

    task = str((teacher.read_prepared().get("table") or {}).get("task") or "")
    if not task or student.training.loss == "auto":
        return
    try:
        resolve_loss(student.training.loss, task)
    except RecipeError:
        raise RecipeError(f"the student recipe's loss {student.training.loss!r} is for another task than the "
                          f"teacher's: run {teacher.id!r} does {task}, and a student learns its teacher's task on "
                          "the teacher's data; set the student's training.loss to 'auto'",
                          ("training", "loss")) from None


def teacher_outputs(recipe: Recipe, prepared: Any) -> np.ndarray:
    """The teacher's soft targets for the student's training rows: probabilities at the recipe's
    temperature (n, K), or values in the student's scaled target units (n,)."""
    return distill_targets(recipe, prepared)[0]


def distill_targets(recipe: Recipe, prepared: Any) -> tuple[np.ndarray, torch.nn.Module | None]:
    """:func:`teacher_outputs`, and the teacher's network when it reads exactly the student's training
    tensors (classification; the same data and preprocessing, as :func:`student_recipe` makes): then
    the Trainer asks it about each augmented batch, so teacher and student see the same picture (a
    "consistent" teacher, Beyer et al., 2022), instead of the teacher's answer for the unaugmented row."""
    from studio.runs.loaded import load_run

    try:
        teacher = load_run(recipe.training.distill_from)
    except RunError as err:
        raise RecipeError(f"training.distill_from: {err}", ("training", "distill_from")) from None
    table = prepared.table
    if teacher.task != table.task or (table.task == "classification" and teacher.class_labels != table.class_labels):
        raise RecipeError(f"the teacher run {teacher.run.id!r} predicts {teacher.task} of other labels than this data; "
                          "distill from a run trained on the same data and target", ("training", "distill_from"))
    arrays = [np.ascontiguousarray(inp.arrays(table, prepared.train_frame)) for inp in teacher.inputs]
    xs = [torch.from_numpy(a) for a in arrays]
    outs = []
    with torch.inference_mode():
        for i in range(0, len(prepared.train_frame), 1024):
            outs.append(teacher.model(*(x[i:i + 1024] for x in xs)).float())
    logits = torch.cat(outs) if outs else torch.zeros((0, prepared.n_outputs))
    if table.task == "classification":
        same = _same_inputs(arrays, list(prepared.x_train.values()))
        soft = torch.softmax(logits / recipe.training.distill_temperature, dim=1).numpy()
        return soft, teacher.model.eval() if same else None
    values = logits[:, 0].numpy()
    if teacher.target_scaler is not None:
        values = teacher.target_scaler.inverse(values)
    return (prepared.target_scaler.transform(values) if prepared.target_scaler else values), None


def _same_inputs(teacher: list[np.ndarray], student: list[Any]) -> bool:
    if len(teacher) != len(student):
        return False
    for t, s in zip(teacher, student, strict=True):
        s = np.asarray(s)
        if t.shape != s.shape or t.dtype.kind != s.dtype.kind:
            return False
        if not (np.array_equal(t, s) if t.dtype.kind in "iub" else np.allclose(t, s, rtol=1e-5, atol=1e-6)):
            return False
    return True


def soft_loss(hard: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], task: str, temperature: float,
              alpha: float) -> SoftLoss:
    """``(student output, labels, teacher targets) -> loss`` (see the module docstring)."""
    t = temperature

    def classification(out: torch.Tensor, y: torch.Tensor, soft: torch.Tensor) -> torch.Tensor:
        log_p = F.log_softmax(out.float() / t, dim=1)
        kl = F.kl_div(log_p, soft, reduction="batchmean") * (t * t)
        return alpha * kl + (1 - alpha) * hard(out, y)

    def regression(out: torch.Tensor, y: torch.Tensor, soft: torch.Tensor) -> torch.Tensor:
        return alpha * F.mse_loss(out.reshape(-1).float(), soft) + (1 - alpha) * hard(out, y)

    return classification if task == "classification" else regression
