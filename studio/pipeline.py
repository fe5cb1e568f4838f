"""The one way from a Recipe to a trained model and a run directory (preparing the data: studio.prepared)."""

from __future__ import annotations

import contextlib
import platform
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

import studio
from studio.data.access import DataAccess
from studio.errors import StudioError
from studio.explain.baseline import typical_row
from studio.prepared import Prepared, build_model, model_summary, prepare, steps_per_epoch
from studio.recipe import Recipe
from studio.runs import Heartbeat, RunCheckpointer, RunDir, RunSummary
from studio.runs.resume import ResumePlan
from studio.status import RunStatus
from studio.train.boundary import BoundaryEnd
from studio.train.callbacks import Callback
from studio.train.diagnose import baseline_loss, class_counts
from studio.train.distill import distill_targets
from studio.train.events import EpochEnd, Finished
from studio.train.finetune import init_from_run, param_groups
from studio.train.health import HealthProbe
from studio.train.health import as_dict as health_dict
from studio.train.histograms import HistogramProbe
from studio.train.histograms import as_dict as histograms_dict
from studio.train.metrics import classification_metrics, regression_metrics
from studio.train.trainer import Control, FitResult, TensorData, Trainer

if TYPE_CHECKING:
    from studio.parallel.context import ParallelContext

__all__ = ["Prepared", "RunResult", "evaluate", "model_summary", "predict", "prepare", "steps_per_epoch",
           "train_recipe"]


@dataclass
class RunResult:
    run_dir: Path
    status: RunStatus
    summary: RunSummary
    fit: FitResult

    @property
    def run(self) -> RunDir:
        return RunDir(self.run_dir)


class _RunWriter(Callback):
    """Keeps metrics.csv current while training (at most once a second, and at the end), so a crash
    or a stop loses at most a second of curves; an fsync'd rewrite per epoch would slow fast epochs.
    Writes the final decision boundary (boundary.json) when a BoundaryProbe made one."""

    INTERVAL = 1.0

    def __init__(self, run: RunDir) -> None:
        self.run = run
        self.rows: list[dict[str, Any]] = []
        self._written = 0.0

    def on_event(self, event: Any) -> None:
        if isinstance(event, EpochEnd):
            self.rows.append(event.to_dict())
            if time.monotonic() - self._written >= self.INTERVAL:
                self.flush()
        elif isinstance(event, BoundaryEnd) and event.final:  # what Evaluate shows of the run's boundary
            self.run.write_boundary(event.to_dict())
        elif isinstance(event, Finished):
            self.flush()

    def flush(self) -> None:
        self.run.write_metrics(self.rows)
        self._written = time.monotonic()


