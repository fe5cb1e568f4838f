"""The Trainer of one process of a data-parallel run (torchrun + DistributedDataParallel).

What changes against one process (:class:`studio.train.trainer.Trainer`), and why:

* **The batch.** ``training.batch_size`` stays the global batch. Every process draws the same order
  of rows (a generator seeded with ``training.seed``, apart from the one dropout and augmentation
  use) and trains on its contiguous share of each batch (sizes differ by at most one row). Its
  loss is weighted by ``share × processes / batch``, so DDP's average of the gradients is exactly
  the gradient of the whole batch's mean loss, uneven shares included.
* **Too small a batch.** Each process needs one row per batch (two with batchnorm): a smaller
  batch size is a TrainingError, and a last batch too small to share is skipped.
* **Random numbers.** Dropout and augmentation are seeded with ``seed + rank``: the processes draw
  different masks for different rows; rank 0 draws what one process would.
* **Figures.** The epoch's training loss and metric, and the validation loss and metric (each
  process evaluates its share of the validation rows), are sums all-reduced across the processes:
  every process sees the same EpochEnd. With balanced class weights the validation loss is the
  row-weighted mean of the shares' weighted means (close to, not exactly, the one-process figure).
* **Decisions.** A stop is voted every few batches (:mod:`studio.parallel.vote`); the NaN guard and early
  stopping act on EpochEnd only, and whether any process failed or stopped is agreed before
  anyone acts, so no process waits for one that left.
* **A lost process.** A collective that fails (a peer died, or did not answer within the process
  group's timeout) fails the run with a :class:`LostProcess` sentence.
* **Batchnorm** normalizes over each process's share (DDP's default; rank 0's running statistics
  are broadcast at every step, and before each validation, so every share is judged by the model
  rank 0 saves).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from studio.errors import StudioError, TrainingError
from studio.parallel.context import ParallelContext
from studio.parallel.vote import AgreedControl, agree
from studio.recipe import Recipe
from studio.train import device as dev
from studio.train.callbacks import Callback, NanGuard
from studio.train.evaluate import EVAL_BATCH, model_outputs
from studio.train.events import EpochEnd, Event
from studio.train.tensors import TensorData
from studio.train.threads import choose_threads, usable_cores
from studio.train.trainer import Checkpointer, Control, FitResult, Trainer, has_batchnorm


class LostProcess(TrainingError):
    """Another process of the run died or stopped answering."""


class DistributedTrainer(Trainer):
    """One process's Trainer; ``checkpointer`` only in rank 0 (the others write nothing)."""

    def __init__(self, model: nn.Module, data: TensorData, recipe: Recipe, task: str, n_classes: int,
                 ctx: ParallelContext, callbacks: Sequence[Callback] = (), control: Control | None = None,
                 batch_event_interval: float = 0.2, checkpointer: Checkpointer | None = None, **options: Any) -> None:
        self.ctx = ctx
        self.vote = AgreedControl(control, ctx.control_group)
        self._scale = 1.0
        self._order: torch.Generator | None = None
        super().__init__(model, data, recipe, task, n_classes, callbacks, self.vote, batch_event_interval,
                         checkpointer, **options)
        ids = [ctx.device.index] if ctx.device.type == "cuda" else None
        self.net = DistributedDataParallel(self.model, device_ids=ids)  # broadcasts rank 0's weights
        n_val = len(self.y_val)
        self._val_rows = _share(0, n_val, ctx.rank, ctx.world_size)
        self.device_name = f"{self.device_name} × {ctx.world_size} processes ({ctx.backend})"

    # -- the hooks of Trainer --------------------------------------------------------------------

    def _resolve_device(self) -> torch.device:
        device = self.ctx.device
        threads = self.recipe.training.threads
        if device.type == "cpu":  # the policy's threads (fewer when cores are busy), within this process's share
            share = max(1, usable_cores() // self.ctx.local_world_size)
            torch.set_num_threads(threads or min(choose_threads(None).threads, share))
        return device

    def _batches_per_epoch(self, model: nn.Module) -> int:
        world, need = self.ctx.world_size, 2 if has_batchnorm(model) else 1
        if self.bs < need * world:
            raise TrainingError(
                f"training.batch_size {self.bs} is the batch of all {world} processes together, and each needs at "
                f"least {need} row{'s' if need > 1 else ''} of it{' (batchnorm)' if need > 1 else ''}; use a batch "
                f"size of {need * world} or more, or fewer processes")
        batches, last = divmod(self.n, self.bs)
        if last >= need * world:
            batches += 1  # a last batch too small to share is skipped
        if batches == 0:
            raise TrainingError(f"{self.n} training rows are too few to share among {world} processes")
        return batches

    def _seed(self) -> None:
        seed = self.recipe.training.seed
        torch.manual_seed(seed + self.ctx.rank)
        self._order = torch.Generator(device=self.device).manual_seed(seed)

    def _permutation(self) -> torch.Tensor:
        return torch.randperm(self.n, device=self.device, generator=self._order)

    def _batch(self, perm: torch.Tensor, b: int) -> torch.Tensor:
        start = b * self.bs
        k = min(self.bs, self.n - start)
        lo, hi = _share(start, k, self.ctx.rank, self.ctx.world_size)
        self._scale = (hi - lo) * self.ctx.world_size / k
        return perm[lo:hi]

    def _step(self, total: torch.Tensor) -> None:
        super()._step(total * self._scale if self._scale != 1.0 else total)

    def _epoch_totals(self, loss_sum: torch.Tensor, score_sum: torch.Tensor, seen: int) -> tuple[float, float, int]:
        sums = torch.stack([loss_sum.double(), score_sum.double(),
                            torch.tensor(float(seen), dtype=torch.float64, device=self.device)])
        dist.all_reduce(sums)
        loss, score, rows = sums.tolist()
        return loss / rows, score / rows, int(rows)

    def _validate(self) -> tuple[float, float]:
        for buffer in self.model.buffers():  # batchnorm statistics: every share is judged with rank 0's model
            dist.broadcast(buffer, 0)
        lo, hi = self._val_rows
        classify = self.task == "classification"
        sums = torch.zeros(5, dtype=torch.float64, device=self.device)  # loss·n, score, Σy, Σy², n
        if hi > lo:
            xs, y = [x[lo:hi] for x in self.xs_val], self.y_val[lo:hi]
            out = model_outputs(self.model, xs, max(EVAL_BATCH, self.bs),
                                lambda: dev.autocast(self.device, self.precision))
            with torch.inference_mode():
                n = float(hi - lo)
                sums[0] = self.loss_fn(out, y).double() * n
                if classify:
                    sums[1] = (out.argmax(1) == y).sum()
                else:
                    yd = y.double()
                    sums[1] = (out.reshape(-1).double() - yd).pow(2).sum()
                    sums[2], sums[3] = yd.sum(), yd.pow(2).sum()
                sums[4] = n
        dist.all_reduce(sums)
        loss_n, score, sy, syy, n = sums.tolist()
        if classify:
            return loss_n / n, score / n
        sst = syy - sy * sy / n
        return loss_n / n, 1.0 - score / sst if sst > 0 else math.nan

    def _builtin_callbacks(self) -> list[Callback]:
        built = super()._builtin_callbacks()
        for cb in built:
            if isinstance(cb, NanGuard):
                cb.batches = False  # each process sees its own batches: only the shared epoch figures decide
        return built

    def _emit(self, event: Event) -> None:
        if not isinstance(event, EpochEnd):
            super()._emit(event)
            return
        error: Exception | None = None
        try:
            super()._emit(event)
        except Exception as err:  # held until every process knows whether any of them failed
            error = err
        stop = any(cb.stop_reason for cb in self.callbacks)
        any_failed, any_stop = agree([error is not None, stop], self.ctx.control_group)
        if error is not None:
            raise error
        if any_failed:
            raise TrainingError(f"another process failed the run at epoch {event.epoch}; its own message is in the "
                                "output of torchrun (or `studio train --nproc`)")
        if any_stop and not stop:
            raise TrainingError(f"the processes disagreed on stopping early at epoch {event.epoch}")

    def _describe_unexpected(self, err: Exception) -> str:
        if _lost(err):
            return _lost_message(self.ctx, err)
        return super()._describe_unexpected(err)

    def fit(self) -> FitResult:
        """As :meth:`Trainer.fit`; a lost process raises :class:`LostProcess` (a TrainingError)."""
        try:
            return super().fit()
        except StudioError:
            raise
        except Exception as err:
            if _lost(err):
                raise LostProcess(_lost_message(self.ctx, err)) from err
            raise
        finally:
            self.vote.close()


def _share(start: int, k: int, rank: int, world: int) -> tuple[int, int]:
    """Rows ``[lo, hi)`` of process ``rank`` among ``k`` rows from ``start``: contiguous, sizes differing by
    at most one (the first processes take the extra rows), as ``torch.tensor_split`` splits."""
    base, extra = divmod(k, world)
    lo = start + rank * base + min(rank, extra)
    return lo, lo + base + (1 if rank < extra else 0)


def _lost(err: BaseException) -> bool:
    """Whether ``err`` is a collective that failed: a peer closed its connection or did not answer in time."""
    if isinstance(err, dist.DistError):
        return True
    text = str(err).lower()
    return isinstance(err, RuntimeError) and any(
        w in text for w in ("gloo", "nccl", "connection closed", "connection reset", "timed out", "broken pipe"))


LOST = "another process of the run stopped answering"  # how a lost process's message begins


def _lost_message(ctx: ParallelContext, err: BaseException) -> str:
    return (f"{LOST} (it died, or did not answer within {ctx.timeout:g} s), so {ctx.describe()} could not go on; "
            "torchrun's output says which process and why")
