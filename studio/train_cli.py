"""`studio train`: a recipe file in, a progress bar and final metrics out, the run directory last."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.errors import TrainingError
from studio.recipe import Recipe


def resolve_csv_source(recipe: Recipe, recipe_path: Path) -> Recipe:
    """A relative ``csv:`` path is looked up in the working directory, then beside the recipe file."""
    source = recipe.data.source
    if not source.startswith("csv:"):
        return recipe
    path = Path(source.removeprefix("csv:"))
    if path.is_absolute() or path.exists():
        return recipe
    beside = recipe_path.resolve().parent / path
    if beside.exists():
        return recipe.updated(data={**recipe.data.model_dump(mode="json"), "source": f"csv:{beside}"})
    return recipe


def train_from_cli(recipe: Recipe, recipe_path: Path, out: Path, quiet: bool = False) -> int:
    from studio.pipeline import train_recipe
    from studio.train.callbacks import ProgressBar

    recipe = resolve_csv_source(recipe, recipe_path)
    callbacks = [] if quiet else [ProgressBar()]
    result = train_recipe(recipe, runs_root=out, callbacks=callbacks)
    print(format_summary(result.summary))
    if result.status == "failed":
        raise TrainingError(f"{result.summary.get('message')} (run kept in {result.run_dir})")
    print(result.run_dir)
    return 0


def format_summary(summary: dict[str, Any]) -> str:
    """A few lines: status, epochs, device, and the headline metrics per split."""
    lines = [
        f"status: {summary['status']}  epochs: {summary.get('epochs_run')}  device: {summary.get('device')}  "
        f"time: {summary.get('seconds', 0):.1f} s"
    ]
    if summary.get("message"):
        lines.append(f"note: {summary['message']}")
    keys = (
        ["accuracy", "f1_macro", "roc_auc", "log_loss"]
        if summary["task"] == "classification"
        else ["r2", "rmse", "mae", "mse"]
    )
    for split in ("train", "val", "test"):
        m = summary["metrics"].get(split) or {}
        if m:
            values = "  ".join(f"{k}={m[k]:.4f}" for k in keys if isinstance(m.get(k), int | float))
            lines.append(f"{split:<5} {values}")
    return "\n".join(lines)
