"""Tables that must be read right (issue #8): numeric targets, huge numbers, repeated names, code IDs.

The exit-2 cases of the same kind are in the corpus (cases_csv.py: huge numbers, NUL bytes, a
constant regression target, code IDs as the only feature).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.data import load_table
from studio.errors import DataError
from studio.recipe import DataConfig

RNG = np.random.default_rng(0)


def _csv(tmp_path: Path, text: str) -> str:
    (tmp_path / "t.csv").write_text(text)
    return f"csv:{tmp_path / 't.csv'}"


def _semicolon_points(tmp_path: Path) -> str:
    """Semicolons and point decimals ("0.1111111"), as many tools write them."""
    rows = "".join(f"{RNG.normal():.7f};{RNG.normal():.7f}\n" for _ in range(120))
    return _csv(tmp_path, "x;y\n" + rows)


def test_a_numeric_target_with_point_decimals_in_a_semicolon_file_is_a_regression(tmp_path: Path) -> None:
    table = load_table(DataConfig(source=_semicolon_points(tmp_path), target="y"))
    assert table.task == "regression"


def test_task_regression_on_a_numeric_column_is_never_told_to_set_classification(tmp_path: Path) -> None:
    table = load_table(DataConfig(source=_semicolon_points(tmp_path), target="y", task="regression"))
    assert table.task == "regression" and table.frame["y"].dtype.kind == "f"


def test_a_target_of_huge_whole_numbers_is_not_an_int64_overflow(tmp_path: Path) -> None:
    rows = "".join(f"{RNG.normal():.3f},{int(RNG.integers(1, 9)) * 10**20}\n" for _ in range(120))
    source = _csv(tmp_path, "x,y\n" + rows)
    try:
        table = load_table(DataConfig(source=source, target="y"))
    except DataError as err:  # refused: fine if it names the column and no made-up class
        assert "'y'" in str(err) and "-9223372036854775808" not in str(err)
        return
    assert table.task == "regression" and table.frame["y"].max() == pytest.approx(8e20)


def test_duplicate_header_names_are_said(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i % 3},{RNG.normal():.3f},{'yes' if i % 2 else 'no'}\n" for i in range(60))
    source = _csv(tmp_path, "a,a,b,label\n" + rows)
    try:
        table = load_table(DataConfig(source=source, target="label"))
    except DataError as err:
        assert "'a'" in str(err)
        return
    assert any(("'a'" in note and "twice" in note) or "duplicate" in note.lower() for note in table.notes)


def test_a_code_like_text_id_column_is_dropped_with_a_reason(tmp_path: Path) -> None:
    """190 distinct codes in 344 rows: repeats, so not every value is unique, still an identifier."""
    rows = "".join(f"N{(i * 7) % 190}A{(i * 7) % 190 % 9},{RNG.normal():.3f},{RNG.choice(['a', 'b'])}\n"
                   for i in range(344))
    table = load_table(DataConfig(source=_csv(tmp_path, "code,x,label\n" + rows), target="label"))
    assert "code" not in table.features and "code" in table.dropped
