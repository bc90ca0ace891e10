"""Shared by ``who``, ``explain`` and ``diff``: the backend + label index, dates, assignments.

An assignment (body × function × role × period × legal basis × source × grade, see
docs/model.md) becomes a ``Responsibility``: plain data with ``to_dict()``. Dates follow
docs/dev.md: ends are inclusive; a start the sources do not date (a ``mig:UnknownInstant`` or
no beginning) counts as "holds" and is reported as ``"from": null, "from_known": false``; a
missing end means open (``"until": null, "until_known": true``); an end that is an explicit
unknown instant holds too and is reported as ``"until_known": false``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import UsageError
from kg.labelindex import LabelIndex, best_label, cached_index
from kg.namespaces import PREFIXES, compact, sparql_prologue
from kg.paths import default_store_path
from kg.sparql import connect

__all__ = [
    "GRADES",
    "LANGS",
    "Context",
    "Ref",
    "Responsibility",
    "check_grade",
    "check_lang",
    "fetch_assignments",
    "fetch_labels",
    "get_context",
    "looks_like_iri",
    "parse_date",
    "resolve_iri",
    "values_clause",
]

GRADES = ("A", "B", "C", "D", "E")
LANGS = ("en", "ru", "kk")
_XSD_DATE = ox.NamedNode(PREFIXES["xsd"] + "date")
_ROLE_ORDER = (
    "lead", "co-executor", "coordinator", "implementer", "service-provider", "operator",
    "data-provider", "proposal-developer", "participant", "consulted", "informed",
    "adopted-by", "set-by", "conducts",
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def clean_text(text: str) -> str:
    """User text made printable: lone surrogates become U+FFFD, control characters spaces."""
    text = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text
    return "".join(" " if (ord(c) < 32 or 127 <= ord(c) < 160) else c for c in text)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_date(value: str | _dt.date | None, option: str = "--on") -> str:
    """An ISO date ``YYYY-MM-DD`` (default today) or a one-line UsageError."""
    if value is None:
        return _dt.date.today().isoformat()
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = str(value).strip()
    if not _DATE.fullmatch(text):
        raise UsageError(f"{option}: not a date (YYYY-MM-DD): {clean_text(text)[:40]!r}")
    try:
        return _dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(f"{option}: no such date: {text!r}") from None


def check_lang(lang: str | None) -> str:
    lang = (lang or "en").lower()
    if lang not in LANGS:
        raise UsageError(f"--lang: use one of {', '.join(LANGS)}, not {clean_text(lang)[:20]!r}")
    return lang


def check_grade(grade: str | None) -> str | None:
    if grade is None:
        return None
    value = str(grade).strip().upper()
    if value not in GRADES:
        shown = clean_text(str(grade))[:20]
        raise UsageError(f"--min-grade: use one of {', '.join(GRADES)}, not {shown!r}")
    return value


def grade_ok(evidence: str | None, min_grade: str | None) -> bool:
    if min_grade is None:
        return True
    return evidence is not None and evidence in GRADES and evidence <= min_grade


# --- the backend and its index ---------------------------------------------------------------

@dataclass
class Context:
    """A backend to query and the label index over it."""

    backend: object
    index: LabelIndex
    key: str


_CONTEXTS: dict[str, Context] = {}


def get_context(store: Path | str | None = None, endpoint: str | None = None) -> Context:
    """The (memoised) backend + index for a store folder or an endpoint URL."""
    if endpoint:
        key = f"endpoint:{endpoint}"
        ctx = _CONTEXTS.get(key)
        if ctx is None:
            backend = connect(None, endpoint)
            ctx = Context(backend, cached_index(backend, key, None), key)
            _CONTEXTS[key] = ctx
        return ctx
    root = Path(store).expanduser() if store is not None else default_store_path()
    gen = (root / "current").resolve()
    key = str(gen)
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        backend = connect(store, None)  # raises UsageError when there is no store
        ctx = Context(backend, cached_index(backend, key, gen), key)
        _CONTEXTS[key] = ctx
    return ctx


# --- plain data ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ref:
    """A thing named in an answer: its IRI and its label in the asked language."""

    iri: str
    label: str

    def to_dict(self) -> dict:
        return {"iri": self.iri, "label": self.label}


@dataclass
class Responsibility:
    """One body's responsibility: role, validity, legal basis, sources, evidence grade."""

    body: Ref
    role: str
    function: Ref | None = None
    from_: str | None = None
    from_known: bool = False
    until: str | None = None
    until_known: bool = True
    legal_basis: list[Ref] = field(default_factory=list)
    sources: list[Ref] = field(default_factory=list)
    evidence: str | None = None
    assignment: str | None = None
    via: str = "assignment"
    started_by: list[Ref] = field(default_factory=list)
    ended_by: list[Ref] = field(default_factory=list)
    succeeds: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "body": self.body.to_dict(),
            "role": self.role,
            "function": self.function.to_dict() if self.function else None,
            "from": self.from_,
            "from_known": self.from_known,
            "until": self.until,
            "until_known": self.until_known,
            "legal_basis": [r.to_dict() for r in self.legal_basis],
            "sources": [r.to_dict() for r in self.sources],
            "evidence": self.evidence,
            "assignment": self.assignment,
            "via": self.via,
            "started_by": [r.to_dict() for r in self.started_by],
            "ended_by": [r.to_dict() for r in self.ended_by],
        }

    def period_text(self) -> str:
        start = self.from_ or ("?" if not self.from_known else "")
        if self.until:
            end = self.until
        elif not self.until_known:
            end = "?"
        else:
            end = "open"
        return f"{start or '?'} .. {end}"

    def sort_key(self) -> tuple:
        rank = _ROLE_ORDER.index(self.role) if self.role in _ROLE_ORDER else len(_ROLE_ORDER)
        return (rank, self.body.label.casefold(), self.function.label.casefold()
                if self.function else "", self.from_ or "", self.assignment or "")


