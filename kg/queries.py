"""The SPARQL library in ``queries/``: find a query by name, read its header comment.

A query's name is its path below ``queries/`` without ``.rq`` (``cq/cq05-permits-individuals``);
its bare file stem also works when unique. The header comment lines ``# key: value`` give
its title, what it answers, its parameters and an example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import UsageError
from kg.paths import resource_dir

__all__ = ["StoredQuery", "all_queries", "load"]

_HEADER = re.compile(r"^#\s*([a-z_]+)\s*:\s*(.*)$")


@dataclass(frozen=True)
class StoredQuery:
    """One ``.rq`` file: its name, text and header fields."""

    name: str
    path: Path
    text: str
    header: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.header.get("title", self.name)

    @property
    def parameters(self) -> list[str]:
        """Variable names listed in the ``parameters`` header (``?on (xsd:date …), ?x …``)."""
        return re.findall(r"\?([A-Za-z_][A-Za-z0-9_]*)", self.header.get("parameters", ""))


def _read(path: Path, root: Path) -> StoredQuery:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            key, value = match.groups()
            header[key] = (header[key] + " " + value).strip() if key in header else value
    name = path.relative_to(root).with_suffix("").as_posix()
    return StoredQuery(name, path, text, header)


def all_queries() -> list[StoredQuery]:
    """Every query of the library, sorted by name."""
    root = resource_dir("queries")
    return [_read(p, root) for p in sorted(root.rglob("*.rq"))]


def load(name: str) -> StoredQuery:
    """A query by library name or stem, or a path to an ``.rq`` file."""
    root = resource_dir("queries")
    candidate = Path(name)
    if candidate.suffix == ".rq" and candidate.is_file():
        return _read(candidate.resolve(), candidate.resolve().parent)
    exact = root / f"{name}.rq"
    if exact.is_file():
        return _read(exact, root)
    matches = [q for q in all_queries() if q.path.stem == name]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        names = ", ".join(q.name for q in matches)
        raise UsageError(f"query name {name!r} is ambiguous: {names}")
    raise UsageError(f"no query named {name!r} (see `migkg query --list`)")
