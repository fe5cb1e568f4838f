"""Column typing of a messy CSV: kept, converted, expanded and dropped columns, with reasons."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from studio.data import Table
from studio.errors import DataError


def messy_csv(n: int = 40) -> bytes:
    """Semicolon-separated, Latin-1, with an ID, a date, free text, gaps, a category, inf and '?'."""
    lines = ["patient_id;signup;comment;city;weight;score;empty;smoker;y"]
    for i in range(n):
        city = ["Zürich", "Genève", "Bern"][i % 3]
        comment = f"patient number {i} said they felt {'better' if i % 2 else 'worse'} after the visit"
        weight = "" if i % 7 == 0 else f"{60 + (i * 37) % 30}.5"  # a point in a semicolon file
        score = {5: "inf", 6: "?"}.get(i, f"{np.sin(i):.3f}")
        y = "" if i in (9, 11) else ("yes" if i % 2 else "no")
        smoker = "True" if i % 3 else "False"
        lines.append(f"{1000 + 7 * i};2021-03-{i % 28 + 1:02d};{comment};{city};{weight};{score};;{smoker};{y}")
    return ("\n".join(lines) + "\n").encode("latin-1")


@pytest.fixture
def messy(load_csv: Callable[..., Table]) -> Table:
    return load_csv(messy_csv())


def test_messy_csv_types(messy: Table) -> None:
    assert messy.features == [
        "signup_year",
        "signup_month",
        "signup_dayofweek",
        "comment",
        "city",
        "weight",
        "score",
        "smoker",
    ]
    assert messy.column_types["city"] == "categorical"
    assert messy.column_types["comment"] == "text"  # sentences: a text input, no longer dropped
    assert {messy.column_types[c] for c in messy.features if c not in ("city", "comment")} == {"numeric"}
    assert set(messy.frame["city"]) == {"Zürich", "Genève", "Bern"}  # Latin-1 decoded
    assert messy.frame["weight"].isna().sum() == 6  # gaps kept as missing for preprocessing
    assert set(messy.frame["smoker"]) == {0.0, 1.0}  # booleans as 0/1
    assert messy.frame["signup_year"].eq(2021).all()
    assert messy.frame.loc[1, "signup_dayofweek"] == 1.0  # 2021-03-02 was a Tuesday


def test_messy_csv_drops_with_reasons(messy: Table) -> None:
    assert messy.dropped["patient_id"] == "ID-like: 38 distinct values in 38 rows"
    assert "comment" not in messy.dropped
    assert "text column: 'comment' (free text: 38 distinct values in 38 rows" in "\n".join(messy.notes)
    assert messy.dropped["empty"] == "all 38 values are missing"
    assert messy.dropped["signup"].startswith("date: expanded into signup_year")


def test_messy_csv_notes(messy: Table) -> None:
    notes = "\n".join(messy.notes)
    assert "40 rows, 9 columns, semicolon-separated, Latin-1" in notes
    assert "dropped 2 rows with a missing or infinite target 'y'" in notes
    assert "column 'score': 1 infinite value became missing" in notes
    assert "column 'score': 1 non-numeric value ('?') became missing" in notes
    assert "expanded date column 'signup' into signup_year, signup_month, signup_dayofweek" in notes
    assert messy.frame["score"].isna().sum() == 2 and np.isfinite(messy.frame["score"].dropna()).all()
    assert len(messy.frame) == 38 and messy.class_labels == ["no", "yes"]


def test_feature_selection(load_csv: Callable[..., Table]) -> None:
    table = load_csv(messy_csv(), features=["signup", "city"])
    assert table.features == ["signup_year", "signup_month", "signup_dayofweek", "city"]
    assert list(table.frame.columns) == [*table.features, "y"]
    with pytest.raises(DataError, match=r"'citty', which is not a column.*valid: .*'comment'.*'city'"):
        load_csv(messy_csv(), features=["citty"])
    with pytest.raises(DataError, match=r"'patient_id', which cannot be used \(ID-like"):
        load_csv(messy_csv(), features=["patient_id"])
    with pytest.raises(DataError, match=r"lists the target 'y'"):
        load_csv(messy_csv(), features=["city", "y"])


def test_no_usable_feature_says_what_was_dropped(load_csv: Callable[..., Table]) -> None:
    text = "id,note,blank,y\n" + "".join(
        f"{i},{'this is a long free text comment number ' + str(i) if i % 5 == 0 else ''},,{i % 2}\n"
        for i in range(30)
    )
    with pytest.raises(
        DataError, match=r"no usable feature column: 'id' \(ID-like.*'blank' \(all 30.*'note' \(mostly missing text"
    ):
        load_csv(text)


def test_id_like_strings_and_constant_columns(load_csv: Callable[..., Table]) -> None:
    text = "code,const,x,y\n" + "".join(f"A-{i:03d},7,{i % 5},{i % 2}\n" for i in range(30))
    table = load_csv(text)
    assert table.features == ["x"]
    assert table.dropped["code"] == "ID-like: 30 distinct values in 30 rows"
    assert table.dropped["const"].startswith("constant")


def test_small_file_keeps_distinct_values(load_csv: Callable[..., Table]) -> None:
    # with few rows, distinct numbers or words are normal, not IDs
    table = load_csv("size,color,y\n3.5,red,a\n1.25,blue,b\n2.0,green,a\n4.75,pink,b\n")
    assert table.column_types == {"size": "numeric", "color": "categorical"}


def test_day_first_dates_are_read_day_first() -> None:
    import pandas as pd

    from studio.data.columns import date_parts, day_first

    days = pd.Series(pd.date_range("2024-01-01", periods=40).strftime("%d/%m/%Y"))
    assert day_first(days)
    parts = date_parts("d", days)
    assert parts["d_month"].tolist()[:31] == [1.0] * 31 and parts["d_month"].iloc[31] == 2.0
    us = pd.Series(pd.date_range("2024-01-01", periods=40).strftime("%m/%d/%Y"))
    assert not day_first(us)
    assert date_parts("d", us)["d_month"].iloc[31] == 2.0
