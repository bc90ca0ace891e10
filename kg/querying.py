"""Run a query of the SPARQL library (or any SPARQL text) with typed parameters.

``query()`` is what ``migkg query`` calls: it finds the query (a library name, a ``.rq``
file or the text itself), turns ``--bind NAME=VALUE`` strings into RDF terms
(``parse_bind``), fills the defaults its header documents (``?on`` → today) and runs it
through a Backend, so the embedded store and a SPARQL endpoint give the same answer. The
``format_*`` functions write the result as an aligned table, the W3C SPARQL 1.1 JSON, CSV or
TSV results formats, or Turtle / N-Triples for CONSTRUCT and DESCRIBE.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg.errors import UsageError
from kg.namespaces import PREFIXES, compact

__all__ = [
    "QueryResult",
    "format_result",
    "parse_bind",
    "parse_binds",
    "query",
    "resolve_query",
    "term_text",
]

_XSD = PREFIXES["xsd"]
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d+")
_CURIE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):(\S*)")
_LITERAL = re.compile(r'"(.*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(\S+))?', re.DOTALL)
_DEFAULT = re.compile(r"\?([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)")

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def _iri(text: str) -> ox.NamedNode:
    """``<iri>`` or a CURIE of the model's prefixes as a NamedNode (UsageError if neither)."""
    if text.startswith("<") and text.endswith(">"):
        value = text[1:-1]
    else:
        match = _CURIE.fullmatch(text)
        if not match or match.group(1) not in PREFIXES:
            raise UsageError(f"not an IRI or a known CURIE: {text[:80]!r}")
        value = PREFIXES[match.group(1)] + match.group(2)
    if not value or any(c in value for c in '<>"{}|^`\\ \t\r\n') or ":" not in value:
        raise UsageError(f"not a valid IRI: {text[:80]!r}")
    try:
        return ox.NamedNode(value)
    except ValueError as err:
        raise UsageError(f"not a valid IRI: {text[:80]!r} ({err})") from None


def parse_bind(value: str) -> Term:
    """A ``--bind`` value as a typed RDF term.

    ``2022-06-01`` → xsd:date; ``42`` → xsd:integer; ``<iri>`` or a CURIE of the model's
    prefixes (``fn:refugee-status``) → IRI; ``"text"@ru`` → language-tagged literal;
    ``"text"^^xsd:decimal`` → typed literal; ``"text"`` → that string; anything else → a
    plain string. Nothing is ever parsed as SPARQL.
    """
    if _DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise UsageError(f"not a valid date: {value!r}") from None
        return ox.Literal(value, datatype=ox.NamedNode(_XSD + "date"))
    if _INTEGER.fullmatch(value):
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(_XSD + "integer"))
    if value.startswith("<") and value.endswith(">"):
        return _iri(value)
    match = _CURIE.fullmatch(value)
    if match and match.group(1) in PREFIXES:
        return _iri(value)
    match = _LITERAL.fullmatch(value)
    if match:
        text, lang, datatype = match.groups()
        if lang:
            try:
                return ox.Literal(text, language=lang)
            except ValueError:
                raise UsageError(f"not a valid language tag: {lang!r}") from None
        if datatype:
            try:
                return ox.Literal(text, datatype=_iri(datatype))
            except ValueError as err:
                raise UsageError(f"not a valid {datatype} literal: {err}") from None
        return ox.Literal(text)
    return ox.Literal(value)


def parse_binds(items: list[str] | tuple[str, ...]) -> dict[str, Term]:
    """``["on=2022-06-01", …]`` → ``{"on": Literal(…)}``; a malformed item is a UsageError."""
    bindings: dict[str, Term] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep:
            raise UsageError(f"--bind expects NAME=VALUE, got {item[:80]!r}")
        if not _VAR.fullmatch(name):
            raise UsageError(f"--bind: not a variable name: {name[:80]!r}")
        bindings[name] = parse_bind(value)
    return bindings


@dataclass(frozen=True)
class _Source:
    name: str | None
    text: str
    defaults: dict[str, Term] = field(default_factory=dict)


def _defaults(parameters: str) -> dict[str, Term]:
    """Defaults a query header documents: ``?on (xsd:date, default today)``."""
    found: dict[str, Term] = {}
    for name, spec in _DEFAULT.findall(parameters):
        match = re.search(r'default\s+("[^"]*"(?:@[A-Za-z-]+)?|[^\s,;]+)', spec)
        if not match:
            continue
        raw = match.group(1)
        if raw == "today":
            found[name] = parse_bind(date.today().isoformat())
        else:
            try:
                found[name] = parse_bind(raw)
            except UsageError:
                continue
    return found


def resolve_query(
    name_or_text: str, *, stdin: str | None = None
) -> tuple[str | None, str, dict[str, Term]]:
    """(library name or None, query text, header defaults) for a name, a file, ``-`` or text."""
    from kg.queries import load

    if name_or_text == "-":
        text = stdin if stdin is not None else ""
        return None, text, _defaults(_header_of(text).get("parameters", ""))
    looks_like_sparql = any(c in name_or_text for c in "{\n") or " " in name_or_text.strip()
    if looks_like_sparql:
        return None, name_or_text, _defaults(_header_of(name_or_text).get("parameters", ""))
    if name_or_text.endswith(".rq") and not Path(name_or_text).is_file():
        raise UsageError(f"{name_or_text}: no such query file")
    stored = load(name_or_text)
    return stored.name, stored.text, _defaults(stored.header.get("parameters", ""))


