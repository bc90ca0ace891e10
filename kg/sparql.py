"""Running SPARQL the same way on the embedded store and on a remote SPARQL 1.1 endpoint.

Every service (who, gaps, diff, visualise…) asks a ``Backend`` for rows, so ``--endpoint``
works for all of them. Parameters are bound as RDF terms, on both, by a ``VALUES`` block
at the start of the query's WHERE group, its terms written in N-Triples syntax by
pyoxigraph (escaped): user text is never pasted into a query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.errors import UsageError

__all__ = [
    "Backend",
    "EmbeddedBackend",
    "RemoteBackend",
    "Rows",
    "Term",
    "connect",
    "inject_values",
]

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class Rows:
    """A SELECT result: the projected variables and one dict per solution (None = unbound)."""

    variables: list[str]
    rows: list[dict[str, Term | None]]

    def __iter__(self) -> Iterator[dict[str, Term | None]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


class Backend(Protocol):
    """Something that answers SPARQL queries."""

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Rows: ...

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool: ...

    def construct(
        self, query: str, bindings: Mapping[str, Term] | None = None
    ) -> list[ox.Triple]: ...

    def run(
        self, query: str, bindings: Mapping[str, Term] | None = None
    ) -> Rows | bool | list[ox.Triple]: ...


def _query_error(err: Exception) -> UsageError:
    text = str(err).replace("\n", " ")
    return UsageError(f"SPARQL syntax error: {text}")


class EmbeddedBackend:
    """The pyoxigraph store (read-only once built)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def run(self, query: str, bindings: Mapping[str, Term] | None = None):
        # pyoxigraph's own substitutions only bind projected variables, so parameters are
        # bound by the same VALUES block as on a remote endpoint: identical semantics.
        text = inject_values(query, bindings or {})
        try:
            result = self.store.query(text)
        except SyntaxError as err:
            raise _query_error(err) from None
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            # zip over the solution: ~3x cheaper than reading each variable by name
            rows = [dict(zip(variables, sol, strict=True)) for sol in result]
            return Rows(variables, rows)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        return list(result)

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Rows:
        result = self.run(query, bindings)
        if not isinstance(result, Rows):
            raise UsageError("expected a SELECT query")
        return result

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        result = self.run(query, bindings)
        if not isinstance(result, bool):
            raise UsageError("expected an ASK query")
        return result

    def construct(self, query: str, bindings: Mapping[str, Term] | None = None) -> list[ox.Triple]:
        result = self.run(query, bindings)
        if not isinstance(result, list):
            raise UsageError("expected a CONSTRUCT or DESCRIBE query")
        return result


