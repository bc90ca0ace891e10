"""Records: the graph's things seen through the layout of :mod:`kg.tables`, and back.

A :class:`Record` is one row: the IRI of a thing and, for each column, the RDF terms it
holds. :func:`extract` reads the records of a sheet from a store; :func:`record_triples`
turns a record into triples; :func:`same_values` compares two records the way an analyst
would (numbers by value, text without surrounding blanks, values as sets). The
:class:`GraphView` answers what import and export ask of the graph: labels, kinds of things,
members of the closed lists, where a subject is defined. :func:`turtle` writes triples as
sorted, readable Turtle.
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from kg.kinds import KINDS
from kg.namespaces import PREFIXES, compact
from kg.tables import CLOSED_LISTS, LITERAL_CHOICES, Field, Sheet, expand

__all__ = [
    "GraphView",
    "Record",
    "extract",
    "record_triples",
    "same_values",
    "turtle",
]

XSD = PREFIXES["xsd"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_RDFS_LABEL = PREFIXES["rdfs"] + "label"
_LABEL_PROPS = (
    _RDFS_LABEL, PREFIXES["skos"] + "prefLabel", PREFIXES["skos"] + "altLabel",
)
_TIME = PREFIXES["time"]
_PERIOD = PREFIXES["period"]
MIG_PERIOD = ox.NamedNode(PREFIXES["mig"] + "period")
HAS_BEGINNING = ox.NamedNode(_TIME + "hasBeginning")
HAS_END = ox.NamedNode(_TIME + "hasEnd")
IN_XSD_DATE = ox.NamedNode(_TIME + "inXSDDate")

_DATATYPES = {
    "text": (XSD + "string",),
    "date": (XSD + "date",),
    "period": (XSD + "date",),
    "year": (XSD + "gYear", XSD + "gYearMonth"),
    "integer": (XSD + "integer",),
    "decimal": (XSD + "decimal",),
    "duration": (XSD + "duration",),
}


# kinds the spreadsheets need beyond kg.kinds.KINDS
EXTRA_KINDS: dict[str, tuple[str, ...]] = {"person": (PREFIXES["prov"] + "Person",)}


@dataclass
class Record:
    """One row: a thing's IRI and the terms of each column (sorted, no duplicates)."""

    sheet: Sheet
    iri: str
    values: dict[str, tuple[ox.NamedNode | ox.Literal, ...]] = field(default_factory=dict)

    def get(self, name: str) -> tuple[ox.NamedNode | ox.Literal, ...]:
        return self.values.get(name, ())

    @property
    def local(self) -> str:
        return self.iri[len(PREFIXES[self.sheet.namespace]):]


def _sorted_terms(terms: Iterable) -> tuple:
    return tuple(sorted(set(terms), key=str))


def _matches(fld: Field, term: ox.Term) -> bool:
    """Does ``term`` belong in column ``fld`` (the property already matched)?"""
    if fld.type in ("ref", "choice", "iri"):
        return isinstance(term, ox.NamedNode)
    if not isinstance(term, ox.Literal):
        return False
    if fld.type == "lang":
        return (term.language or "").lower() == (fld.lang or "").lower()
    if term.language:
        return False
    return term.datatype.value in _DATATYPES[fld.type]


def _date_of(store: ox.Store, instant: ox.Term) -> ox.Literal | None:
    for quad in store.quads_for_pattern(instant, IN_XSD_DATE, None, ox.DefaultGraph()):
        if isinstance(quad.object, ox.Literal):
            return quad.object
    return None


def _period_values(store: ox.Store, subject: ox.NamedNode) -> tuple[tuple, tuple]:
    starts: list[ox.Literal] = []
    ends: list[ox.Literal] = []
    for q in store.quads_for_pattern(subject, MIG_PERIOD, None, ox.DefaultGraph()):
        for b in store.quads_for_pattern(q.object, HAS_BEGINNING, None, ox.DefaultGraph()):
            d = _date_of(store, b.object)
            if d is not None:
                starts.append(d)
        for e in store.quads_for_pattern(q.object, HAS_END, None, ox.DefaultGraph()):
            d = _date_of(store, e.object)
            if d is not None:
                ends.append(d)
    return _sorted_terms(starts), _sorted_terms(ends)


def subjects_of(store: ox.Store, sheet: Sheet) -> list[ox.NamedNode]:
    """The things a sheet lists: asserted (not inferred) type among the sheet's classes, in its
    namespace; sorted by IRI."""
    ns = PREFIXES[sheet.namespace]
    found: set[ox.NamedNode] = set()
    for cls in sheet.type_iris:
        for quad in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(cls), ox.DefaultGraph()):
            s = quad.subject
            if isinstance(s, ox.NamedNode) and s.value.startswith(ns) and len(s.value) > len(ns):
                found.add(s)
    return sorted(found, key=lambda n: n.value)


