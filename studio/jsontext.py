"""Reading JSON that someone handed us (a recipe file or upload, a model's metadata) into one sentence on failure.

``json.loads`` alone raises four different things on bad input: UnicodeDecodeError, JSONDecodeError,
RecursionError for deeply nested brackets, and nothing at all for an empty document read as bytes.
"""

from __future__ import annotations

import json
from typing import Any

from studio.errors import StudioError


def load_json(data: bytes | str, what: str, error: type[StudioError]) -> Any:
    """Parse ``data`` (UTF-8, with or without a BOM) or raise ``error`` with a sentence about ``what``.

    Args:
        data: the document, as read from a file or an upload.
        what: how the sentence names it, e.g. ``"recipe file 'my.json'"``.
        error: the StudioError subclass to raise (RecipeError, ExportError...).
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise error(f"{what} is not UTF-8 text (byte {err.start} cannot be read); save it as UTF-8 JSON") from None
    text = data.removeprefix("\ufeff")
    if not text.strip():
        raise error(f"{what} is empty; it should hold a JSON object")
    try:
        return json.loads(text)
    except RecursionError:
        raise error(f"{what} is nested too deeply to read (brackets inside brackets hundreds of levels deep); "
                    "it is not a file the studio wrote") from None
    except json.JSONDecodeError as err:
        raise error(f"{what} is not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})") from None