# --- queries ---------------------------------------------------------------------------------

def values_clause(var: str, iris: Iterable[str]) -> str:
    """A VALUES block of IRIs that came from the store or the index (never user text)."""
    terms = " ".join(str(ox.NamedNode(i)) for i in sorted(set(iris)))
    return f"VALUES ?{var} {{ {terms} }}"


# the assignments of the subjects, with role, grade and dates (a template: values, pattern,
# date filter)
_ASSIGNMENT_CORE = """  {values}
  {pattern}
  ?a mig:body ?body ; mig:function ?fn .
  OPTIONAL {{ ?a mig:role ?role }}
  OPTIONAL {{ ?a mig:evidenceGrade ?grade }}
  OPTIONAL {{ ?a mig:period ?p .
    OPTIONAL {{ ?p time:hasBeginning ?b . OPTIONAL {{ ?b time:inXSDDate ?from }} }}
    OPTIONAL {{ ?p time:hasEnd ?e . OPTIONAL {{ ?e time:inXSDDate ?until }} }} }}
  {date_filter}
"""

_ASG_QUERY = (
    "SELECT {on_var}?x ?a ?fn ?body ?role ?grade ?b ?from ?e ?until ?rel ?val WHERE {{\n"
    + _ASSIGNMENT_CORE + """  OPTIONAL {{
    {{ ?a mig:legalBasis ?val BIND("basis" AS ?rel) }}
    UNION {{ ?a dcterms:source ?val BIND("source" AS ?rel) }}
    UNION {{ ?a prov:wasDerivedFrom ?val BIND("derived" AS ?rel) }}
    UNION {{ ?a mig:startedBy ?val BIND("startedBy" AS ?rel) }}
    UNION {{ ?a mig:endedBy ?val BIND("endedBy" AS ?rel) }}
    UNION {{ ?a mig:succeeds ?val BIND("succeeds" AS ?rel) }}
  }}
}}""")

_DATE_FILTER = "FILTER((!BOUND(?from) || ?from <= ?on) && (!BOUND(?until) || ?until >= ?on))"


# for a few subjects (``who``): the assignment once, then its details keyed by the assignments
_CORE_QUERY = ("SELECT ?x ?a ?fn ?body ?role ?grade ?from ?e ?until WHERE {{\n" + _ASSIGNMENT_CORE
               + "}}")

_DETAIL_PROPS = {
    PREFIXES["mig"] + "legalBasis": "basis",
    PREFIXES["dcterms"] + "source": "source",
    PREFIXES["prov"] + "wasDerivedFrom": "derived",
    PREFIXES["mig"] + "startedBy": "startedBy",
    PREFIXES["mig"] + "endedBy": "endedBy",
    PREFIXES["mig"] + "succeeds": "succeeds",
}
_DETAIL_QUERY = """SELECT ?a ?p ?val WHERE {{
  {values}
  ?a ?p ?val . FILTER(?p IN ({props}) && isIRI(?val))
}}"""


