"""``data.columns``: what a person says a column is, over what the automatic typing guessed.

``{"mode": "categorical", "individual": "ignore"}`` makes a coded 1-4 column a category and leaves
an identifier out. The uses (:data:`studio.recipe.COLUMN_USES`):

- ``feature``: keep the column, typed automatically, even when a rule would drop it (an ID-like
  number, free text, a counter); ``ignore``: never use it;
- ``numeric``: read every value as a number (those that are not become missing, with a note);
  ``categorical``: every distinct value is a category, numbers included ("1".."4");
- ``image``: the column holds paths to pictures (relative to the CSV), decoded into an image input;
- ``text``: free text, tokenized into a text input (:mod:`studio.inputs.text`); numbers in it are
  read as text ("12", "7.5"), an all-empty one is refused.

:func:`parse_overrides` checks the names against the data; :func:`type_features` types a CSV's
feature columns with the overrides; :func:`override_table` applies them to a built-in table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from studio.data.columns import NUMERIC_SHARE, Typed, categories, plural, type_columns
from studio.data.detect import drop_noise
from studio.data.numbers import to_numbers
from studio.data.table import Table
from studio.data.target import listed
from studio.errors import DataError, quote

SPECIAL = {"image": "pictures named by a path"}  # uses read by their own loader (studio.data.load)
FORCED = ("numeric", "categorical", "text")  # uses that type a column
IGNORED = "set to 'ignore' in data.columns"


@dataclass(frozen=True)
class ColumnOverrides:
    """``data.columns`` checked against a source's columns, grouped by use."""

    uses: dict[str, str] = field(default_factory=dict)

    def named(self, *uses: str) -> list[str]:
        return [c for c, u in self.uses.items() if u in uses]

    @property
    def ignored(self) -> list[str]:
        return self.named("ignore")

    @property
    def forced(self) -> dict[str, str]:
        """column -> "numeric" | "categorical" | "text"."""
        return {c: u for c, u in self.uses.items() if u in FORCED}

    @property
    def kept(self) -> list[str]:
        """Columns set to ``feature``: typed automatically but never dropped by a rule."""
        return self.named("feature")

    @property
    def special(self) -> dict[str, str]:
        """Columns set to a use with its own loader (``image``)."""
        return {c: u for c, u in self.uses.items() if u in SPECIAL}


def parse_overrides(uses: dict[str, str], columns: list[str], target: str | None, source: str) -> ColumnOverrides:
    """``data.columns`` for a source whose columns are ``columns``; a DataError located at
    ``("data", "columns", name)`` for a name that is not a column, or that is the target."""
    for name in uses:
        if name == target:
            raise DataError(f"data.columns sets the target {quote(name)}; the target is chosen by data.target, so "
                            "remove it from data.columns", ("data", "columns", name))
        if name not in columns:
            others = [c for c in columns if c != target]
            raise DataError(f"data.columns names {quote(name)}, which is not a column of {source}; its columns are "
                            f"{listed(others)}", ("data", "columns", name))
    overrides = ColumnOverrides(dict(uses))
    check_special(overrides)
    return overrides


def check_special(overrides: ColumnOverrides) -> None:
    """Every use is read now (image columns by :mod:`studio.data.load`, text by :func:`type_features`);
    kept so that a future reserved use has one place to be refused."""
    for name, use in overrides.special.items():
        if use not in SPECIAL:  # pragma: no cover
            raise DataError(f"data.columns sets {quote(name)} to {use!r}, which this version does not read; set it "
                            "to 'categorical', 'feature' or 'ignore'", ("data", "columns", name))


def type_features(frame: pd.DataFrame, overrides: ColumnOverrides) -> Typed:
    """Type the feature columns of ``frame`` (target removed): automatically, then as ``overrides`` say.

    The automatic typing and :func:`studio.data.detect.drop_noise` decide every column the
    overrides leave alone; the kept columns stay in the file's order.
    """
    forced, ignored = overrides.forced, set(overrides.ignored)
    auto = [c for c in frame.columns if c not in forced and c not in ignored]
    typed = type_columns(frame[auto] if len(auto) < frame.shape[1] else frame)
    drop_noise(typed, skip=set(overrides.kept))
    if not overrides.uses:
        return typed
    extra: dict[str, pd.Series] = {}
    for name in overrides.kept:
        if name in typed.dropped and name not in typed.expanded:
            del typed.dropped[name]
            extra[name], typed.column_types[name] = _as_feature(name, frame[name])
    for name, use in forced.items():
        col = frame[name]
        if use == "numeric":
            extra[name] = _as_numbers(name, col, typed.notes)
        else:
            extra[name] = _as_categories(name, col) if use == "categorical" else as_text_column(name, col, typed.notes)
        typed.column_types[name] = use
    for name in frame.columns:
        if name in ignored:
            typed.dropped[name] = IGNORED
    typed.frame = _in_file_order(typed, extra, list(frame.columns))
    return typed


