"""Reading a sweep folder while its sweep starts: study.db exists before the study is written in it."""

from __future__ import annotations

import pytest

from studio.errors import RunError
from studio.recipe import Recipe
from studio.sweeps import SweepFolder, SweepSettings, parse_space, read_sweep, sweep_study
from studio.sweeps.run import check_settings
from studio.sweeps.study import storage
from tests.sweeps.conftest import SPACE, tiny_recipe


def test_a_study_file_without_its_study_yet_is_still_starting_not_a_crash(tmp_path) -> None:
    out = tmp_path / "sweep"
    spec = check_settings(SweepSettings(Recipe.from_dict(tiny_recipe()), parse_space(SPACE), trials=2, out=out))
    folder = SweepFolder(out)
    folder.prepare(spec)
    storage(folder.storage_url)  # the tables, as Optuna makes them, with no study in them yet
    assert (out / folder.STUDY).is_file()
    for read in (read_sweep, sweep_study):
        with pytest.raises(RunError, match="is still starting"):
            read(out)
