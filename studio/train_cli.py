"""`studio train`: a recipe file in, a progress bar and final metrics out, the run directory last."""

from __future__ import annotations

from pathlib import Path

from studio.data.access import DataAccess
from studio.errors import TrainingError
from studio.recipe import Recipe
from studio.runs import RunSummary
from studio.status import RunStatus


def train_from_cli(recipe: Recipe, recipe_path: Path, out: Path, quiet: bool = False) -> int:
    """Train ``recipe``; a relative ``csv:`` path is looked up in the working folder, then beside the recipe."""
    from studio.pipeline import train_recipe
    from studio.train.callbacks import ProgressBar

    callbacks = [] if quiet else [ProgressBar()]
    result = train_recipe(recipe, runs_root=out, callbacks=callbacks, access=DataAccess.cli(recipe_path))
    print(format_summary(result.summary))
    if result.status == RunStatus.FAILED:
        raise TrainingError(f"{result.summary.message} (run kept in {result.run_dir})")
    print(result.run_dir)
    return 0


def format_summary(summary: RunSummary) -> str:
    """A few lines: status, epochs, device, and the headline metrics per split."""
    lines = [
        f"status: {summary.status}  epochs: {summary.epochs_run}  device: {summary.device}  "
        f"time: {summary.seconds or 0:.1f} s"
    ]
    if summary.message:
        lines.append(f"note: {summary.message}")
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