def read_record(store: ox.Store, sheet: Sheet, subject: ox.NamedNode) -> Record:
    """The record of ``subject`` as ``sheet`` lays it out."""
    by_prop: dict[str, list[ox.Term]] = defaultdict(list)
    for quad in store.quads_for_pattern(subject, None, None, ox.DefaultGraph()):
        by_prop[quad.predicate.value].append(quad.object)
    record = Record(sheet, subject.value)
    types = set(sheet.type_iris)
    for fld in sheet.fields:
        if fld.type == "id":
            continue
        if fld.type == "type":
            vals = [t for t in by_prop.get(RDF_TYPE.value, ()) if t.value in types]
        elif fld.type == "period":
            starts, ends = _period_values(store, subject)
            vals = list(starts if fld.name == "from" else ends)
        else:
            vals = [t for t in by_prop.get(fld.prop_iri or "", ()) if _matches(fld, t)]
        if vals:
            record.values[fld.name] = _sorted_terms(vals)
    return record


def extract(store: ox.Store, sheet: Sheet) -> list[Record]:
    """Every record of ``sheet`` in the store, sorted by IRI."""
    return [read_record(store, sheet, s) for s in subjects_of(store, sheet)]


# --- comparing -------------------------------------------------------------------------------

def _norm(term: ox.Term) -> tuple:
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if not term.language else ""
        value = term.value.strip()
        if dt in (XSD + "decimal", XSD + "integer"):
            with contextlib.suppress(InvalidOperation):
                value = str(Decimal(value).normalize())
        return ("L", value, (term.language or "").lower(), dt)
    return ("I", str(term))


def norm_values(terms: Iterable[ox.Term]) -> frozenset:
    return frozenset(_norm(t) for t in terms)


def differing_columns(a: Record, b: Record) -> list[str]:
    """The columns whose values differ between two records of the same sheet."""
    return [
        f.name for f in a.sheet.fields
        if f.type != "id" and norm_values(a.get(f.name)) != norm_values(b.get(f.name))
    ]


def same_values(a: Record, b: Record) -> bool:
    """Do two records say the same (as sets, numbers by value, text stripped)?"""
    return not differing_columns(a, b)


# --- writing ---------------------------------------------------------------------------------

def period_iri(local: str, start: str | None, end: str | None) -> str:
    """The interval IRI for an assignment's period: readable from its dates."""
    if start and end:
        return f"{_PERIOD}{start}--{end}"
    if start:
        return f"{_PERIOD}from-{start}"
    return f"{_PERIOD}{local.replace('/', '-')}"


def _instant(date: str) -> tuple[ox.NamedNode, list[ox.Triple]]:
    node = ox.NamedNode(_PERIOD + date)
    return node, [
        ox.Triple(node, RDF_TYPE, ox.NamedNode(_TIME + "Instant")),
        ox.Triple(node, IN_XSD_DATE, ox.Literal(date, datatype=ox.NamedNode(XSD + "date"))),
    ]


def period_triples(record: Record) -> list[ox.Triple]:
    """The mig:period of an assignment and its interval and instants (OWL-Time)."""
    subject = ox.NamedNode(record.iri)
    start = record.get("from")[0].value if record.get("from") else None
    end = record.get("until")[0].value if record.get("until") else None
    local = record.local
    interval = ox.NamedNode(period_iri(local, start, end))
    out = [
        ox.Triple(subject, MIG_PERIOD, interval),
        ox.Triple(interval, RDF_TYPE, ox.NamedNode(_TIME + "Interval")),
    ]
    if start:
        begin, triples = _instant(start)
        out += triples
    else:
        begin = ox.NamedNode(f"{_PERIOD}unknown-start-{local.replace('/', '-')}")
        out += [
            ox.Triple(begin, RDF_TYPE, ox.NamedNode(PREFIXES["mig"] + "UnknownInstant")),
            ox.Triple(begin, ox.NamedNode(PREFIXES["rdfs"] + "comment"),
                      ox.Literal("The sources do not date the start of this assignment.",
                                 language="en")),
        ]
    out.append(ox.Triple(interval, HAS_BEGINNING, begin))
    if end:
        finish, triples = _instant(end)
        out += triples
        out.append(ox.Triple(interval, HAS_END, finish))
    return out