_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<var>[?$][A-Za-z_][A-Za-z0-9_]*)
  | (?P<select>(?<![?$:\w])(?i:SELECT)(?!\w))
  | (?P<where>(?<![?$:\w])(?i:WHERE)\s*\{)
  | (?P<brace>\{)
  | (?P<close>\})
    """,
    re.VERBOSE | re.DOTALL,
)


def inject_values(query: str, bindings: Mapping[str, Term]) -> str:
    """Bind variables by a ``VALUES`` block at the start of the ``WHERE`` groups that use them.

    The outer group, and each subquery that names a parameter, so a subquery can test it
    (``?on``) and cut its rows before they are joined, which is what keeps the gap queries
    fast on large graphs; a query without the WHERE keyword gets the block in its first
    group. The terms are serialised by pyoxigraph (N-Triples syntax, fully escaped), so a
    value can never become SPARQL syntax. Comments, IRIs and strings are skipped when looking
    for the groups.
    """
    if not bindings:
        return query
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UsageError(f"not a SPARQL variable name: {name!r}")
    names = list(bindings)
    block = (
        " VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
        + " ".join(str(bindings[n]) for n in names) + ") } "
    )
    # the groups: (start of the enclosing SELECT, where the block goes, the group's end)
    wheres, first, open_groups, select = [], None, [], 0
    used: list[tuple[int, str]] = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind == "select":
            select = match.start()
        elif kind == "var":
            used.append((match.start(), match.group(0)[1:]))
        elif kind == "where":
            open_groups.append(len(wheres))
            wheres.append([select, match.end(), len(query)])
        elif kind == "brace":
            open_groups.append(None)
            if first is None:
                first = match.end()
        elif kind == "close" and open_groups:
            index = open_groups.pop()
            if index is not None:
                wheres[index][2] = match.end()
    if wheres:
        # the outer group always; a subquery only where it names a parameter: a block in a
        # group that does not use it is a cross join the engine would run on every row
        positions = [wheres[0][1]] + [
            pos for start, pos, end in wheres[1:]
            if any(start <= at < end and name in bindings for at, name in used)
        ]
    else:
        positions = [first] if first is not None else []
    if not positions:
        raise UsageError("cannot bind parameters: the query has no WHERE group")
    for pos in reversed(positions):
        query = query[:pos] + block + query[pos:]
    return query


def _from_json_term(value: dict) -> Term:
    kind = value["type"]
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        return ox.BlankNode(value["value"])
    if "xml:lang" in value:
        return ox.Literal(value["value"], language=value["xml:lang"])
    if "datatype" in value:
        return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
    return ox.Literal(value["value"])


class RemoteBackend:
    """A SPARQL 1.1 endpoint reached through SPARQLWrapper (read queries only)."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        if not re.match(r"^https?://", url):
            raise UsageError(f"{url}: an endpoint URL must start with http:// or https://")
        self.url = url
        self.timeout = timeout

    def _wrapper(self, query: str, accept: str):
        from SPARQLWrapper import POST, SPARQLWrapper

        client = SPARQLWrapper(self.url)
        client.setMethod(POST)
        client.setTimeout(int(self.timeout))
        client.setQuery(_strip_comments(query))
        # SPARQLWrapper guesses the form by searching the text; we know it, so say it.
        client.queryType = _query_form(query)
        client.setReturnFormat(accept)
        return client

    def _call(self, query: str, fmt: str):
        from urllib.error import URLError

        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        try:
            return self._wrapper(query, fmt).queryAndConvert()
        except SPARQLWrapperException as err:
            msg = str(err).replace("\n", " ")
            if "QueryBadFormed" in type(err).__name__ or "bad" in msg.lower():
                raise UsageError(f"SPARQL syntax error at {self.url}: {msg[:300]}") from None
            raise UsageError(f"endpoint {self.url} failed: {msg[:300]}") from None
        except (URLError, OSError, TimeoutError) as err:
            raise UsageError(f"cannot reach endpoint {self.url}: {err}") from None

    def run(self, query: str, bindings: Mapping[str, Term] | None = None):
        text = inject_values(query, bindings or {})
        form = _query_form(text)
        if form in ("CONSTRUCT", "DESCRIBE"):
            from SPARQLWrapper import N3

            data = self._call(text, N3)
            raw = data.serialize(format="nt") if hasattr(data, "serialize") else data
            if isinstance(raw, str):
                raw = raw.encode()
            # N3 asks for Turtle or N-Triples; Turtle's parser reads both
            return [q.triple for q in ox.parse(raw, format=ox.RdfFormat.TURTLE)]
        from SPARQLWrapper import JSON

        data = self._call(text, JSON)
        if "boolean" in data:
            return bool(data["boolean"])
        variables = list(data["head"].get("vars", []))
        rows = [
            {v: _from_json_term(b[v]) if v in b else None for v in variables}
            for b in data["results"]["bindings"]
        ]
        return Rows(variables, rows)

    select = EmbeddedBackend.select
    ask = EmbeddedBackend.ask
    construct = EmbeddedBackend.construct


_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def _strip_comments(query: str) -> str:
    """The query without ``#`` comments (IRIs and strings that contain ``#`` are kept)."""
    return _TOKEN.sub(lambda m: "" if m.lastgroup == "comment" else m.group(0), query)


def _query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside IRIs/strings/comments."""
    stripped = _TOKEN.sub(lambda m: " " if m.lastgroup != "brace" else "{", query)
    match = _FORM.search(stripped)
    return match.group(1).upper() if match else "SELECT"


def connect(store: Path | str | None = None, endpoint: str | None = None) -> Backend:
    """The backend a command reads from: a remote endpoint if given, else the embedded store."""
    if endpoint:
        return RemoteBackend(endpoint)
    from kg.store import open_store

    return EmbeddedBackend(open_store(store))
