"""Registries: stable names mapped to a params schema and a constructor.

The name is what a Recipe saves. Each entry's params are a pydantic model whose fields carry their
own default, bounds, description and UI hint, so one generic form can render any entry and the UI
never hard-codes a list of kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from studio.errors import RecipeError, quote

T = TypeVar("T")


class Params(BaseModel):
    """Base of every entry's parameters: unknown fields are rejected, values are checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False, allow_inf_nan=False)


@dataclass(frozen=True)
class Explanation:
    """How a control works, for the "How it works" box beside it (a classroom reads it).

    Args:
        formula: LaTeX (as ``st.latex`` renders it, KaTeX), the exact rule the engine applies.
        words: one paragraph in plain words, with what each symbol stands for.
        expect: what a person will see when they change it.
    """

    formula: str
    words: str
    expect: str


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered kind: its name, its params schema, what it builds, a one-line description, and
    optionally its explanation (formula, words, what to expect), which the UI shows where it is set."""

    name: str
    params: type[Params]
    impl: T
    description: str
    explain: Explanation | None = None


class Registry(Generic[T]):
    """A table from kind name to :class:`Entry`, filled with the :meth:`register` decorator."""

    def __init__(self, what: str) -> None:
        self.what = what  # "block", "preprocessing step", ... used in messages
        self._entries: dict[str, Entry[T]] = {}

    def register(self, name: str, params: type[Params], description: str = "",
                 explain: Explanation | None = None) -> Callable[[T], T]:
        def decorate(impl: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.what} {name!r} is registered twice")
            doc = description or (getattr(impl, "__doc__", None) or "").strip().split("\n")[0]
            self._entries[name] = Entry(name, params, impl, doc, explain)
            return impl

        return decorate

    def __getitem__(self, name: str) -> Entry[T]:
        try:
            return self._entries[name]
        except KeyError:
            raise RecipeError(f"unknown {self.what} kind {quote(name)}; {self.valid_kinds(name)}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        return list(self._entries)

    def valid_kinds(self, given: Any = None, budget: int = 150) -> str:
        """"valid kinds: a, b, c" within ``budget`` characters (the sentence must stay short), led by
        the kinds closest to a mistyped ``given``."""
        import difflib

        close = difflib.get_close_matches(given, self._entries, n=3, cutoff=0.6) if isinstance(given, str) else []
        lead = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        names = list(self._entries)
        shown: list[str] = []
        for name in names:
            if len(", ".join([*shown, name])) > budget - len(lead):
                break
            shown.append(name)
        rest = len(names) - len(shown)
        more = f" and {rest} more" if rest else ""
        if rest and self.what == "block":
            more += " (all are on the Architecture page)"
        return f"{lead}valid kinds: {', '.join(shown)}{more}"

    def parse(self, raw: Any, where: str) -> Params:
        """Validate ``{"kind": ..., <params>}`` and return the entry's params model.

        ``where`` locates the item in messages, e.g. ``"model block 3"``.
        """
        if not isinstance(raw, dict):
            raise RecipeError(f"{where} must be an object like {{\"kind\": ...}}, got {quote(raw)}")
        if "kind" not in raw:
            raise RecipeError(f"{where} has no \"kind\"; {self.valid_kinds()}")
        kind = raw["kind"]
        if not isinstance(kind, str) or kind not in self._entries:
            raise RecipeError(f"{where}: unknown {self.what} kind {quote(kind)}; {self.valid_kinds(kind)}")
        fields = {k: v for k, v in raw.items() if k != "kind"}
        try:
            return self._entries[kind].params.model_validate(fields)
        except ValidationError as err:
            raise RecipeError(f"{where} ({kind}): {describe_validation_error(err)}") from None

    def normalize(self, raw: Any, where: str) -> dict[str, Any]:
        """Validate an item and return it as plain JSON data with every default filled in."""
        params = self.parse(raw, where)
        return {"kind": raw["kind"], **params.model_dump(mode="json")}


SHOWN_PROBLEMS = 2  # a sentence names the first problems and counts the rest


def describe_validation_error(err: ValidationError) -> str:
    """Turn pydantic's report into one sentence: field, value received (shortened), what is valid."""
    parts = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "value"
        if e["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            parts.append(f"unknown field {quote(loc)}")
        elif e["type"] in ("missing", "missing_argument"):
            parts.append(f"field {quote(loc)} is required")
        else:
            msg = e["msg"].removeprefix("Value error, ")
            shown = quote(e.get("input"))
            said = isinstance(e.get("input"), str) and shown in msg  # a validator's own message may quote it
            received = "" if said else f" (received {shown})"
            parts.append(f"{loc} {msg[:1].lower()}{msg[1:]}{received}")
    more = len(parts) - SHOWN_PROBLEMS
    rest = f"; and {more} more problem{'s' if more > 1 else ''}" if more > 0 else ""
    return "; ".join(parts[:SHOWN_PROBLEMS]) + rest