def train_recipe(
    recipe: Recipe,
    runs_root: str | Path = "runs",
    callbacks: Sequence[Callback] = (),
    control: Control | None = None,
    on_run_dir: Callable[[Path], None] | None = None,
    prepared: Prepared | None = None,
    access: DataAccess | None = None,
    user: str | None = None,
    resume: ResumePlan | None = None,
    model: torch.nn.Module | None = None,
    after_step: Callable[[], None] | None = None,
    extra: dict[str, Any] | None = None,
    parallel: ParallelContext | None = None,
    probes: Sequence[Any] = (),
) -> RunResult:
    """Prepare, check the model, train, evaluate and save a run directory.

    Nothing is written before the data loads and the model's shapes check out, so bad input leaves no
    half-made run behind. ``on_run_dir`` is told the directory as soon as it exists. While training,
    a heartbeat marks the run as alive and checkpoints are written (see :mod:`studio.runs`), so a
    process that dies leaves an ``interrupted`` run with its last checkpoint. ``user`` records which
    app user the run belongs to. ``resume`` (:func:`studio.runs.resume.plan_resume`) continues another
    run from its checkpoint: ``recipe`` must be the plan's; the new run is linked to its parent.
    ``model``: start from these weights instead of fresh ones (it must be the recipe's network, e.g. a
    pruned one); ``after_step`` runs after every optimizer step; ``extra`` goes into summary.json.
    ``parallel``: this is rank 0 of a data-parallel run (see :mod:`studio.parallel`; the other
    processes run :func:`studio.parallel.follow.follow_recipe`).
    """
    if resume is not None and recipe is not resume.recipe:
        raise ValueError("a resumed run trains its plan's recipe (ResumePlan.recipe)")
    started = time.time()
    prepared = prepared or prepare(recipe, access)
    model_summary(recipe, prepared)  # ShapeError here, before anything is written
    torch.manual_seed(recipe.training.seed)
    if model is None:
        model = build_model(recipe, prepared)
    # a resumed fine-tuning run loads its source again for the same frozen blocks and groups (then its checkpoint)
    init = init_from_run(model, recipe, prepared) if recipe.training.init_from else None
    soft, teacher = distill_targets(recipe, prepared) if recipe.training.distill_from else (None, None)
    new_root = not Path(runs_root).exists()
    run = RunDir.create(runs_root, recipe)
    summary = _summary(recipe, prepared, RunStatus.RUNNING, started)
    if parallel is not None:
        summary.extra.update(world_size=parallel.world_size, backend=parallel.backend)
    writer = _RunWriter(run)
    summary.extra.update(extra or {})
    if init is not None:
        summary.extra["init"] = init.to_dict()
    if soft is not None:
        summary.extra["teacher"] = RunDir(recipe.training.distill_from).id
    if resume is not None:
        summary.extra.update(resume.lineage())
        writer.rows = [dict(row) for row in resume.history]
    try:  # the Trainer checks the device, precision, loss and batch size: a refusal leaves no run behind
        groups = param_groups(model, init, recipe.training.pretrained_lr_factor,
                              float(recipe.optimizer.get("lr", 1e-3)))
        health = HealthProbe()  # its last reading goes into summary.json, for the diagnoses after the run
        histograms = HistogramProbe(recipe.training.epochs)  # histograms.json, for Evaluate
        options = TrainerOptions(resume.state if resume is not None else None, groups, soft, after_step,
                                 [*probes, health, histograms], teacher)
        trainer = _trainer(recipe, prepared, model, run, summary, [writer, *callbacks], control, parallel, options)
    except StudioError:
        shutil.rmtree(run.path, ignore_errors=True)
        if new_root:
            with contextlib.suppress(OSError):
                Path(runs_root).rmdir()  # only if still empty: another run may have appeared meanwhile
        raise
    with Heartbeat(run / RunDir.OWNER, user=user):
        _write_prepared(run, prepared)
        run.write_summary(summary)
        if on_run_dir is not None:
            on_run_dir(run.path)
        try:
            return _fit(prepared, model, run, summary, started, trainer, writer)
        finally:
            if health.latest is not None:  # written with the final summary (also of a failed run)
                summary.extra["health"] = health_dict(health.latest)
                run.write_summary(summary)
            if histograms.latest is not None:  # a failed run's too: they may show why it failed
                run.write_histograms(histograms_dict(histograms.latest))


def training_data(prepared: Prepared) -> TensorData:
    """What the Trainer learns from: the prepared inputs, regression targets scaled."""
    scaled = prepared.target_scaler.transform if prepared.target_scaler else (lambda y: y)
    return TensorData(prepared.x_train, scaled(prepared.y_train), prepared.x_val, scaled(prepared.y_val))


@dataclass
class TrainerOptions:
    """What a run may add to plain training: a checkpoint to go on from, optimizer groups (fine-tuning),
    a teacher's soft targets (distillation), a hook after every optimizer step (pruning), probes."""

    resume: dict[str, Any] | None = None
    groups: list[dict[str, Any]] | None = None
    soft: Any = None
    after_step: Callable[[], None] | None = None
    probes: Sequence[Any] = ()  # objects that look at the model after epochs (boundary, health, histograms)
    teacher: torch.nn.Module | None = None  # the teacher's network, asked about augmented batches

    def kwargs(self) -> dict[str, Any]:
        return {"resume": self.resume, "param_groups": self.groups, "soft_targets": self.soft,
                "after_step": self.after_step, "probes": self.probes, "teacher": self.teacher}


def _trainer(recipe: Recipe, prepared: Prepared, model: torch.nn.Module, run: RunDir, summary: RunSummary,
             callbacks: list[Callback], control: Control | None, parallel: ParallelContext | None,
             options: TrainerOptions | None = None) -> Trainer:
    data = training_data(prepared)
    extra = (options or TrainerOptions()).kwargs()
    if parallel is not None:
        from studio.parallel.trainer import DistributedTrainer

        return DistributedTrainer(model, data, recipe, prepared.table.task, prepared.table.n_classes, parallel,
                                  callbacks=callbacks, control=control, checkpointer=RunCheckpointer(run, summary),
                                  **extra)
    return Trainer(
        model, data, recipe, prepared.table.task, prepared.table.n_classes, callbacks=callbacks, control=control,
        checkpointer=RunCheckpointer(run, summary), **extra,
    )


def _fit(prepared: Prepared, model: torch.nn.Module, run: RunDir, summary: RunSummary, started: float,
         trainer: Trainer, writer: _RunWriter) -> RunResult:
    try:
        fit = trainer.fit()
    except StudioError as err:  # e.g. a loss that became NaN: keep the record and the last good weights
        run.write_weights(model.cpu().state_dict())
        summary.status, summary.message = RunStatus.FAILED, str(err)
        summary.epochs_run, summary.device = len(writer.rows), trainer.device_name
        summary.seconds = round(time.time() - started, 3)
        run.write_summary(summary)
        raise
    model = model.cpu().eval()
    run.write_weights(model.state_dict())
    summary.status, summary.message = fit.status, fit.message
    summary.metrics = evaluate(model, prepared)
    summary.epochs_run, summary.best_epoch, summary.device = fit.epochs_run, fit.best_epoch, fit.device
    summary.train_seconds, summary.seconds = fit.seconds, round(time.time() - started, 3)
    run.write_summary(summary)
    return RunResult(run.path, fit.status, summary, fit)