def _header_of(text: str) -> dict[str, str]:
    from kg.queries import _HEADER

    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            header[match.group(1)] = match.group(2)
    return header


@dataclass
class QueryResult:
    """What a query returned: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    name: str | None = None
    bindings: dict[str, Term] = field(default_factory=dict)

    def to_w3c_json(self) -> dict:
        """The SPARQL 1.1 Query Results JSON document (SELECT and ASK)."""
        if self.form == "ASK":
            return {"head": {}, "boolean": bool(self.boolean)}
        if self.form != "SELECT":
            raise UsageError("JSON results are for SELECT and ASK; use --format ttl or nt")
        return {
            "head": {"vars": list(self.variables)},
            "results": {"bindings": [
                {v: _json_term(t) for v, t in row.items() if t is not None}
                for row in self.rows
            ]},
        }


def _uses_variable(text: str, name: str) -> bool:
    return re.search(r"[?$]" + re.escape(name) + r"\b", text) is not None


def query(
    name_or_text: str,
    bindings: Mapping[str, Term | str] | None = None,
    store: Path | str | None = None,
    endpoint: str | None = None,
    *,
    stdin: str | None = None,
) -> QueryResult:
    """Run a library query (``cq05-permits-individuals``), a ``.rq`` file, or SPARQL text.

    ``bindings`` maps variable names to RDF terms, or to strings read as ``--bind`` values
    (``{"on": "2022-06-01"}``). Parameters the query's header gives a default for (``?on``:
    today) are filled when not bound. Runs on the embedded store, or on ``endpoint``.
    """
    from kg.sparql import connect

    name, text, defaults = resolve_query(name_or_text, stdin=stdin)
    if not text.strip():
        raise UsageError("empty query")
    given: dict[str, Term] = {}
    for raw_key, value in (bindings or {}).items():
        key = raw_key.lstrip("?$")
        if not _VAR.fullmatch(key):
            raise UsageError(f"not a variable name: {key[:80]!r}")
        given[key] = parse_bind(value) if isinstance(value, str) else value
    for key in given:
        if not _uses_variable(text, key):
            raise UsageError(f"the query has no variable ?{key} to bind")
    final = {k: v for k, v in defaults.items() if k not in given and _uses_variable(text, k)}
    final.update(given)
    backend = connect(store, endpoint)
    try:
        result = backend.run(text, final)
    except RuntimeError as err:  # pyoxigraph binds only variables a SELECT projects
        names = ", ".join(f"?{k}" for k in final)
        raise UsageError(f"cannot bind {names}: a bound variable must be projected by the "
                         f"query's SELECT ({str(err).splitlines()[0][:120]})") from None
    if isinstance(result, bool):
        return QueryResult("ASK", boolean=result, name=name, bindings=final)
    if isinstance(result, list):
        return QueryResult("CONSTRUCT", triples=result, name=name, bindings=final)
    return QueryResult("SELECT", list(result.variables), list(result.rows), name=name,
                       bindings=final)


# --- output ----------------------------------------------------------------------------------

def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def term_text(term: Term | None) -> str:
    """A term as a person reads it: a CURIE, a literal's text (one line), ``_:b`` for blanks."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    text = term.value
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text)


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _table(result: QueryResult, max_width: int = 80) -> str:
    if not result.variables:
        return ""
    cells = [[_clip(term_text(row.get(v)), max_width) for v in result.variables]
             for row in result.rows]
    header = [f"?{v}" for v in result.variables]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _graph(result: QueryResult, fmt: str) -> str:
    """Triples sorted (stable output) as N-Triples, or Turtle with the model's prefixes used."""
    triples = sorted(set(result.triples), key=lambda t: (str(t.subject), str(t.predicate),
                                                          str(t.object)))
    if fmt == "nt":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                        prefixes=dict(PREFIXES)).decode("utf-8")
    lines = text.splitlines()
    head = [line for line in lines if line.startswith("@prefix ")]
    body = "\n".join(line for line in lines if not line.startswith("@prefix "))
    used = sorted(line for line in head if re.search(
        r"(?<![\w<])" + re.escape(line.split()[1]), body))
    return "\n".join([*used, "", body.strip("\n")]).lstrip("\n") + "\n"


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """The result as text in ``table``, ``json``, ``csv``, ``tsv``, ``ttl`` or ``nt``."""
    if result.form == "CONSTRUCT":
        if fmt in ("table", "ttl"):
            return _graph(result, "ttl")
        if fmt == "nt":
            return _graph(result, "nt")
        raise UsageError(f"--format {fmt} is for SELECT and ASK; use --format ttl or nt")
    if fmt in ("ttl", "nt"):
        raise UsageError(f"--format {fmt} is for CONSTRUCT and DESCRIBE queries")
    if fmt == "json":
        return json.dumps(result.to_w3c_json(), indent=2, ensure_ascii=False) + "\n"
    if result.form == "ASK":
        if fmt == "table":
            return ("yes" if result.boolean else "no") + "\n"
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([_csv_value(row.get(v)) for v in result.variables])
        return buffer.getvalue()
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in result.variables)]
        lines += ["\t".join("" if row.get(v) is None else str(row[v]) for v in result.variables)
                  for row in result.rows]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        return _table(result)
    raise UsageError(f"unknown format {fmt!r}")
