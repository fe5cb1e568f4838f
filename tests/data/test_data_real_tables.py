"""Real tables read right (issue #8): decimal marks, number targets, huge values, junk columns, NULs."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from studio.data import Table
from studio.data.sniff import sniff_decimal
from studio.errors import DataError

Load = Callable[..., Table]
RNG = np.random.default_rng(1)


# -- the decimal mark and the target's numbers


@pytest.mark.parametrize(("text", "sep", "mark"), [
    ("x;y\n0.1111111;2.5\n1.25;3.75\n", ";", "."),
    ("x;y\n0,1111111;2,5\n1,25;3,75\n", ";", ","),
    ("x\ty\n1,5\t2,25\n3,5\t4,75\n", "\t", ","),
    ("x;y\n1;2\n3;4\n", ";", ","),  # no evidence: the semicolon convention
    ("x\ty\n1,234\t2,500\n", "\t", "."),  # thousands, perhaps: no evidence
    ("x;y\n1,234;0.5\n1.5;2,500\n", ";", "."),  # the two plain decimals win over the ambiguous fields
    ('x,y\n"1,5",2\n', ",", "."),
])
def test_the_decimal_mark_is_decided_from_the_numbers(text: str, sep: str, mark: str) -> None:
    assert sniff_decimal(text, sep) == mark


def test_a_semicolon_file_with_decimal_commas_is_still_read_as_numbers(load_csv: Load) -> None:
    rows = "".join(f"{i},5;{i % 3},25;{i * 2},5\n" for i in range(40))
    table = load_csv("a;b;y\n" + rows)
    assert table.task == "regression" and table.frame["y"].iloc[1] == pytest.approx(2.5)
    assert table.column_types == {"a": "numeric", "b": "numeric"}
    assert any("decimal comma" in n for n in table.notes)


def test_the_target_is_read_with_the_features_number_rules(load_csv: Load) -> None:
    """Features with decimal commas decide the mark; a target written with points is still a number."""
    rows = "".join(f"{i},5;{i % 7},25;{RNG.normal():.7f}\n" for i in range(80))
    table = load_csv("a;b;y\n" + rows)
    assert table.task == "regression" and table.frame["y"].dtype.kind == "f"


def test_a_target_of_formatted_numbers_is_numeric_and_its_stray_text_is_dropped(load_csv: Load) -> None:
    rows = "".join(f'{i % 10},"{1000 + 37 * i:,}"\n' for i in range(59)) + '9,"unknown"\n'
    table = load_csv("x,y\n" + rows, task="regression")
    assert table.frame["y"].max() == pytest.approx(1000 + 37 * 58)
    assert len(table.frame) == 59 and any("'unknown'" in n for n in table.notes)


# -- numbers the model cannot hold


@pytest.mark.parametrize("huge", ["1e39", "1e308", "-3.5e38"])
def test_a_feature_beyond_float32_is_refused_naming_the_column(load_csv: Load, huge: str) -> None:
    rows = "".join(f"{huge if i == 7 else i % 13 * 1.5},{i % 5},{i % 2}\n" for i in range(60))
    with pytest.raises(DataError, match=r"column 'big' holds .*3\.4e38") as err:
        load_csv("big,small,y\n" + rows)
    assert "missing" not in str(err.value)


def test_a_regression_target_beyond_float32_is_refused_naming_it(load_csv: Load) -> None:
    rows = "".join(f"{i},{1e39 * (i + 1)}\n" for i in range(60))
    with pytest.raises(DataError, match="target 'y' holds 1e"):
        load_csv("x,y\n" + rows, task="regression")


def test_huge_whole_numbers_as_a_target_are_floats_not_an_int64_overflow(load_csv: Load) -> None:
    rows = "".join(f"{i % 10},{(i % 9 + 1) * 10**19}\n" for i in range(90))  # int64 ends at 9.2e18
    table = load_csv("x,y\n" + rows)
    assert table.task == "regression" and table.frame["y"].min() == pytest.approx(1e19)


def test_a_constant_regression_target_is_refused_like_a_single_class(load_csv: Load) -> None:
    rows = "".join(f"{i},{i % 3},4.5\n" for i in range(40))
    with pytest.raises(DataError, match=r"target 'y' has a single value \(4\.5\).*varies"):
        load_csv("a,b,y\n" + rows, task="regression")


# -- identifiers and junk


def _penguins_like(n: int = 344) -> pd.DataFrame:
    """Shaped like penguins_raw: a code ID (190 distinct), a sample counter per species, 84% empty comments."""
    species = np.repeat(["Adelie", "Gentoo", "Chinstrap"], [152, 124, n - 276])
    counter = np.concatenate([np.arange(1, 153), np.arange(1, 125), np.arange(1, n - 275)])
    notes = ["Nest never observed with full clutch.", "Not enough blood for isotopes.", "Sexing failed."]
    comments = [notes[i // 6 % 3] if i % 6 == 0 else None for i in range(n)]  # 83% empty, 3 sentences
    return pd.DataFrame({
        "Individual ID": [f"N{(i * 7) % 190}A{(i * 7) % 190 % 9}" for i in range(n)],
        "Sample Number": counter,
        "Comments": comments,
        "Island": RNG.choice(["Biscoe", "Dream", "Torgersen"], n),
        "Flipper": RNG.normal(200, 10, n).round(1),
        "Sex": np.where(RNG.random(n) < 0.05, None, RNG.choice(["MALE", "FEMALE"], n)),
        "y": species,
    })


def test_ids_counters_and_mostly_missing_text_are_dropped_with_reasons(load_csv: Load) -> None:
    table = load_csv(_penguins_like().to_csv(index=False))
    assert table.features == ["Island", "Flipper", "Sex"]
    assert table.dropped["Individual ID"].startswith("ID-like: 190 distinct codes")
    assert "within groups, restarting 2 times" in table.dropped["Sample Number"]
    assert table.dropped["Comments"] == "mostly missing text: 83% of the rows are empty, the others hold 3 sentences"
    assert any("'Comments'" in n for n in table.notes)


def test_the_counter_rule_spares_cycles_of_one_length_and_yes_no_columns(load_csv: Load) -> None:
    n = 120
    frame = pd.DataFrame({"month": np.arange(n) % 12 + 1, "flag": np.arange(n) % 2,
                          "y": RNG.normal(size=n).round(3)})
    table = load_csv(frame.to_csv(index=False))
    assert table.features == ["month", "flag"]


def test_a_category_with_few_values_and_many_gaps_is_kept(load_csv: Load) -> None:
    n = 100
    allergy = [("peanut", "milk")[i % 2] if i % 5 == 0 else None for i in range(n)]
    frame = pd.DataFrame({"allergy": allergy, "x": RNG.normal(size=n).round(3), "y": ["a", "b"] * (n // 2)})
    table = load_csv(frame.to_csv(index=False))
    assert table.column_types["allergy"] == "categorical"


# -- smaller cases


def test_nul_bytes_after_the_first_64_kib_are_refused_like_binary(load_csv: Load) -> None:
    body = "x,y\n" + "1.5,2\n" * 20_000  # 120 KB of text
    with pytest.raises(DataError, match=r"not a text file .*NUL bytes, the first at byte 120,00"):
        load_csv(body.encode() + b"3.5,\x004\n")


def test_repeated_header_names_are_said_with_the_names_they_were_given(load_csv: Load) -> None:
    rows = "".join(f"{i % 11},{i % 3},{i % 5},{i % 7},{i % 2}\n" for i in range(40))
    table = load_csv("a,a,b,a,y\n" + rows)
    assert "column 'a' appears 3 times in the header: the later ones are read as 'a.1', 'a.2'" in table.notes
    assert table.features == ["a", "a.1", "b", "a.2"]


def test_a_real_name_with_a_dot_is_not_taken_for_a_repeat(load_csv: Load) -> None:
    rows = "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40))
    table = load_csv("v,v.1,y\n" + rows)
    assert not any("header" in n for n in table.notes)