PREDICT_BATCH = 1024


def predict(model: torch.nn.Module, prepared: Prepared, x: dict[str, np.ndarray]) -> np.ndarray:
    """Probabilities (classification) or values in the target's units (regression), on the CPU.

    ``x``: each input's rows, as in ``prepared.x_test``.
    """
    model = model.cpu().eval()
    arrays = list(x.values())
    n = len(arrays[0])
    with torch.inference_mode():
        parts = [model(*(torch.from_numpy(np.ascontiguousarray(a[i:i + PREDICT_BATCH])) for a in arrays))
                 for i in range(0, max(n, 1), PREDICT_BATCH)]
    out = torch.cat(parts)
    if prepared.table.task == "classification":
        return torch.softmax(out.double(), dim=-1).numpy()  # float64: probabilities sum to 1 for sklearn
    values = out.float().numpy()
    values = values[:, 0] if values.shape[1] == 1 else values  # (n,), or (n, h) for a forecast of h steps
    return prepared.target_scaler.inverse(values) if prepared.target_scaler else values


def evaluate(model: torch.nn.Module, prepared: Prepared) -> dict[str, dict[str, Any]]:
    """Metrics of every non-empty split."""
    result: dict[str, dict[str, Any]] = {}
    for name, x, y in (
        ("train", prepared.x_train, prepared.y_train),
        ("val", prepared.x_val, prepared.y_val),
        ("test", prepared.x_test, prepared.y_test),
    ):
        if len(y) == 0:
            result[name] = {}
            continue
        out = predict(model, prepared, x)
        if prepared.table.task == "classification":
            result[name] = classification_metrics(y, out, prepared.table.class_labels or [])
        else:
            result[name] = regression_metrics(y, out)
    return result


def _write_prepared(run: RunDir, p: Prepared) -> None:
    t = p.table
    pre = p.preprocessor
    run.write_prepared({
        "preprocessor": pre.to_dict() if pre is not None else None,
        "inputs": [i.to_dict() for i in p.inputs],
        "target_scaler": p.target_scaler.to_dict() if p.target_scaler else None,
        "table": {
            "name": t.name, "target": t.target, "features": t.features, "column_types": t.column_types,
            "task": t.task, "class_labels": t.class_labels, "dropped": t.dropped, "derived": t.derived,
            **({"series": t.series.to_dict()} if t.series is not None else {}),
        },
        "in_shape": list(p.in_shape),
        "n_outputs": p.n_outputs,
        "reports": [r.summary for r in p.reports],
        "typical_row": typical_row(pre, p.train_frame) if pre is not None else None,  # attributions' baseline
    }, _test_rows(p), {i.column: p.x_test[i.name] for i in p.inputs if i.kind == "image"})


def _test_rows(p: Prepared) -> Any:
    """test.csv: the test split's raw rows; for a series, the raw steps its windows read and forecast."""
    t = p.table
    if t.series is None:
        return p.splits.test[[*t.features, t.target]]
    from studio.data.series_rows import test_steps

    return test_steps(t.frame, t.series, p.splits.test.index)


def _summary(recipe: Recipe, p: Prepared, status: RunStatus, started: float) -> RunSummary:
    return RunSummary(
        status=status, name=recipe.name, task=p.table.task, primary_metric=p.primary_metric,
        seconds=round(time.time() - started, 3),
        created=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
        rows={"train": len(p.y_train), "val": len(p.y_val), "test": len(p.y_test)},
        versions={"studio": studio.__version__, "torch": torch.__version__, "python": platform.python_version()},
        extra=_diagnosis_facts(recipe, p),
    )


def _diagnosis_facts(recipe: Recipe, p: Prepared) -> dict[str, Any]:
    """What diagnoses need beside metrics.csv (summary.json "baseline_loss", "class_counts"): the loss of a
    model that learned nothing, and the training rows per class (label -> count) of a classifier."""
    task = p.table.task
    facts: dict[str, Any] = {"baseline_loss": baseline_loss(p.y_train, task, recipe.training.loss)}
    if task == "classification":
        labels = p.table.class_labels or [str(i) for i in range(p.n_outputs)]
        counts = class_counts(p.y_train, len(labels))
        facts["class_counts"] = dict(zip(labels, counts, strict=True))
    return facts
