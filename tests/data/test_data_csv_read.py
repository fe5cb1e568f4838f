"""Reading CSV files: encodings, delimiters, limits, and the errors for files that cannot be read."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from studio.data import Table, load_table
from studio.errors import DataError, RecipeError
from studio.recipe import DataConfig


def rows(header: str, lines: list[str]) -> str:
    return "\n".join([header, *lines]) + "\n"


SMALL = rows("name,x,y", [f"Zoë{i % 3},{i * 0.5},{'a' if i % 2 else 'b'}" for i in range(20)])


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(load_csv: Callable[..., Table], sep: str) -> None:
    # decimal commas inside a semicolon file must not make it look comma-separated
    x = [f"{i},5" if sep == ";" else f"{i}.5" for i in range(20)]
    text = rows(sep.join(["a", "b", "y"]), [sep.join([x[i], str(i % 4), "ab"[i % 2]]) for i in range(20)])
    table = load_csv(text)
    assert table.features == ["a", "b"]
    assert table.frame.shape == (20, 3)
    name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}[sep]
    assert f"{name}-separated" in table.notes[0]


@pytest.mark.parametrize(
    ("encoding", "content_prefix", "shown"),
    [("utf-8", b"", "UTF-8"), ("utf-8", b"\xef\xbb\xbf", "UTF-8"), ("latin-1", b"", "Latin-1")],
)
def test_encodings(load_csv: Callable[..., Table], encoding: str, content_prefix: bytes, shown: str) -> None:
    table = load_csv(content_prefix + SMALL.encode(encoding))
    assert table.features == ["name", "x"]  # a BOM does not stick to the first column name
    assert set(table.frame["name"]) == {"Zoë0", "Zoë1", "Zoë2"}
    assert table.notes[0].endswith(shown)


def test_explicit_delimiter_and_encoding(load_csv: Callable[..., Table]) -> None:
    table = load_csv(SMALL.replace(",", "|"), options={"delimiter": "|", "encoding": "utf-8"})
    assert table.features == ["name", "x"]
    with pytest.raises(DataError, match=r"not valid UTF-8.*data\.options\.encoding.*latin-1"):
        load_csv(SMALL, encoding="latin-1", options={"encoding": "utf-8"})


def test_size_limit_is_checked_before_reading(write_csv: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_csv(SMALL * 200)
    monkeypatch.setattr(Path, "open", lambda *a, **k: pytest.fail("the file was opened"))
    with pytest.raises(DataError, match=r"'data\.csv' is 0\.\d MB, above the 0\.01 MB limit.*max_mb"):
        load_table(DataConfig(source=source, target="y", options={"max_mb": 0.01}))


def test_bad_csv_option_names_data_options(load_csv: Callable[..., Table]) -> None:
    with pytest.raises(RecipeError, match=r"data\.options \(csv\): max_mb"):
        load_csv(SMALL, options={"max_mb": -1})
    with pytest.raises(RecipeError, match=r"unknown field 'noise'"):
        load_csv(SMALL, options={"noise": 0.1})


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", r"is empty \(0 bytes\)"),
        (b"  \n\n \n", r"only blank space"),
        (b"a,b,y\n", r"header but no rows"),
        (b"PK\x03\x04\x00\x00binary\x00stuff" * 20, r"not a text file.*NUL bytes.*UTF-8"),
        (bytes(range(1, 9)) * 300, r"not a text file.*control bytes"),
        (b"y\n1\n2\n1\n", r"single column \('y'\).*data\.options\.delimiter"),
    ],
)
def test_unreadable_files(load_csv: Callable[..., Table], content: bytes, words: str) -> None:
    with pytest.raises(DataError, match=words):
        load_csv(content)


def test_random_bytes_are_not_text(load_csv: Callable[..., Table]) -> None:
    with pytest.raises(DataError, match="not a text file"):
        load_csv(os.urandom(4096) + b"\x00")


def test_missing_file_and_folder(workdir: Path) -> None:
    with pytest.raises(DataError, match=r"'nope\.csv' does not exist \(looked in .*\); check the path"):
        load_table(DataConfig(source="csv:nope.csv", target="y"))
    (workdir / "folder").mkdir()
    with pytest.raises(DataError, match=r"'folder' is a folder"):
        load_table(DataConfig(source="csv:folder", target="y"))


def test_ragged_rows_are_a_parse_error(load_csv: Callable[..., Table]) -> None:
    text = "a,b,y\n" + "1,2,a\n" * 30 + "1,2,3,4,5\n"
    with pytest.raises(DataError, match=r"could not be parsed with a comma delimiter.*same number of fields"):
        load_csv(text)
