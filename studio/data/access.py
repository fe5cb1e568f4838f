"""DataAccess: where a recipe's file paths are looked up, and which files it may read at all.

A recipe names its data by a path (``csv:sales.csv``). On the command line the person runs the
studio on their own machine, so any path is allowed and a relative one is looked up in the working
folder, then beside the recipe file. In the app, a recipe may come from anyone on the network, so it
may read only files under the folders the app allows (the session's uploads, a data folder the
server was started with); a relative name is looked up there, and nothing else is ever opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.errors import DataError


@dataclass(frozen=True)
class DataAccess:
    """``search``: folders where a relative path is looked up, in order (the working folder when empty).
    ``allowed``: the only folders whose files may be read; None allows every path (the CLI)."""

    search: tuple[Path, ...] = ()
    allowed: tuple[Path, ...] | None = None

    @classmethod
    def cli(cls, recipe_file: str | Path | None = None) -> DataAccess:
        """The command line's access: the working folder, then the recipe's folder; any path."""
        folders = [Path.cwd()]
        if recipe_file is not None:
            folders.append(Path(recipe_file).resolve().parent)
        return cls(tuple(folders), None)

    @classmethod
    def confined(cls, *folders: str | Path) -> DataAccess:
        """Only files under ``folders`` (the app's uploads and data folders), looked up there."""
        roots = tuple(Path(f).resolve() for f in folders if f)
        return cls(roots, roots)

    def resolve(self, ref: str, what: str = "file") -> Path:
        """The path a recipe's ``ref`` names, or a DataError saying why it cannot be read.

        A path that does not exist is returned as is when access is not confined, so that the
        reader can say "does not exist (looked in ...)" with its own wording.
        """
        path = Path(ref).expanduser()
        candidates = [path] if path.is_absolute() else [base / path for base in (self.search or (Path.cwd(),))]
        if self.allowed is None:
            if path.is_absolute() or path.exists():
                return path
            return next((c for c in candidates if c.exists()), path)
        for candidate in candidates:
            resolved = candidate.resolve()
            if not any(resolved.is_relative_to(root) for root in self.allowed):
                continue
            if resolved.exists():
                return resolved
        name = Path(ref).name
        if path.is_absolute() or ".." in Path(ref).parts:
            raise DataError(f"this studio reads only files uploaded in this session or in its data folder, not "
                            f"{ref!r}; upload {name!r} on the Data page.")
        raise DataError(f"the {what} {name!r} is not among this session's uploads; upload it on the Data page.")
