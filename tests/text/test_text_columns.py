"""Text columns in a table: found by detection (sentences), set with data.columns, described by
`studio train`, and refused in one sentence when there is nothing to read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from studio.data import load_table
from studio.data.decided import column_decisions, describe_table
from studio.errors import DataError
from studio.recipe import DataConfig


def _csv(tmp_path: Path, frame: pd.DataFrame, name: str = "t.csv") -> str:
    frame.to_csv(tmp_path / name, index=False)
    return f"csv:{tmp_path / name}"


def _frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    words = ["good", "bad", "not", "great", "the", "screen", "battery", "is", "was", "really"]
    return pd.DataFrame({
        "review": [" ".join(rng.choice(words, 6)) for _ in range(n)],
        "code": rng.integers(1, 5, n),
        "price": rng.uniform(1, 50, n).round(2),
        "label": rng.choice(["yes", "no"], n),
    })


def test_sentences_are_a_text_column_and_studio_train_says_so(tmp_path: Path) -> None:
    table = load_table(DataConfig(source=_csv(tmp_path, _frame()), target="label"))
    assert table.column_types["review"] == "text" and "review" in table.features
    assert table.frame["review"].iloc[0] == _frame()["review"].iloc[0]  # the original text
    lines = describe_table(table)
    assert "features (3): 'review' text, 'code' numeric, 'price' numeric" in lines
    assert any(line.startswith("text (1, each a token sequence") and "'review' (free text: 60 distinct values"
               in line for line in lines)
    assert not any(line.startswith("note: text column") for line in lines)
    assert [d.type for d in column_decisions(table) if d.name == "review"] == ["text"]


def test_code_like_ids_stay_dropped_and_mostly_empty_text_too(tmp_path: Path) -> None:
    frame = _frame()
    frame["sku"] = [f"A{i:04d}B" for i in range(len(frame))]
    frame["remark"] = [f"this remark number {i} is a sentence" if i % 10 == 0 else None for i in range(len(frame))]
    table = load_table(DataConfig(source=_csv(tmp_path, frame), target="label"))
    assert table.dropped["sku"].startswith("ID-like")
    assert table.dropped["remark"].startswith("mostly missing text: 90% of the rows are empty")


def test_data_columns_text_reads_numbers_as_text_and_says_so(tmp_path: Path) -> None:
    frame = _frame()
    frame.loc[3, "code"] = None  # a gap: pandas reads the column as floats
    table = load_table(DataConfig(source=_csv(tmp_path, frame), target="label", columns={"code": "text"}))
    assert table.column_types["code"] == "text"
    assert set(table.frame["code"].dropna()) <= {"1", "2", "3", "4"} and table.frame["code"].isna().sum() == 1
    assert any("'code' (text in data.columns) holds only numbers; they are read as text" in n for n in table.notes)
    assert any("text (2" in line and "'code' (set in data.columns)" in line for line in describe_table(table))


@pytest.mark.parametrize("values", [[None] * 60, [""] * 60, ["  "] * 60])
def test_an_all_empty_text_column_is_refused_naming_it(tmp_path: Path, values: list) -> None:
    frame = _frame()
    frame["notes"] = values
    with pytest.raises(DataError, match=r"data.columns sets 'notes' to 'text', but all its 60 values are empty or "
                                        r"missing; fill it or set it to 'ignore'") as err:
        load_table(DataConfig(source=_csv(tmp_path, frame), target="label", columns={"notes": "text"}))
    assert err.value.location == ("data", "columns", "notes")


def test_a_builtin_column_may_be_read_as_text() -> None:
    table = load_table(DataConfig(source="builtin:reviews", columns={"category": "text", "price": "ignore"}))
    assert table.column_types == {"review": "text", "category": "text"}
    assert isinstance(table.frame["category"].iloc[0], str)
