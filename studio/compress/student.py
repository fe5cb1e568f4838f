"""Distilling a run into a smaller student: the student's recipe made from the teacher's own, and one
call that trains it (a normal run, linked to its teacher) and compares the two.

:func:`scaled_student` keeps the teacher's blocks and scales their widths: ``dense`` units by
``dense`` and convolution filters by ``conv``. Most parameters of a small CNN sit in the dense layer
after the flatten (its weights are conv filters × H × W × units), so shrinking that layer hard and
the filters a little makes a student of a quarter of the parameters that still sees the pictures
well (benchmarks/compress.py: dense 0.25, conv 0.75 of digits-cnn is 0.24 of its parameters).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from studio.compress.source import check_source
from studio.data.access import DataAccess
from studio.errors import RecipeError
from studio.recipe import Recipe
from studio.status import RunStatus
from studio.train.callbacks import Callback

if TYPE_CHECKING:
    from studio.train.trainer import Control

DENSE = {"dense": "units"}
DROPOUT = {"dropout", "dropout2d"}
CONV = {"conv2d": "filters", "conv1d": "filters", "separable_conv2d": "filters"}
SCALES = (0.125, 0.25, 0.5, 0.75, 1.0)  # the factors the Export page offers


def _scaled(blocks: list[dict[str, Any]], dense: float, conv: float, dropout: bool) -> list[dict[str, Any]]:
    out = [b for b in copy.deepcopy(blocks) if dropout or b.get("kind") not in DROPOUT]
    for block in out:
        for table, factor in ((DENSE, dense), (CONV, conv)):
            field = table.get(block.get("kind", ""))
            if field is not None and field in block:
                block[field] = max(1, round(int(block[field]) * factor))
    return out


def scaled_student(teacher: Recipe, dense: float = 0.5, conv: float = 1.0, epochs: int | None = None,
                   dropout: bool = False) -> Recipe:
    """The teacher's recipe with its dense units scaled by ``dense`` and its convolution filters by
    ``conv`` (each at least 1), named ``<teacher>-student``; ``epochs``: the student's (None: the
    teacher's). Fine-tuning settings are dropped: the student starts from fresh weights.

    Dropout blocks are left out unless ``dropout``: a narrow student has no capacity to spare, and
    the teacher's soft targets already regularize it (digits-cnn, 4 seeds: a quarter-size student
    within 0.09 points of its teacher on average without dropout, 0.74 points behind with it).
    """
    for name, factor in (("dense", dense), ("conv", conv)):
        if not 0 < factor <= 1:
            raise RecipeError(f"the student's {name} width factor must be above 0 and at most 1 (a smaller "
                              f"student), got {factor}")
    raw = teacher.to_dict()
    training = {**raw["training"], "init_from": None, "freeze": None, "pretrained_lr_factor": 1.0,
                "distill_from": None}
    if epochs is not None:
        training["epochs"] = int(epochs)
    return Recipe.from_dict({**raw, "name": f"{teacher.name}-student", "training": training,
                             "model": _scaled(raw["model"], dense, conv, dropout),
                             "encoders": {k: _scaled(v, dense, conv, dropout)
                                          for k, v in (raw.get("encoders") or {}).items()}})


@dataclass
class DistillReport:
    """The teacher, the student run it trained, and how that run ended."""

    teacher: Path
    student: Path
    status: RunStatus

    def table(self) -> pd.DataFrame:
        """Teacher and student side by side: test metric, parameters, ONNX size and latency (exports both)."""
        from studio.export.compare import compare_runs

        return compare_runs([("teacher", self.teacher), ("student", self.student)])


def distill_run(teacher_run: str | Path, student: Recipe, temperature: float | None = None, alpha: float | None = None,
                runs_root: str | Path = "runs", callbacks: Sequence[Callback] = (), *,
                access: DataAccess | None = None, user: str | None = None, control: Control | None = None,
                on_run_dir: Callable[[Path], None] | None = None) -> DistillReport:
    """Train ``student`` on ``teacher_run``'s soft targets (the teacher's data and preprocessing,
    :func:`studio.train.distill.student_recipe`) as a new run under ``runs_root``.

    ``access``/``user``/``control``: as for :func:`studio.pipeline.train_recipe` (the app passes its
    session's data access and user key, so the student is listed beside that user's runs).
    """
    from studio.pipeline import train_recipe
    from studio.train.distill import student_recipe

    teacher = check_source(teacher_run, "distill from").path
    recipe = student_recipe(teacher, student, temperature, alpha)
    result = train_recipe(recipe, runs_root=runs_root, callbacks=callbacks, control=control,
                          on_run_dir=on_run_dir, access=access, user=user)
    return DistillReport(teacher, result.run_dir, result.status)
