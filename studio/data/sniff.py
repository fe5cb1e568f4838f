"""What the first bytes of a CSV say about how to read the rest: its decimal mark, its header.

The delimiter is found by :func:`studio.data.csv_reader.sniff_delimiter`; this module decides the
rest from the same sample of lines, from the data itself rather than from a convention.
"""

from __future__ import annotations

import csv
import mmap
import re
from collections import Counter
from pathlib import Path

from studio.errors import quote

_COMMA_DECIMAL = re.compile(r"^\s*[+-]?\d*,\d+\s*$")  # "1,5", "-0,25", ",5"
_POINT_DECIMAL = re.compile(r"^\s*[+-]?\d*\.\d+([eE][+-]?\d+)?\s*$")  # "0.1111111", "1.5e3"
# "1,234" and "1.234" may be a thousand written with a separator: no evidence either way
_THOUSANDS = re.compile(r"^\s*[+-]?\d{1,3}[.,]\d{3}\s*$")
SNIFF_LINES = 200


def sniff_decimal(text: str, sep: str) -> str:
    """The decimal mark the numbers of ``text`` (the file's first lines) are written with.

    In a comma-separated file an unquoted comma cannot be a decimal mark, so it is ".". Elsewhere
    ("1,5;2,25" or "0.1111111;2.5", both common in semicolon files) the mark written more often in
    the sampled fields wins. "1,234" and "1.234" count for neither (they may be thousands); with no
    evidence, a semicolon file keeps its convention (",") and any other file ".".
    """
    if sep == ",":
        return "."
    lines = [line for line in text.splitlines() if line.strip()][1:SNIFF_LINES]
    comma = point = 0
    for row in csv.reader(lines, delimiter=sep):
        for field in row:
            if _THOUSANDS.match(field):
                continue
            if _COMMA_DECIMAL.match(field):
                comma += 1
            elif _POINT_DECIMAL.match(field):
                point += 1
    if comma == point:
        return "," if sep == ";" else "."
    return "," if comma > point else "."


def duplicate_header_notes(header: list[str], columns: list[str]) -> list[str]:
    """Notes on header names written more than once, which pandas reads as ``a``, ``a.1``, ...

    ``header``: the names as the file writes them; ``columns``: the names pandas gave the columns.
    """
    counts = Counter(header)
    notes = []
    for name, n in counts.items():
        if n < 2:
            continue
        renamed = [c for h, c in zip(header, columns, strict=False) if h == name][1:]
        times = "twice" if n == 2 else f"{n} times"
        shown = ", ".join(quote(c) for c in renamed)
        notes.append(f"column {quote(name)} appears {times} in the header: the later ones are read as {shown}")
    return notes


def first_nul(path: Path, start: int) -> int:
    """The position of the first NUL byte at or after ``start`` (-1 if none), found without reading
    the file into memory: a spreadsheet or UTF-16 file may hide them past the sampled head."""
    with path.open("rb") as fh:
        if path.stat().st_size <= start:
            return -1
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return mm.find(b"\x00", start)