def fetch_assignments(
    ctx: Context,
    pattern: str,
    subjects: Iterable[str] | None,
    on: str | None,
    *,
    separate_details: bool = False,
) -> dict[str, list[Responsibility]]:
    """Assignments that ``pattern`` reaches from each subject ``?x`` (valid on ``on`` if given).

    ``pattern`` is SPARQL written here (never user text) that binds ``?a`` from ``?x``.
    Labels are left empty; fill them with ``label_all``. Returns {subject IRI: [entries]}.

    One query by default (it suits a scan of all assignments); ``separate_details`` asks
    for each assignment once and then for the details (legal basis, sources, events,
    predecessors) of those assignments: fewer rows and terms to decode for a few subjects
    (``who``). The details then come in another order; ``label_all`` sorts them.
    """
    values = values_clause("x", subjects) if subjects is not None else ""
    template = _CORE_QUERY if separate_details else _ASG_QUERY
    query = sparql_prologue() + template.format(
        on_var="?on " if on else "", values=values, pattern=pattern,
        date_filter=_DATE_FILTER if on else "",
    )
    bindings = {"on": ox.Literal(on, datatype=_XSD_DATE)} if on else None
    grouped: dict[tuple[str, str], Responsibility] = {}
    for row in ctx.backend.select(query, bindings):
        x = row["x"].value if row.get("x") is not None else ""
        a = row["a"].value
        entry = grouped.get((x, a))
        if entry is None:
            role = row["role"].value.rsplit("/", 1)[-1] if row["role"] is not None else "?"
            grade = row["grade"].value.rsplit("/", 1)[-1] if row["grade"] is not None else None
            entry = Responsibility(
                body=Ref(row["body"].value, ""), role=role, function=Ref(row["fn"].value, ""),
                from_=row["from"].value if row["from"] is not None else None,
                from_known=row["from"] is not None,
                until=row["until"].value if row["until"] is not None else None,
                until_known=row["until"] is not None or row["e"] is None,
                evidence=grade, assignment=a,
            )
            grouped[(x, a)] = entry
        if not separate_details:
            rel = row.get("rel")
            _add_detail(entry, rel.value if rel is not None else None, row.get("val"))
    if separate_details and grouped:
        by_a: dict[str, list[Responsibility]] = {}
        for (_x, a), entry in grouped.items():
            by_a.setdefault(a, []).append(entry)
        query = sparql_prologue() + _DETAIL_QUERY.format(
            values=values_clause("a", by_a), props=", ".join(f"<{p}>" for p in _DETAIL_PROPS),
        )
        for row in ctx.backend.select(query):
            rel = _DETAIL_PROPS.get(row["p"].value)
            for entry in by_a.get(row["a"].value, ()):
                _add_detail(entry, rel, row["val"])
    out: dict[str, list[Responsibility]] = {}
    for (x, _a), entry in grouped.items():
        out.setdefault(x, []).append(entry)
    return out


def _add_detail(entry: Responsibility, rel: str | None, val: object) -> None:
    """One legal basis, source, event or predecessor of an assignment (IRIs only)."""
    if rel is None or val is None or not isinstance(val, ox.NamedNode):
        return
    ref = Ref(val.value, "")
    if rel == "succeeds":
        if val.value not in entry.succeeds:
            entry.succeeds.append(val.value)
    elif rel == "derived":
        # what the claim rests on: a source section counts as a source; acts are basis
        if PREFIXES["src"] in val.value and ref not in entry.sources:
            entry.sources.append(ref)
    else:
        target = {
            "basis": entry.legal_basis, "source": entry.sources,
            "startedBy": entry.started_by, "endedBy": entry.ended_by,
        }.get(rel)
        if target is not None and ref not in target:
            target.append(ref)


_GRADE_CLASSES = (
    ("A", ("Law", "Code", "Treaty")),
    ("B", ("PresidentialDecree", "GovernmentDecree", "MinisterialOrder", "LegalAct")),
    ("C", ("PolicyDocument", "ActDraft")),
    ("D", ("InternationalInstrument",)),
)


def act_grades(ctx: Context, acts: Iterable[str]) -> dict[str, str]:
    """The evidence grade an act gives by its class (docs/model.md): A law … C policy."""
    acts = sorted(set(acts))
    if not acts:
        return {}
    query = sparql_prologue() + (
        f"SELECT ?act ?cls WHERE {{ {values_clause('act', acts)} "
        "{ ?act a ?cls } UNION { ?act eli:is_part_of+ ?whole . ?whole a ?cls } }"
    )
    found: dict[str, set[str]] = {}
    for row in ctx.backend.select(query):
        found.setdefault(row["act"].value, set()).add(row["cls"].value.rsplit("#", 1)[-1])
    out: dict[str, str] = {}
    for act in acts:
        names = found.get(act, set())
        out[act] = next((g for g, cls in _GRADE_CLASSES if names & set(cls)), "D")
    return out