def record_triples(record: Record) -> list[ox.Triple]:
    """The triples that state a record (its type, constants, every column; periods)."""
    sheet = record.sheet
    subject = ox.NamedNode(record.iri)
    out: list[ox.Triple] = []
    has_type_column = any(f.type == "type" for f in sheet.fields)
    if not has_type_column:
        out.append(ox.Triple(subject, RDF_TYPE, ox.NamedNode(sheet.type_iris[0])))
    for prop, obj in sheet.constants:
        out.append(ox.Triple(subject, ox.NamedNode(expand(prop)), ox.NamedNode(expand(obj))))
    for fld in sheet.fields:
        values = record.get(fld.name)
        if fld.type == "type":
            out += [ox.Triple(subject, RDF_TYPE, v) for v in values]
        elif fld.prop_iri:
            pred = ox.NamedNode(fld.prop_iri)
            out += [ox.Triple(subject, pred, v) for v in values]
            if sheet.preflabel and fld.prop_iri == _RDFS_LABEL:
                out += [ox.Triple(subject, ox.NamedNode(PREFIXES["skos"] + "prefLabel"), v)
                        for v in values]
    if any(f.type == "period" for f in sheet.fields):
        out += period_triples(record)
    return out


_LOCAL_OK = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-/]*[A-Za-z0-9_\-/])?$")


def _turtle_term(term: ox.Term, used: set[str]) -> str:
    if isinstance(term, ox.NamedNode):
        iri = term.value
        best = ""
        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
                best = prefix
        if best:
            local = iri[len(PREFIXES[best]):]
            if _LOCAL_OK.match(local):
                used.add(best)
                return f"{best}:{local.replace('/', chr(92) + '/')}"
        return str(term)
    if isinstance(term, ox.Literal):
        text = str(ox.Literal(term.value))
        if term.language:
            return f"{text}@{term.language}"
        dt = term.datatype.value
        if dt == XSD + "string":
            return text
        used.add("xsd")
        return f"{text}^^xsd:{dt[len(XSD):]}" if dt.startswith(XSD) else f"{text}^^<{dt}>"
    return str(term)


def turtle(triples: Iterable[ox.Triple], header: str = "") -> str:
    """Triples as Turtle: one block per subject (records first, then periods), ``a`` first,
    predicates and objects sorted; only the prefixes used. Same triples → same text."""
    by_subject: dict[ox.Term, dict[ox.Term, set[ox.Term]]] = defaultdict(lambda: defaultdict(set))
    for t in triples:
        by_subject[t.subject][t.predicate].add(t.object)
    used: set[str] = set()
    blocks: list[str] = []

    def subject_key(s: ox.Term) -> tuple:
        return (str(s).startswith("<" + _PERIOD), str(s))

    for subject in sorted(by_subject, key=subject_key):
        preds = by_subject[subject]
        lines: list[str] = []
        for pred in sorted(preds, key=lambda p: (p != RDF_TYPE, compact(p.value))):
            name = "a" if pred == RDF_TYPE else _turtle_term(pred, used)
            objs = sorted(_turtle_term(o, used) for o in preds[pred])
            lines.append(f"    {name} " + " ,\n        ".join(objs))
        blocks.append(_turtle_term(subject, used) + "\n" + " ;\n".join(lines) + " .\n")
    prefixes = "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in sorted(used))
    head = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return head + ("\n" if head else "") + prefixes + "\n" + "\n".join(blocks)


# --- the graph as import/export see it ---------------------------------------------------------

def _label_key(text: str) -> str:
    return " ".join(text.casefold().split())


