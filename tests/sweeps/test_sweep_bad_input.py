"""`studio sweep` refuses bad input in one sentence (exit 2) before any trial runs or any file is written."""

from __future__ import annotations

import sys
import time

import pytest

from tests.sweeps.conftest import SPACE, run_cli, space_file


def _sweep(recipe_file, space, out, *extra: str) -> list[str]:
    return ["sweep", str(recipe_file), "--space", str(space), "--trials", "2", "--out", str(out), *extra]


def _one_sentence(code: int, err: str) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("space, words", [
    ({"optimizer.lrr": {"log_uniform": [1e-4, 1e-1]}}, "names no field of the recipe"),
    ({"model.0.units": {"choice": []}}, "non-empty list"),
    ({"optimizer.lr": {"log_uniform": [0, 1e-1]}}, "above 0"),
    ({"optimizer.lr": {"uniform": [0.1, 0.001]}}, "is above high"),
    ({"model.0.units": {"choice": [-4, 16]}}, "refuses -4"),
])
def test_a_bad_space_is_refused_before_any_trial(space, words, recipe_file, tmp_path, capsys) -> None:
    out = tmp_path / "sweep"
    code, _, err = run_cli(_sweep(recipe_file, space_file(tmp_path, space), out), capsys)
    assert words in _one_sentence(code, err)
    assert not out.exists()


@pytest.mark.parametrize("args, words", [
    (["--trials", "0"], "--trials must be at least 1"),
    (["--trials", "-3"], "--trials must be at least 1"),
    (["--parallel", "0"], "--parallel must be a whole number from 1"),
    (["--pruner", "hyperband"], "invalid choice: 'hyperband'"),
])
def test_bad_counts_and_pruners(args, words, recipe_file, tmp_path, capsys) -> None:
    out = tmp_path / "sweep"
    code, _, err = run_cli([*_sweep(recipe_file, space_file(tmp_path, SPACE), out), *args], capsys)
    assert words in _one_sentence(code, err)
    assert not out.exists()


def test_a_missing_or_broken_space_file(recipe_file, tmp_path, capsys) -> None:
    code, _, err = run_cli(_sweep(recipe_file, tmp_path / "nope.json", tmp_path / "s"), capsys)
    assert "space file 'nope.json' does not exist" in _one_sentence(code, err).replace(str(tmp_path) + "/", "")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    code, _, err = run_cli(_sweep(recipe_file, broken, tmp_path / "s"), capsys)
    assert "space file 'broken.json'" in _one_sentence(code, err)


def test_an_out_folder_of_another_sweep_or_with_other_files(recipe_file, tmp_path, capsys) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run_cli(_sweep(recipe_file, space_file(tmp_path, SPACE), out), capsys)
    assert "folder with other files" in _one_sentence(code, err)


def test_ray_not_installed_says_how_to_install_it(recipe_file, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    out = tmp_path / "sweep"
    code, _, err = run_cli([*_sweep(recipe_file, space_file(tmp_path, SPACE), out), "--ray", "local"], capsys)
    line = _one_sentence(code, err)
    assert "not installed" in line and 'pip install -e ".[ray]"' in line
    assert not out.exists()


@pytest.mark.parametrize("address, words", [
    ("127.0.0.1:1", "cannot reach a Ray cluster at '127.0.0.1:1' within 5 s"),
    ("ray://127.0.0.1:1", "cannot reach a Ray cluster"),
    ("nowhere", "is not an address"),
    ("", "--ray is empty"),
])
def test_an_unreachable_ray_address_is_a_sentence_not_a_hang(address, words, recipe_file, tmp_path, capsys) -> None:
    pytest.importorskip("ray.tune")
    out = tmp_path / "sweep"
    started = time.monotonic()
    code, _, err = run_cli([*_sweep(recipe_file, space_file(tmp_path, SPACE), out), "--ray", address], capsys)
    assert words in _one_sentence(code, err)
    assert time.monotonic() - started < 30
    assert not out.exists()
