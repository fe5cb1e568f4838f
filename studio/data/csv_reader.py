"""Reading a CSV file into a DataFrame, with limits and errors a person can act on.

Checks run cheapest first: existence and size before any byte is read, then the first bytes for
binary content, then encoding and delimiter, and only then pandas parses the file.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field, ValidationError

from studio.data.sniff import duplicate_header_notes, first_nul, sniff_decimal
from studio.errors import DataError, RecipeError
from studio.registry import Params, describe_validation_error

HEAD_BYTES = 64 * 1024
DELIMITERS = [",", ";", "\t", "|"]
_SHOWN = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


class CsvOptions(Params):
    """``DataConfig.options`` for a ``csv:PATH`` source."""

    max_mb: float = Field(200.0, gt=0.0, le=100_000.0, description="Largest file size read, in MB.")
    delimiter: Literal["auto", ",", ";", "\t", "|"] = Field(
        "auto", description="Column separator; 'auto' detects comma, semicolon, tab or pipe."
    )
    decimal: Literal["auto", ".", ","] = Field(
        "auto", description="Decimal mark; 'auto' decides from the numbers in the file ('1,5' or '1.5'); "
                            "a comma-separated file always uses '.'."
    )
    encoding: Literal["auto", "utf-8", "latin-1"] = Field(
        "auto", description="Text encoding; 'auto' reads UTF-8 (with or without BOM), else Latin-1."
    )


def parse_options(raw: dict) -> CsvOptions:
    try:
        return CsvOptions.model_validate(raw)
    except ValidationError as err:
        raise RecipeError(f"data.options (csv): {describe_validation_error(err)}") from None


def read_csv(path: str | Path, options: CsvOptions) -> tuple[pd.DataFrame, list[str]]:
    """Read ``path`` (relative to the working directory) and return the frame and notes on how."""
    p = Path(path)
    if not p.is_file():
        where = "is a folder, not a file" if p.is_dir() else f"does not exist (looked in {Path.cwd()})"
        raise DataError(f"CSV file {str(p)!r} {where}; check the path in data.source.")
    size = p.stat().st_size
    limit = options.max_mb * 1024 * 1024
    if size > limit:
        raise DataError(
            f"CSV file {p.name!r} is {size / 2**20:.1f} MB, above the {options.max_mb:g} MB limit; "
            "use a smaller file or raise data.options.max_mb."
        )
    if size == 0:
        raise DataError(f"CSV file {p.name!r} is empty (0 bytes); choose a file with a header and rows.")
    with p.open("rb") as fh:
        head_bytes = fh.read(HEAD_BYTES)
    _check_text(p.name, head_bytes)
    nul = first_nul(p, len(head_bytes))
    if nul >= 0:
        raise DataError(
            f"CSV file {p.name!r} is not a text file (it contains NUL bytes, the first at byte {nul:,}); "
            "export it as CSV in UTF-8 (a spreadsheet file cannot be read directly)."
        )
    encoding, head = _decode_head(p.name, head_bytes, options.encoding)
    if not head.strip():
        raise DataError(f"CSV file {p.name!r} holds only blank space; choose a file with a header and rows.")
    sep = options.delimiter if options.delimiter != "auto" else sniff_delimiter(head, complete=size <= HEAD_BYTES)
    # The decimal mark comes from the numbers themselves: semicolon files are written both ways
    # ("1,5" and "0.1111111"); a number the chosen mark does not read is still read by the typing.
    decimal = options.decimal if options.decimal != "auto" else sniff_decimal(head, sep)
    frame, encoding = _parse(p, sep, decimal, encoding, options.encoding == "auto")
    if frame.shape[0] == 0:
        raise DataError(f"CSV file {p.name!r} has a header but no rows; add data rows below the header.")
    frame.columns = [str(c).strip() for c in frame.columns]
    mark = "" if sep == "," else f", decimal {'point' if decimal == '.' else 'comma'}"
    note = (
        f"read {p.name}: {frame.shape[0]} rows, {frame.shape[1]} columns, {_SHOWN[sep]}-separated, "
        f"{_pretty(encoding)}{mark}"
    )
    return frame, [note, *_duplicate_names(p, sep, encoding, list(frame.columns))]


def _duplicate_names(p: Path, sep: str, encoding: str, columns: list[str]) -> list[str]:
    """Notes on names the header repeats (pandas renamed them ``a.1``...); the header is read again
    only when a name looks renamed, as "a.1" beside "a"."""
    names = set(columns)
    if not any(c.rsplit(".", 1)[0] in names and c.rsplit(".", 1)[-1].isdigit() for c in columns if "." in c):
        return []
    header = pd.read_csv(p, sep=sep, encoding=encoding, header=None, nrows=1, dtype=str, keep_default_na=False)
    return duplicate_header_notes([str(h).strip() for h in header.iloc[0]], columns)


def _check_text(name: str, head: bytes) -> None:
    """Refuse binary files (spreadsheets, images, UTF-16) before pandas produces nonsense."""
    if b"\x00" in head:
        raise DataError(
            f"CSV file {name!r} is not a text file (it contains NUL bytes); "
            "export it as CSV in UTF-8 (a spreadsheet file cannot be read directly)."
        )
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    if control > max(8, len(head) // 100):
        raise DataError(
            f"CSV file {name!r} is not a text file ({control} control bytes in its first "
            f"{len(head)} bytes); export it as CSV in UTF-8."
        )


def _decode_head(name: str, head: bytes, wanted: str) -> tuple[str, str]:
    if wanted == "latin-1":
        return "latin-1", head.decode("latin-1")
    try:
        # Incremental decoding tolerates a character cut in two at the end of the sample.
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        return "utf-8-sig", text
    except UnicodeDecodeError as err:
        if wanted == "utf-8":
            raise DataError(
                f"CSV file {name!r} is not valid UTF-8 (byte {err.start}); "
                "set data.options.encoding to 'latin-1' or save the file as UTF-8."
            ) from None
        return "latin-1", head.decode("latin-1")


def sniff_delimiter(text: str, complete: bool = True) -> str:
    """The delimiter that splits the header into most columns and every sampled row alike.

    ``csv.Sniffer`` prefers a comma whenever it is consistent, which misreads semicolon files with
    decimal commas ("1,5;2,3"); counting fields with ``csv.reader`` per candidate avoids that.
    """
    lines = [line for line in text.splitlines() if line.strip()][:30]
    if len(lines) > 1 and not complete:
        lines = lines[:-1]  # the last sampled line may be cut in the middle
    best, best_score = ",", (0.0, 1)
    for sep in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=sep)]
        if not counts or counts[0] <= 1:
            continue
        score = (sum(c == counts[0] for c in counts) / len(counts), counts[0])
        if score > best_score:
            best, best_score = sep, score
    return best


def _parse(p: Path, sep: str, decimal: str, encoding: str, may_fall_back: bool) -> tuple[pd.DataFrame, str]:
    try:
        frame = pd.read_csv(p, sep=sep, decimal=decimal, encoding=encoding, skipinitialspace=True)
        return frame, encoding
    except UnicodeDecodeError:
        if not may_fall_back:
            raise DataError(
                f"CSV file {p.name!r} is not valid {_pretty(encoding)}; set data.options.encoding "
                "to 'latin-1' or save the file as UTF-8."
            ) from None
        return _parse(p, sep, decimal, "latin-1", False)
    except pd.errors.EmptyDataError:
        raise DataError(f"CSV file {p.name!r} has no columns; choose a file with a header and rows.") from None
    except pd.errors.ParserError as err:
        detail = str(err).strip().splitlines()[-1]
        raise DataError(
            f"CSV file {p.name!r} could not be parsed with a {_SHOWN[sep]} delimiter ({detail}); "
            "check that every row has the same number of fields or set data.options.delimiter."
        ) from None


def _pretty(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "latin-1": "Latin-1"}[encoding]