class GraphView:
    """Labels, kinds, closed lists and file of origin of the things in a store."""

    def __init__(self, store: ox.Store, subject_files: dict[str, Path] | None = None) -> None:
        self.store = store
        self.subject_files = subject_files or {}
        self._kinds: dict[str, set[str]] | None = None
        self._class_kinds: dict[str, set[str]] | None = None
        self._labels: dict[str, dict[str, str]] | None = None
        self._label_index: dict[str, set[str]] | None = None
        self._typed: set[str] | None = None

    # kinds
    def kinds(self) -> dict[str, set[str]]:
        """IRI → the kinds (kg.kinds) it is an instance of."""
        if self._kinds is None:
            cls_kinds = self.class_kinds()
            out: dict[str, set[str]] = defaultdict(set)
            for quad in self.store.quads_for_pattern(None, RDF_TYPE, None, ox.DefaultGraph()):
                if isinstance(quad.subject, ox.NamedNode):
                    for kind in cls_kinds.get(quad.object.value, ()):
                        out[quad.subject.value].add(kind)
            self._kinds = dict(out)
        return self._kinds

    def class_kinds(self) -> dict[str, set[str]]:
        """Class IRI → kinds, through rdfs:subClassOf* of the ontology in the store."""
        if self._class_kinds is None:
            out: dict[str, set[str]] = defaultdict(set)
            for kind, classes in {**KINDS, **EXTRA_KINDS}.items():
                for cls in classes:
                    # our own class IRIs (kg.kinds), not user text
                    query = ("SELECT DISTINCT ?c WHERE { ?c <http://www.w3.org/2000/01/"
                             f"rdf-schema#subClassOf>* <{cls}> }}")
                    rows = self.store.query(query)
                    out[cls].add(kind)
                    for row in rows:
                        out[row["c"].value].add(kind)
            self._class_kinds = dict(out)
        return self._class_kinds

    def kinds_of_types(self, types: Iterable[str]) -> set[str]:
        cls_kinds = self.class_kinds()
        out: set[str] = set()
        for t in types:
            out |= cls_kinds.get(t, set())
        return out

    def exists(self, iri: str) -> bool:
        """Is ``iri`` described (has a type) in the graph?"""
        if self._typed is None:
            self._typed = {q.subject.value for q in self.store.quads_for_pattern(
                None, RDF_TYPE, None, ox.DefaultGraph()) if isinstance(q.subject, ox.NamedNode)}
        return iri in self._typed

    # labels
    def labels(self) -> dict[str, dict[str, str]]:
        """IRI → {language: rdfs:label} (first by sort order when several)."""
        if self._labels is None:
            out: dict[str, dict[str, str]] = defaultdict(dict)
            quads = sorted(
                self.store.quads_for_pattern(None, ox.NamedNode(_RDFS_LABEL), None,
                                             ox.DefaultGraph()),
                key=lambda q: (str(q.subject), str(q.object)),
            )
            for q in quads:
                if isinstance(q.object, ox.Literal):
                    out[q.subject.value].setdefault((q.object.language or "").lower(),
                                                    q.object.value)
            self._labels = dict(out)
        return self._labels

    def label(self, iri: str) -> str:
        """The English label, else Russian, else any, else the compact IRI."""
        langs = self.labels().get(iri, {})
        for lang in ("en", "ru", "kk", ""):
            if lang in langs:
                return langs[lang]
        if langs:
            return langs[sorted(langs)[0]]
        return compact(iri)

    def label_index(self) -> dict[str, set[str]]:
        """normalised label (rdfs:label, skos:prefLabel, skos:altLabel; any language) → IRIs."""
        if self._label_index is None:
            out: dict[str, set[str]] = defaultdict(set)
            for prop in _LABEL_PROPS:
                for q in self.store.quads_for_pattern(None, ox.NamedNode(prop), None,
                                                      ox.DefaultGraph()):
                    if isinstance(q.object, ox.Literal) and isinstance(q.subject, ox.NamedNode):
                        out[_label_key(q.object.value)].add(q.subject.value)
            self._label_index = dict(out)
        return self._label_index

    def things_of(self, kinds: Sequence[str]) -> list[str]:
        """IRIs of the things of any of ``kinds`` in our instance namespace, sorted."""
        wanted = set(kinds)
        base = "https://w3id.org/migkg/"
        return sorted(i for i, ks in self.kinds().items()
                      if ks & wanted and i.startswith(base))

    # closed lists
    def closed_members(self, name: str) -> dict[str, str]:
        """Short name → IRI for a closed list (from the graph's scheme, else the defaults)."""
        if name in LITERAL_CHOICES:
            return {v: v for v in LITERAL_CHOICES[name]}
        spec = CLOSED_LISTS[name]
        ns = PREFIXES[spec.namespace]
        members: dict[str, str] = {}
        if spec.scheme:
            scheme = ox.NamedNode(ns + "scheme")
            for q in self.store.quads_for_pattern(
                None, ox.NamedNode(PREFIXES["skos"] + "inScheme"), scheme, ox.DefaultGraph()
            ):
                if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ns):
                    members[q.subject.value[len(ns):]] = q.subject.value
        if not members:
            members = {d: ns + d for d in spec.defaults}
        return dict(sorted(members.items()))

    def where(self, iri: str) -> str:
        path = self.subject_files.get(iri)
        return path.name if path else "the graph"


def ref_text(view: GraphView, iri: str) -> str:
    """How a reference is written in a cell: ``label [prefix:slug]``."""
    label = view.label(iri).replace("|", "/").replace("[", "(").replace("]", ")")
    curie = compact(iri)
    label = " ".join(label.split())
    return curie if label == curie else f"{label} [{curie}]"
