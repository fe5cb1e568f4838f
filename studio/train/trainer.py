"""The Trainer: a fast loop over tensors already on the device, which reports through events.

Per epoch: one ``torch.randperm`` and ``index_select`` batches (no DataLoader: it is 20-40% slower
for in-memory tensors), running loss / metric sums kept on the device, one ``.item()`` sync at the
end of the epoch plus one per throttled BatchEnd (at most ~5 per second). The Trainer knows nothing
of threads: a :class:`Control` (the Job's) is asked once per batch whether to go on.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

from studio.errors import StudioError, TrainingError
from studio.recipe import Recipe
from studio.status import RunStatus
from studio.train import device as dev
from studio.train.augment import make_augments
from studio.train.best import BestWeights
from studio.train.callbacks import Callback, EarlyStopping, History, Monitor, NanGuard
from studio.train.evaluate import EVAL_BATCH, METRIC_NAMES, evaluate
from studio.train.events import BatchEnd, EpochEnd, Event, Finished, Started
from studio.train.losses import balanced_class_weights, make_loss
from studio.train.optimizers import build_optimizer
from studio.train.regularization import clip_gradients, make_penalty
from studio.train.schedules import build_schedule
from studio.train.state import restore_training_state, training_state
from studio.train.tensors import TensorData

_BATCHNORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)


class Control(Protocol):
    """What the Trainer asks once per batch: blocks while paused, False once a stop was asked."""

    def checkpoint(self) -> bool: ...


class Checkpointer(Protocol):
    """Where the training state goes between epochs (:class:`studio.runs.RunCheckpointer`)."""

    def due(self) -> bool: ...

    def save(self, epoch: int, state: dict[str, Any], best_weights: dict[str, torch.Tensor] | None) -> None: ...


@dataclass(frozen=True)
class FitResult:
    status: RunStatus  # completed, stopped or early_stopped (a failure raises instead)
    message: str
    epochs_run: int
    best_epoch: int | None
    history: list[EpochEnd]
    seconds: float
    device: str
    precision: str


class Trainer:
    """Trains ``model`` in place on ``data`` as ``recipe`` says; :meth:`fit` runs it.

    Args:
        task: "classification" or "regression".
        n_classes: number of classes (outputs of the model) for classification; ignored otherwise.
        callbacks: extra subscribers, after the built-in NaN guard, History and EarlyStopping.
        control: asked once per batch to pause or stop (a Job's JobControl).
        batch_event_interval: least seconds between two BatchEnd events (0: after every batch).
        checkpointer: given the training state after an epoch when it says one is due, and at the end.
        probes: objects with ``start(model, x, y, x_val, y_val, classes) -> bool`` and
            ``after_epoch(epoch, final=False) -> Event | None`` (studio.train.boundary.BoundaryProbe),
            optionally ``during_epoch(epoch) -> Event | None``, asked whenever a BatchEnd is emitted;
            a probe whose ``start`` says False (not its kind of data) is left out. Probes see models of one
            input (several, as a tuple of tensors, when their ``inputs`` attribute is "all"), of the tasks in
            their ``tasks`` attribute (default: classification only).
        resume: a checkpoint's state (:func:`studio.train.state.training_state`) of a run of the same
            recipe and data: training goes on from the epoch after it, exactly as if it had not stopped.
        soft_targets: a teacher's outputs on the training rows (knowledge distillation,
            :mod:`studio.train.distill`): the training loss mixes them with the labels as the recipe says.
        teacher: the teacher's network, when it reads the same tensors as this model (classification):
            with augmentation, the soft targets of a batch are its answers on the augmented batch.
        after_step: called with no argument after every optimizer step (a pruned run puts its zeros back).
        param_groups: optimizer groups of the trainable weights (a fine-tuned run's loaded weights at a
            lower rate, :func:`studio.train.finetune.param_groups`); None: one group of them all.

    The optimizer, schedule and loss are built here, so a bad setting fails before any training.
    At the end the model holds the weights of the best epoch (by the early-stopping monitor, or the
    validation loss); after a failure, the best epoch's or else the initial weights.
    """

    def __init__(self, model: nn.Module, data: TensorData, recipe: Recipe, task: str, n_classes: int,
                 callbacks: Sequence[Callback] = (),
                 control: Control | None = None, batch_event_interval: float = 0.2,
                 checkpointer: Checkpointer | None = None, resume: dict[str, Any] | None = None,
                 param_groups: list[dict[str, Any]] | None = None, soft_targets: Any = None,
                 after_step: Any = None, probes: Sequence[Any] = (), teacher: nn.Module | None = None) -> None:
        data.check(task, n_classes)
        self.n_classes = n_classes
        reg, training = recipe.regularization, recipe.training
        self.recipe, self.task, self.control = recipe, task, control
        self.device = self._resolve_device()
        self.precision = dev.resolve_precision(training.precision, self.device)
        self.model = model.to(self.device)
        self.net: nn.Module = self.model  # what training calls: the model, or its DistributedDataParallel wrapper
        self.xs, self.y, self.xs_val, self.y_val = data.to(self.device, task)  # one tensor per input
        _check_outputs(self.model, [x[:2] for x in self.xs], task, n_classes, int(np.prod(data.y_train.shape[1:])))
        self.n, self.bs = data.n_train, training.batch_size
        self.batches = self._batches_per_epoch(model)
        weights = None
        if task == "classification" and reg.class_weights == "balanced":
            weights = torch.as_tensor(balanced_class_weights(data.y_train, n_classes), device=self.device)
        self.loss_fn = make_loss(training.loss, task, label_smoothing=reg.label_smoothing,
                                 class_weights=weights)
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = build_optimizer(recipe.optimizer, param_groups or self.params)
        self.schedule = build_schedule(recipe.schedule, self.optimizer, training.epochs, self.batches)
        self.soft, self.soft_loss = None, None
        if soft_targets is not None:
            from studio.train.distill import soft_loss

            self.soft = torch.as_tensor(soft_targets, dtype=torch.float32, device=self.device)
            self.soft_loss = soft_loss(self.loss_fn, task, training.distill_temperature, training.distill_alpha)
        self.penalty = make_penalty(model, reg.l1, reg.l2)
        self.grad_clip = reg.grad_clip
        self.augments = make_augments(reg.augmentation, list(data.shapes.values()))
        self.teacher = None  # asked about each augmented batch (distillation with augmentation)
        if teacher is not None and self.soft is not None and any(a is not None for a in self.augments):
            self.teacher = teacher.to(self.device).eval().requires_grad_(False)
        self.scaler = dev.grad_scaler(self.device, self.precision) if self.precision == "fp16" else None
        # per output column, averaged: the R² of several outputs is scikit-learn's "variance_weighted"
        self.y_var = float(np.var(data.y_train, axis=0).mean()) if task == "regression" else 1.0
        self.n_out = int(np.prod(data.y_train.shape[1:]))  # values per regression sample (1, or h forecast steps)
        self.history = History()
        self.callbacks = self._builtin_callbacks() + list(callbacks)
        es = reg.early_stopping
        self.best = BestWeights(Monitor(es.monitor, es.min_delta) if es else Monitor())
        self.interval = batch_event_interval
        self.checkpointer = checkpointer
        self.probes = list(probes)  # e.g. BoundaryProbe: look at the model after epochs, emit what they see
        self.resume = resume
        self.after_step = after_step
        self._stepped = False  # the weights moved past the end of the last finished epoch
        self._epoch_rng: dict[str, Any] | None = None
        self._fitted = False
        self.device_name = dev.describe_device(self.device)

    # -- what a data-parallel subclass changes (studio.parallel.trainer); here one process does it all --

    def _resolve_device(self) -> torch.device:
        """The device to train on, with the CPU threads set for it."""
        training = self.recipe.training
        device = dev.resolve_device(training.device)
        dev.use_cpu_threads_for_training(device, training.threads)
        return device

    def _batches_per_epoch(self, model: nn.Module) -> int:
        return batches_per_epoch(self.n, self.bs, model)

    def _seed(self) -> None:
        """Seed the random numbers of a fit (the shuffles, dropout, augmentation)."""
        torch.manual_seed(self.recipe.training.seed)

    def _permutation(self) -> torch.Tensor:
        """This epoch's order of the training rows."""
        return torch.randperm(self.n, device=self.device)

    def _batch(self, perm: torch.Tensor, b: int) -> torch.Tensor:
        """The rows of batch ``b`` (0-based) that this process trains on."""
        return perm[b * self.bs:(b + 1) * self.bs]

    def _epoch_totals(self, loss_sum: torch.Tensor, score_sum: torch.Tensor, seen: int) -> tuple[float, float, int]:
        """The epoch's mean training loss, mean score (accuracy or squared error) and rows seen."""
        mean_loss, score = (torch.stack([loss_sum, score_sum]) / seen).tolist()  # one sync
        return mean_loss, score, seen

    def _validate(self) -> tuple[float, float]:
        """``(loss, metric)`` on the validation rows (there are some)."""
        return evaluate(self.model, self.xs_val, self.y_val, self.loss_fn, self.task, max(EVAL_BATCH, self.bs),
                        lambda: dev.autocast(self.device, self.precision))

    def _describe_unexpected(self, err: Exception) -> str:
        """The run's message for an error that is not a StudioError (a bug, or a lost process)."""
        return f"unexpected error: {type(err).__name__}: {err}"

    # -- callbacks -------------------------------------------------------------------------------

    def _builtin_callbacks(self) -> list[Callback]:
        """The NaN guard first (so a NaN never reaches other subscribers), History, then early stopping."""
        reg = self.recipe.regularization
        guard = NanGuard(self.optimizer.defaults["lr"], reg.grad_clip, l1=reg.l1, l2=reg.l2)
        built: list[Callback] = [guard, self.history]
        if reg.early_stopping is not None:
            es = reg.early_stopping
            built.append(EarlyStopping(es.patience, es.monitor, es.min_delta))
        return built

    # -- the run ---------------------------------------------------------------------------------

    def fit(self) -> FitResult:
        """Train for ``training.epochs`` epochs or until stopped; always emits Finished.

        Raises the error that failed the run (a StudioError such as the NaN guard's TrainingError,
        or a bug) after emitting Finished with status "failed".
        """
        if self._fitted:
            raise RuntimeError("Trainer.fit() runs once; build a new Trainer for another run")
        self._fitted = True
        self._seed()
        t0 = time.perf_counter()
        status, message, error, epochs_run = RunStatus.COMPLETED, "", None, 0
        self.best.start(self.model)
        first = 1
        try:
            self._emit(Started(self.recipe.training.epochs, self.batches, self.n, len(self.y_val),
                               self.device_name, self.precision))
            self._start_probes()
            if self.resume is not None:  # after Started, which resets early stopping
                epochs_run = restore_training_state(self, self.resume)
                first = epochs_run + 1
            for epoch in range(first, self.recipe.training.epochs + 1):
                event = self._train_epoch(epoch)
                if event is None:
                    status, message = RunStatus.STOPPED, f"stopped on request during epoch {epoch}"
                    break
                epochs_run, self._stepped = epoch, False  # the weights are this epoch's end again
                self._emit(event)
                self._probe(epoch)
                self.best.update(event, self.model)
                self.schedule.after_epoch(event.val_loss if event.val_loss is not None else event.train_loss)
                reason = next((cb.stop_reason for cb in self.callbacks if cb.stop_reason), None)
                if reason:
                    status, message = RunStatus.EARLY_STOPPED, reason
                    break
                if self.checkpointer is not None and self.checkpointer.due():
                    self._save_checkpoint(epoch)
        except KeyboardInterrupt:
            status, message = RunStatus.STOPPED, "interrupted"
        except StudioError as err:
            status, message, error = RunStatus.FAILED, str(err), err
        except Exception as err:
            status, message, error = RunStatus.FAILED, self._describe_unexpected(err), err
        if status != RunStatus.FAILED and epochs_run and self.checkpointer is not None:
            try:
                # the last state, before the best weights are restored. Stopped as an epoch began: that epoch's
                # RNG (exact resume); stopped inside one: the weights are past the epoch's end ("partial")
                self._save_checkpoint(epochs_run, self._epoch_rng if status == RunStatus.STOPPED and not self._stepped
                                      else None, partial=self._stepped)
            except Exception:  # the run's result is still written after this; a lost checkpoint is not fatal
                logging.getLogger(__name__).exception("the final checkpoint could not be written")
        self.best.restore(self.model, failed=status == RunStatus.FAILED)
        if status != RunStatus.FAILED and epochs_run:
            self._probe(epochs_run, final=True)
        if status == RunStatus.COMPLETED:
            message = f"trained {epochs_run} epochs"
        if status != RunStatus.FAILED and self.best.epoch is not None:
            message += f"; the model keeps the weights of epoch {self.best.epoch} (best {self.best.label})"
        seconds = time.perf_counter() - t0
        self._emit_finished(Finished(status, message, epochs_run, self.best.epoch, seconds))
        if error is not None:
            raise error
        return FitResult(status, message, epochs_run, self.best.epoch, list(self.history.epochs), seconds,
                         self.device_name, self.precision)

    def _start_probes(self) -> None:
        """Probes look at models of one input, unless their ``inputs`` attribute is "all" (they then get the
        tuple of every input's training tensor when there are several); a probe's ``tasks`` (default:
        classification) says which tasks."""
        one_input = len(self.xs) == 1
        x_val = self.xs_val[0] if one_input and len(self.y_val) and self.task == "classification" else None

        def takes(p: Any) -> bool:
            return (one_input or getattr(p, "inputs", "one") == "all") and \
                self.task in getattr(p, "tasks", ("classification",))

        x = self.xs[0] if one_input else tuple(self.xs)
        self.probes = [p for p in self.probes if takes(p)
                       and p.start(self.model, x, self.y, x_val if one_input else None,
                                   self.y_val if x_val is not None else None, self.n_classes)]

    def _probe(self, epoch: int, final: bool = False) -> None:
        for probe in self.probes:
            event = probe.after_epoch(epoch, final)
            if event is not None:
                self._emit(event)

    def _probe_during(self, epoch: int) -> None:
        """Probes that can look part-way through an epoch (``during_epoch``), e.g. the live boundary."""
        for probe in self.probes:
            look = getattr(probe, "during_epoch", None)
            event = look(epoch) if look is not None else None
            if event is not None:
                self._emit(event)

    def _save_checkpoint(self, epoch: int, rng: dict[str, Any] | None = None, partial: bool = False) -> None:
        assert self.checkpointer is not None
        state = training_state(self, epoch, rng)
        if partial:
            state["partial"] = True
        self.checkpointer.save(epoch, state, self.best.take_unsaved())

    def _soft(self, soft: torch.Tensor, idx: torch.Tensor, xb: list[torch.Tensor]) -> torch.Tensor:
        """A batch's soft targets: the teacher's answers on the batch as augmented, else the stored ones."""
        if self.teacher is None:
            return soft.index_select(0, idx)
        with torch.no_grad():
            return torch.softmax(self.teacher(*xb).float() / self.recipe.training.distill_temperature, dim=1)

    def _rng_state(self) -> dict[str, Any]:
        return {"torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state_all() if self.device.type == "cuda" else []}

    def _train_epoch(self, epoch: int) -> EpochEnd | None:
        """One pass over the training rows; None when the control asked to stop."""
        model, opt, loss_fn, augments, penalty = self.net, self.optimizer, self.loss_fn, self.augments, self.penalty
        xs, y, control, per_batch = self.xs, self.y, self.control, self.schedule.per_batch
        soft = self.soft
        classify, ctx = self.task == "classification", dev.autocast(self.device, self.precision)
        model.train()
        lr = float(opt.param_groups[0]["lr"])
        t_start = last_emit = time.perf_counter()
        paused = 0.0
        self._epoch_rng = self._rng_state()  # a stop before the first step saves the state from here
        perm = self._permutation()
        loss_sum = torch.zeros((), device=self.device)
        score_sum = torch.zeros((), device=self.device)  # correct predictions or squared errors
        seen, emitted_sum, emitted_seen = 0, 0.0, 0  # what the previous BatchEnd had summed
        batch_losses = torch.empty(self.batches, device=self.device)  # read once, at the end of the epoch
        for b in range(self.batches):
            if control is not None:
                t = time.perf_counter()
                if not control.checkpoint():
                    return None
                paused += time.perf_counter() - t
            idx = self._batch(perm, b)
            xb = [x.index_select(0, idx) for x in xs]  # per input: (B, F) or (B, C, H, W)
            yb = y.index_select(0, idx)  # (B,)
            xb = [aug(x) if aug is not None else x for aug, x in zip(augments, xb, strict=True)]
            with ctx:
                out = model(*xb)  # (B, n_outputs)
                loss = loss_fn(out, yb) if soft is None else self.soft_loss(out, yb, self._soft(soft, idx, xb))
                total = loss + penalty() if penalty is not None else loss
            opt.zero_grad(set_to_none=True)
            self._step(total)
            if self.after_step is not None:
                self.after_step()
            self._stepped = True
            if per_batch:
                self.schedule.after_batch()
            k = idx.shape[0]
            seen += k
            loss_sum.add_(loss.detach(), alpha=k)
            batch_losses[b] = loss.detach()
            out = out.detach()
            score_sum.add_((out.argmax(1) == yb).sum() if classify else (out.reshape(yb.shape) - yb).pow(2).sum())
            now = time.perf_counter()
            if now - last_emit >= self.interval:
                last_emit = now
                summed = loss_sum.item()  # the one sync of a batch event
                recent = (summed - emitted_sum) / (seen - emitted_seen)
                emitted_sum, emitted_seen = summed, seen
                self._emit(BatchEnd(epoch, b + 1, self.batches, summed / seen,
                                    seen / max(now - t_start - paused, 1e-9), recent,
                                    (epoch - 1) * self.batches + b + 1))
                self._probe_during(epoch)
        train_seconds = time.perf_counter() - t_start - paused
        mean_loss, score, seen = self._epoch_totals(loss_sum, score_sum, seen)
        per_batch = tuple(batch_losses.tolist())  # this process's batches, in order
        train_metric = score if classify else (1.0 - score / (self.y_var * self.n_out) if self.y_var > 0 else math.nan)
        val_loss = val_metric = None
        if len(self.y_val):
            val_loss, val_metric = self._validate()
        return EpochEnd(epoch, mean_loss, val_loss, _finite_or_none(train_metric), _finite_or_none(val_metric),
                        METRIC_NAMES[self.task], lr, time.perf_counter() - t_start - paused,
                        seen / max(train_seconds, 1e-9), per_batch)

    def _step(self, total: torch.Tensor) -> None:
        """Backward pass, optional clipping and the optimizer step (through the GradScaler for fp16)."""
        clip = self.grad_clip
        if self.scaler is None:
            total.backward()
            clip_gradients(self.params, clip)
            self.optimizer.step()
            return
        self.scaler.scale(total).backward()
        if clip is not None:
            self.scaler.unscale_(self.optimizer)
            clip_gradients(self.params, clip)
        self.scaler.step(self.optimizer)
        self.scaler.update()

    # -- events ----------------------------------------------------------------------------------

    def _emit(self, event: Event) -> None:
        for cb in self.callbacks:
            cb.on_event(event)

    def _emit_finished(self, event: Finished) -> None:
        """Finished reaches every callback even if one of them fails on it."""
        for cb in self.callbacks:
            try:
                cb.on_event(event)
            except Exception:  # a failing subscriber must not hide how the run ended
                logging.getLogger(__name__).exception("callback %r failed on Finished", cb)


def batches_per_epoch(n: int, batch_size: int, model: nn.Module) -> int:
    """Batches per epoch; a final batch of one sample is skipped when the model has BatchNorm."""
    batches = math.ceil(n / batch_size)
    batchnorm = has_batchnorm(model)
    if batch_size == 1 and batchnorm:
        raise TrainingError("training.batch_size is 1, but a batchnorm block needs at least 2 rows per batch; "
                            "use a batch size of 2 or more, or layernorm instead of batchnorm")
    if n % batch_size == 1 and batchnorm:
        batches -= 1  # BatchNorm cannot normalize a batch of one sample in training mode
    if batches == 0:
        raise TrainingError(f"batch normalization needs at least 2 training rows, got {n}")
    return batches


def has_batchnorm(model: nn.Module) -> bool:
    """Whether a batch-normalization layer needs 2 or more rows per training batch."""
    return any(isinstance(m, _BATCHNORMS) for m in model.modules())


def _check_outputs(model: nn.Module, xs: list[torch.Tensor], task: str, n_classes: int, n_values: int = 1) -> None:
    """One tiny forward pass: the model must give one output per class (classification) or one per value
    of a sample's target (regression: 1, or the h steps of a forecast)."""
    want = n_classes if task == "classification" else n_values
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        shape = tuple(model(*xs).shape)
    model.train(was_training)
    if shape[1:] != (want,):
        raise TrainingError(
            f"the model gives outputs of shape {shape[1:]} per row but this {task} task needs ({want},); "
            "build it with n_outputs = the number of classes (classification) or 1 (regression)"
        )


def _finite_or_none(value: float | None) -> float | None:
    """Metrics go to JSON: a NaN/inf R² (constant target) becomes None."""
    return value if value is not None and math.isfinite(value) else None
