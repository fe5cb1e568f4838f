"""The corpus's one shared run (trained and exported once per session) and a fresh working folder per case."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.corpus.workspace import Workspace, mixed_frame, recipe_dict


@pytest.fixture(scope="session")
def shared_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny exported run of a CSV with a number, a number with gaps, a category and a date."""
    from studio.data.access import DataAccess
    from studio.export import export_run
    from studio.pipeline import train_recipe
    from studio.recipe import Recipe

    root = tmp_path_factory.mktemp("corpus-run")
    mixed_frame().to_csv(root / "data.csv", index=False)
    recipe = Recipe.from_dict(recipe_dict(f"csv:{root / 'data.csv'}", "label", name="shared"))
    run_dir = train_recipe(recipe, runs_root=root / "runs", access=DataAccess.cli()).run_dir
    export_run(run_dir)
    mixed_frame(20, seed=1).drop(columns=["label"]).to_csv(root / "rows.csv", index=False)
    return run_dir


@pytest.fixture
def ws(shared_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """The case's working folder as the current directory; `studio app` never starts a server here."""
    cwd = tmp_path / "work"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(subprocess, "call", lambda *a, **k: 0)
    return Workspace(cwd, shared_run, shared_run.parent.parent / "rows.csv")