# one UNION branch per property: Oxigraph then looks each ?s up (a VALUES ?p scans)
_LABEL_QUERY = """SELECT ?s ?p ?l WHERE {{
  {values}
  {{ ?s rdfs:label ?l BIND(0 AS ?p) }} UNION {{ ?s skos:prefLabel ?l BIND(1 AS ?p) }}
  UNION {{ ?s eli:title ?l BIND(2 AS ?p) }} UNION {{ ?s dcterms:title ?l BIND(3 AS ?p) }}
}}"""


def fetch_labels(ctx: Context, iris: Iterable[str], lang: str) -> dict[str, str]:
    """Labels in ``lang`` (falling back to en, then any) for IRIs; the index first."""
    out: dict[str, str] = {}
    missing = []
    names = ctx.index.names  # sources, labelled as below when the index was built
    for iri in set(iris):
        ent = ctx.index.entity(iri)
        if ent is not None and ent[3]:
            out[iri] = best_label(ent[3], lang)
        elif iri in names:
            out[iri] = best_label(names[iri], lang)
        else:
            missing.append(iri)
    for chunk_start in range(0, len(missing), 500):
        chunk = missing[chunk_start : chunk_start + 500]
        query = sparql_prologue() + _LABEL_QUERY.format(values=values_clause("s", chunk))
        found: dict[str, dict[str, tuple[int, str]]] = {}
        for row in ctx.backend.select(query):
            lit = row["l"]
            if not isinstance(lit, ox.Literal):
                continue
            lg = lit.language or ""
            rank = int(row["p"].value)
            cur = found.setdefault(row["s"].value, {}).get(lg)
            if cur is None or (rank, lit.value) < cur:
                found[row["s"].value][lg] = (rank, lit.value)
        for iri in chunk:
            labels = {lg: text for lg, (_r, text) in found.get(iri, {}).items()}
            out[iri] = best_label(labels, lang) if labels else compact(iri)
    return out


def label_all(
    ctx: Context, entries: Iterable[Responsibility], lang: str, also: Iterable[str] = ()
) -> dict[str, str]:
    """Fill in the labels of every Ref in ``entries`` with one label lookup (which also
    labels the IRIs ``also``); returns the labels looked up."""
    entries = list(entries)
    iris: set[str] = set(also)
    for e in entries:
        refs = [e.body, *e.legal_basis, *e.sources, *e.started_by, *e.ended_by]
        if e.function:
            refs.append(e.function)
        iris.update(r.iri for r in refs)
    labels = fetch_labels(ctx, iris, lang)

    def fix(refs: list[Ref]) -> list[Ref]:
        return sorted((Ref(r.iri, labels.get(r.iri, r.iri)) for r in refs),
                      key=lambda r: (r.label.casefold(), r.iri))

    for e in entries:
        e.body = Ref(e.body.iri, labels.get(e.body.iri, e.body.iri))
        if e.function:
            e.function = Ref(e.function.iri, labels.get(e.function.iri, e.function.iri))
        e.legal_basis = fix(e.legal_basis)
        e.sources = fix(e.sources)
        e.started_by = fix(e.started_by)
        e.ended_by = fix(e.ended_by)
    return labels


def _as_iri(text: str) -> str | None:
    text = text.strip()
    if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", text):
        return text
    m = re.fullmatch(r"([A-Za-z][\w-]*):([^\s<>\"{}|\\^`]*)", text)
    if m and m.group(1) in PREFIXES:
        return PREFIXES[m.group(1)] + m.group(2)
    return None


def looks_like_iri(text: str) -> bool:
    """Is ``text`` a full http(s) IRI or a CURIE with one of the model's prefixes?"""
    return _as_iri(text) is not None


def resolve_iri(ctx: Context, text: str) -> str | None:
    """A full IRI or a CURIE (``body:ministry-of-labour``) that names a thing in the graph."""
    iri = _as_iri(text)
    if iri is None:
        return None
    if ctx.index.entity(iri) is not None:
        return iri
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return None
    query = "ASK { { ?s ?p ?o } UNION { ?o ?p ?s } }"
    return iri if ctx.backend.ask(query, {"s": node}) else None
