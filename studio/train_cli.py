"""`studio train`: a recipe file in, a progress bar and final metrics out, the run directory last."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.data.access import DataAccess
from studio.errors import StudioError, TrainingError
from studio.recipe import Recipe
from studio.runs import RunSummary
from studio.status import RunStatus
from studio.stop_signals import StopOnSignal

if TYPE_CHECKING:
    from studio.parallel.context import ParallelContext


RUN_USER_ENV = "STUDIO_RUN_USER"


def train_from_cli(recipe: Recipe, recipe_path: Path, out: Path, quiet: bool = False, resume: Any = None,
                   made: list[Path] | None = None, parallel: ParallelContext | None = None) -> int:
    """Train ``recipe``; a relative ``csv:`` path is looked up in the working folder, then beside the recipe.

    Ctrl-C or SIGTERM stops the run after its current batch and saves it as ``stopped`` (see
    :mod:`studio.stop_signals`); the exit status is then 130 or 143, with one line on stderr.
    ``resume`` (a :class:`studio.runs.resume.ResumePlan`) continues that run as a new one; ``made``
    receives the run directory. ``parallel``: this process is one of a data-parallel run under
    torchrun; rank 0 prints and writes the run, the others train their share silently
    (:func:`follow_from_cli`).
    """
    from studio.pipeline import prepare, train_recipe
    from studio.train.callbacks import ProgressBar

    if parallel is not None and not parallel.is_main:
        return follow_from_cli(recipe, recipe_path, out, parallel)
    callbacks = [] if quiet else [ProgressBar()]
    with StopOnSignal() as stop:
        try:
            access = DataAccess.cli(recipe_path)
            prepared = prepare(recipe, access, progress=None if quiet else DecodeBar())
            if not quiet:
                print("\n".join(describe_prepared(prepared)), flush=True)
                if resume is not None:
                    print(f"continuing run {resume.parent.id} from epoch {resume.epoch} up to epoch "
                          f"{recipe.training.epochs}", flush=True)
                    for note in resume.notes:
                        print(f"note: {note}", flush=True)
            # the app's data-parallel runs (components/parallel_job.py) belong to the browser that started them
            user = os.environ.get(RUN_USER_ENV) or None
            result = train_recipe(recipe, runs_root=out, callbacks=callbacks, access=access, user=user,
                                  control=stop, on_run_dir=_run_dir_hook(stop, parallel), prepared=prepared,
                                  resume=resume, parallel=parallel)
        except KeyboardInterrupt:
            if stop.received is None:
                raise
            if stop.run_dir is None:
                print(f"stopped by {stop.name} before training began; nothing was saved", file=sys.stderr)
            else:
                print(f"stopped by {stop.name} while the run was being saved; {stop.run_dir} keeps its last "
                      "checkpoint", file=sys.stderr)
            return stop.exit_status
    if made is not None:
        made.append(result.run_dir)
    print(format_summary(result.summary))
    if result.status != RunStatus.FAILED and not quiet:
        _print_baselines(prepared, result)
    if result.status == RunStatus.FAILED:
        raise TrainingError(f"{result.summary.message} (run kept in {result.run_dir})")
    print(result.run_dir)
    if stop.received:
        print(f"stopped by {stop.name}: the run is saved as {result.status} in {result.run_dir}", file=sys.stderr)
        return stop.exit_status
    return 0


def _run_dir_hook(stop: StopOnSignal, parallel: ParallelContext | None) -> Callable[[Path], None]:
    if parallel is None:
        return stop.saving

    def saving(path: Path) -> None:
        from studio.parallel.context import record_run_dir

        stop.saving(path)
        record_run_dir(path)  # for `studio train --nproc`, which reports a dead process against this run

    return saving


def follow_from_cli(recipe: Recipe, recipe_path: Path, out: Path, parallel: ParallelContext) -> int:
    """A process other than rank 0: train its share and print nothing but a lost process.

    Errors of the recipe, the data and the run's own failures are the same in every process, and
    rank 0 says them; this one only exits with their status (2).
    """
    from studio.parallel.context import RUN_DIR_FILE_ENV
    from studio.parallel.follow import follow_recipe
    from studio.parallel.trainer import LostProcess
    from studio.pipeline import prepare

    with StopOnSignal() as stop:
        try:
            prepared = prepare(recipe, DataAccess.cli(recipe_path))
            stop.saving(out)  # from now on a signal stops every process at the same batch (rank 0 saves)
            follow_recipe(recipe, prepared, parallel, control=stop)
        except LostProcess as err:
            if not os.environ.get(RUN_DIR_FILE_ENV):  # else `studio train --nproc` says which process died
                print(f"error ({parallel.describe()}): {err}", file=sys.stderr)
            return 2
        except StudioError:
            return 2
        except KeyboardInterrupt:
            return stop.exit_status if stop.received else 130
    return stop.exit_status if stop.received else 0


def _print_baselines(prepared: Any, result: Any) -> None:
    """Score simple models on the same split (saved in the run) and say how the network compares."""
    from studio.train.baselines import baseline_scores, describe, save_baselines

    scores = baseline_scores(prepared)
    save_baselines(Path(result.run_dir), scores)
    line = describe(scores, result.summary.primary_metric, result.summary.value)
    if line:
        print(line)


class DecodeBar:
    """``progress(done, total)`` of picture decoding as a tqdm bar on stderr (the app draws st.progress)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit="picture", desc="decoding pictures", leave=False)
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()
            self.bar = None


def describe_prepared(prepared: Any) -> list[str]:
    """What loading and preprocessing decided, in a few lines printed before training: the task and
    its classes or range, the features, the dropped columns and why, the notes, each step's work."""
    from studio.data.decided import describe_table

    lines = describe_table(prepared.table)
    lines += [f"note: {n}" for n in prepared.splits.notes]
    s = prepared.splits
    unit = "windows" if getattr(prepared.table, "series", None) is not None else "rows"  # a series trains on windows
    lines.append(f"split: {len(s.train)} train, {len(s.val)} validation, {len(s.test)} test {unit}")
    for r in prepared.reports:
        step = r.kind if r.index is None else f"step {r.index + 1} {r.kind}"  # an added one says so itself
        lines.append(f"preprocessing: {step}: {r.summary}")
    return lines


def format_summary(summary: RunSummary) -> str:
    """A few lines: status, epochs, device, and the headline metrics per split."""
    lines = [
        f"status: {summary.status}  epochs: {summary.epochs_run}  device: {summary.device}  "
        f"time: {summary.seconds or 0:.1f} s"
    ]
    if summary.message:
        lines.append(f"note: {summary.message}")
    init = summary.extra.get("init")
    if isinstance(init, dict):
        lines.append(f"init: from run {init.get('source')}: {init.get('loaded')} weight tensors loaded, "
                     f"{len(init.get('skipped') or {})} skipped" + ("; a new head" if init.get("new_head") else "")
                     + (f"; frozen: {', '.join(init.get('frozen') or [])}" if init.get("frozen") else ""))
    keys = (
        ["accuracy", "f1_macro", "roc_auc", "log_loss"]
        if summary.task == "classification"
        else ["r2", "rmse", "mae", "mse"]
    )
    for split in ("train", "val", "test"):
        m = summary.metrics.get(split) or {}
        if m:
            values = "  ".join(f"{k}={m[k]:.4f}" for k in keys if isinstance(m.get(k), int | float))
            lines.append(f"{split:<5} {values}")
    return "\n".join(lines)