def _in_file_order(typed: Typed, extra: dict[str, pd.Series], order: list[str]) -> pd.DataFrame:
    parts: dict[str, pd.Series] = {}
    for name in order:
        if name in extra:
            parts[name] = extra[name]
        elif name in typed.expanded:
            parts.update({c: typed.frame[c] for c in typed.expanded[name] if c in typed.column_types})
        elif name in typed.column_types:
            parts[name] = typed.frame[name]
    return pd.DataFrame(parts, index=typed.frame.index)


def _as_feature(name: str, col: pd.Series) -> tuple[pd.Series, str]:
    """A column the person keeps: numeric if it reads as numbers, else categorical."""
    if col.isna().all():
        raise DataError(f"data.columns keeps {quote(name)} as a feature, but all its {len(col)} values are missing; "
                        "set it to 'ignore'", ("data", "columns", name))
    if ptypes.is_numeric_dtype(col) or ptypes.is_bool_dtype(col):
        return col.astype(np.float64), "numeric"
    numbers = to_numbers(col)
    if numbers[col.notna()].notna().mean() >= NUMERIC_SHARE:
        return numbers, "numeric"
    return categories(col), "categorical"


def _as_numbers(name: str, col: pd.Series, notes: list[str]) -> pd.Series:
    numbers = to_numbers(col)
    bad = col[col.notna() & numbers.isna()]
    if numbers.notna().sum() == 0:
        example = f" (like {quote(bad.iloc[0], 30)})" if len(bad) else ""
        raise DataError(f"data.columns sets {quote(name)} to 'numeric', but none of its values is a number{example}; "
                        "set it to 'categorical' or 'ignore'", ("data", "columns", name))
    if len(bad):
        shown = ", ".join(quote(v, 30) for v in bad.drop_duplicates().head(3))
        notes.append(f"column {quote(name)} (numeric in data.columns): {plural(len(bad), 'value')} that are not "
                     f"numbers ({shown}) became missing")
    inf = np.isinf(numbers.to_numpy())
    return numbers.mask(inf) if inf.any() else numbers


def as_text_column(name: str, col: pd.Series, notes: list[str]) -> pd.Series:
    """A column read as free text: strings, missing kept missing (a tokenizer reads it as ""); numbers
    become their text ("12", not "12.0"). A DataError when no row holds any text."""
    from studio.text.spec import as_text

    text = col.map(as_text, na_action="ignore").astype(object)
    if not (text.dropna().str.strip() != "").any():
        raise DataError(f"data.columns sets {quote(name)} to 'text', but all its {len(col)} values are empty or "
                        "missing; fill it or set it to 'ignore'", ("data", "columns", name))
    if ptypes.is_numeric_dtype(col) or ptypes.is_bool_dtype(col):
        notes.append(f"column {quote(name)} (text in data.columns) holds only numbers; they are read as text, "
                     "each distinct number one token (set it to 'numeric' to use their values)")
    return text


def _as_categories(name: str, col: pd.Series) -> pd.Series:
    if col.isna().all():
        raise DataError(f"data.columns sets {quote(name)} to 'categorical', but all its {len(col)} values are "
                        "missing; set it to 'ignore'", ("data", "columns", name))
    return categories(col)


def override_table(table: Table, overrides: ColumnOverrides) -> Table:
    """A built-in table with ``overrides`` applied: ignored columns left out, categorical and text ones retyped."""
    if not overrides.uses:
        return table
    features = [f for f in table.features if f not in set(overrides.ignored)]
    if not features:
        raise DataError("data.columns ignores every feature column; keep at least one",
                        ("data", "columns", overrides.ignored[0]))
    types = {f: overrides.forced.get(f, table.column_types[f]) for f in features}
    dropped = {**table.dropped, **{c: IGNORED for c in overrides.ignored}}
    flat = "categorical" not in types.values() and "text" not in types.values()
    image_shape = table.image_shape if features == table.features and flat else None
    table.frame = table.frame[[*features, table.target]]
    for f in features:
        if types[f] == "text" and table.column_types[f] != "text":
            table.frame = table.frame.assign(**{f: as_text_column(f, table.frame[f], table.notes)})
    table.features, table.column_types, table.dropped, table.image_shape = features, types, dropped, image_shape
    return table
