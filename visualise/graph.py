"""The picture's nodes and edges, read from a Backend with SPARQL (no pyvis, no networkx here).

What is drawn (docs/model.md):

- nodes: every IRI that is an instance of a drawn kind (body, person, function, act,
  system, category, programme, place, recommendation, problem, event; ``article`` on
  request). A node's kind is its first kind in :data:`KIND_ORDER`; assignments, sources and
  statistics are never nodes.
- an assignment is ONE edge body → function labelled by its role, carrying its period,
  legal basis, grade, sources and quote; ``on`` keeps only the assignments valid that day
  (docs/dev.md: no dated start or start <= on, and no dated end or end >= on).
- the other edges are the object properties of :data:`RELATIONS` between two drawn nodes,
  one edge per (subject, relation, object); ``org:unitOf`` and ``org:subOrganizationOf``
  are one relation ("part of"); ``mig:exchangesDataWith`` is symmetric (one edge per pair).
  When articles are not drawn, an edge to an article goes to the act it is part of.
- ``focus`` + ``depth``: the nodes within ``depth`` steps of the focus over these edges
  (either direction) and every edge among them. The neighbourhood is fetched level by level
  with ``VALUES`` blocks, so its cost depends on the neighbourhood, not on the graph.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import UsageError
from kg.kinds import KINDS
from kg.namespaces import PREFIXES, compact, sparql_prologue

__all__ = [
    "DEFAULT_KINDS",
    "DRAWN_KINDS",
    "KIND_ORDER",
    "RELATIONS",
    "Edge",
    "Node",
    "VisGraph",
    "extract",
    "parse_date",
    "resolve_focus",
]

_M = PREFIXES["mig"]
_ORG = PREFIXES["org"]
_ELI = PREFIXES["eli"]
_SKOS = PREFIXES["skos"]
_DCT = PREFIXES["dcterms"]
_RDFS = PREFIXES["rdfs"]
_PROV = PREFIXES["prov"]

#: kinds in order of precedence: a thing of two kinds takes the first. The first four are
#: never drawn (an assignment is an edge; sources, statistics are details).
KIND_ORDER: tuple[str, ...] = (
    "assignment", "source", "statistic", "dataset",
    "body", "person", "function", "article", "act", "system", "category", "programme",
    "place", "recommendation", "problem", "event",
)
DRAWN_KINDS: tuple[str, ...] = KIND_ORDER[4:]
DEFAULT_KINDS: tuple[str, ...] = tuple(k for k in DRAWN_KINDS if k != "article")

_KIND_CLASSES: dict[str, tuple[str, ...]] = {**KINDS, "person": (_PROV + "Person",)}

# relation key -> (English label, properties, inverse properties, symmetric)
RELATIONS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], bool]] = {
    "part-of": ("part of", (_ORG + "unitOf", _ORG + "subOrganizationOf", _DCT + "isPartOf",
                            _ELI + "is_part_of"),
                (_ORG + "hasUnit", _ORG + "hasSubOrganization", _ELI + "has_part"), False),
    "broader": ("broader", (_SKOS + "broader",), (_SKOS + "narrower",), False),
    "exchanges-data": ("exchanges data with", (_M + "exchangesDataWith",), (), True),
    "legal-basis": ("legal basis", (_M + "legalBasis",), (), False),
    "passed-by": ("passed by", (_ELI + "passed_by",), (), False),
    "based-on": ("based on", (_ELI + "based_on",), (), False),
    "responsibility-of": ("responsibility of", (_ELI + "responsibility_of_agent",
                                                _ELI + "responsibility_of"), (), False),
    "approves": ("approves", (_M + "approves",), (), False),
    "endorses": ("endorses", (_M + "endorses",), (), False),
    "succeeds": ("succeeds", (_M + "succeedsAct",), (), False),
    "amends": ("amends", (_ELI + "amends", _ELI + "changes"), (), False),
    "repeals": ("repeals", (_ELI + "repeals",), (), False),
    "set-by": ("set by", (_M + "setBy",), (), False),
    "quota-scheme": ("quota scheme", (_M + "quotaScheme",), (), False),
    "for-category": ("for", (_M + "forCategory",), (), False),
    "target-region": ("target region", (_M + "targetRegion",), (), False),
    "provided-under": ("provided under", (_M + "providedUnder",), (), False),
    "conducted-by": ("conducted by", (_M + "conductedBy",), (), False),
    "recommended-by": ("recommended by", (_M + "recommendedBy",), (), False),
    "addressed-to": ("addressed to", (_M + "addressedTo",), (), False),
    "proposes-body": ("proposes", (_M + "proposesBody",), (), False),
    "implemented-by": ("implemented by", (_M + "implementedBy",), (), False),
    "concerns": ("concerns", (_M + "concerns",), (), False),
    "concerns-category": ("concerns", (_M + "concernsCategory",), (), False),
    "concerns-system": ("about system", (_M + "concernsSystem",), (), False),
    "depends-on-system": ("needs data of", (_M + "dependsOnSystem",), (), False),
    "delivers-service": ("delivers", (_M + "deliversService",), (), False),
    "labour-inflow-from": ("labour inflow from", (_M + "labourInflowFrom",), (), False),
    "labour-outflow-to": ("labour outflow to", (_M + "labourOutflowTo",), (), False),
    "agreement-with": ("agreement with", (_M + "hasAgreementWith",), (), False),
    "member-state": ("member state", (_M + "memberState",), (), False),
    "transfers-function": ("transfers", (_M + "transfersFunction",), (), False),
    "original-organization": ("from", (_ORG + "originalOrganization",), (), False),
    "resulting-organization": ("to", (_ORG + "resultingOrganization",), (), False),
    "attributed-to": ("attributed to", (_PROV + "wasAttributedTo",), (), False),
}

_PROP_TO_REL: dict[str, tuple[str, bool]] = {}
for _key, (_label, _props, _inverse, _sym) in RELATIONS.items():
    for _p in _props:
        _PROP_TO_REL[_p] = (_key, False)
    for _p in _inverse:
        _PROP_TO_REL[_p] = (_key, True)

_LABEL_PROPS = (_RDFS + "label", _SKOS + "prefLabel", _SKOS + "altLabel")
_LANGS = ("en", "ru", "kk")


@dataclass
class Node:
    """A drawn thing: its IRI, kind, labels by language and what the side panel shows."""

    iri: str
    kind: str
    label: str = ""
    labels: dict[str, list[str]] = field(default_factory=dict)
    alt_labels: dict[str, list[str]] = field(default_factory=dict)
    definition: str = ""
    period: dict[str, str | None] | None = None
    status: str = ""
    code: str = ""
    legal_basis: list[dict[str, str]] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)

    @property
    def curie(self) -> str:
        return compact(self.iri)


@dataclass
class Edge:
    """A drawn edge: an assignment (``relation == "assignment"``) or a relation between nodes."""

    source: str
    target: str
    relation: str
    label: str
    iri: str = ""
    role: str = ""
    role_label: str = ""
    period: dict[str, str | None] | None = None
    grade: str = ""
    legal_basis: list[dict[str, str]] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)
    quote: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.source, self.relation, self.target, self.iri)


@dataclass
class VisGraph:
    """What a page draws: nodes by IRI, edges, and the filter that produced them."""

    nodes: dict[str, Node]
    edges: list[Edge]
    lang: str = "en"
    on: str | None = None
    focus: str | None = None
    depth: int | None = None
    include: tuple[str, ...] = DEFAULT_KINDS

    def sorted_nodes(self) -> list[Node]:
        return [self.nodes[k] for k in sorted(self.nodes)]

    def degree(self) -> dict[str, int]:
        deg = dict.fromkeys(self.nodes, 0)
        for e in self.edges:
            deg[e.source] += 1
            deg[e.target] += 1
        return deg


# --- helpers ---------------------------------------------------------------------------------

def parse_date(text: str | None) -> str | None:
    """``YYYY-MM-DD`` checked; a bad date is a usage error."""
    if text is None:
        return None
    try:
        return _dt.date.fromisoformat(str(text)).isoformat()
    except ValueError:
        raise UsageError(f"bad date {text!r}: use YYYY-MM-DD") from None


def _nt(iri: str) -> str:
    return str(ox.NamedNode(iri))


def _values(var: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(_nt(i) for i in sorted(iris))} }}"


def _union(props: Iterable[str], s: str = "?s", o: str = "?o", p: str = "?p") -> str:
    """``{ s <p1> o BIND(<p1> AS p) } UNION …``: one index lookup per property.

    (A ``VALUES ?p`` block joined with ``?s ?p ?o`` is far slower in Oxigraph.)
    """
    return " UNION ".join(
        f"{{ {s} {_nt(prop)} {o} BIND({_nt(prop)} AS {p}) }}" for prop in sorted(props)
    )


_ASG_VALUES = 500


def _chunks(items: Iterable[str], size: int = 2000) -> list[list[str]]:
    items = sorted(set(items))
    return [items[i:i + size] for i in range(0, len(items), size)] or []


def _val(term: object) -> str | None:
    if term is None:
        return None
    return term.value  # type: ignore[attr-defined]


def _pick(by_lang: Mapping[str, Sequence[str]], lang: str) -> str:
    for candidate in (lang, *_LANGS, ""):
        if by_lang.get(candidate):
            return sorted(by_lang[candidate])[0]
    for key in sorted(by_lang):
        if by_lang[key]:
            return sorted(by_lang[key])[0]
    return ""


class _Reader:
    """Runs the extraction queries and caches what it learnt about IRIs."""

    def __init__(self, backend, include: Sequence[str], lang: str, on: str | None) -> None:
        self.backend = backend
        self.include = tuple(include)
        self.lang = lang
        self.on = on
        self.kind: dict[str, str | None] = {}
        self.top_act: dict[str, str | None] = {}
        self._class_kinds: dict[str, set[str]] | None = None

    def select(self, query: str, bindings: Mapping | None = None):
        return self.backend.select(sparql_prologue() + query, bindings)

    # kinds --------------------------------------------------------------------------------
    def class_kinds(self) -> dict[str, set[str]]:
        """Every class of the ontology → the kinds it belongs to (asked once)."""
        if self._class_kinds is None:
            pairs = {c: k for k in KIND_ORDER for c in _KIND_CLASSES.get(k, ())}
            q = "SELECT ?c ?kc WHERE { " + " UNION ".join(
                f"{{ ?c rdfs:subClassOf* {_nt(c)} BIND({_nt(c)} AS ?kc) }}" for c in sorted(pairs)
            ) + " }"
            out: dict[str, set[str]] = {}
            for r in self.select(q):
                out.setdefault(r["c"].value, set()).add(pairs[r["kc"].value])
            self._class_kinds = out
        return self._class_kinds

    def _store_kinds(self, rows, iris: Iterable[str] | None) -> None:
        classes = self.class_kinds()
        found: dict[str, set[str]] = {}
        for r in rows:
            x, t = r["x"], r["t"]
            if isinstance(x, ox.NamedNode) and t is not None and t.value in classes:
                found.setdefault(x.value, set()).update(classes[t.value])
        for iri, kinds in found.items():
            self.kind[iri] = next(k for k in KIND_ORDER if k in kinds)
        for iri in iris or ():
            self.kind.setdefault(iri, None)

    def load_all_kinds(self) -> None:
        self._store_kinds(self.select("SELECT DISTINCT ?x ?t WHERE { ?x a ?t . }"), ())
        self.all_loaded = True

    def kinds_of(self, iris: Iterable[str]) -> None:
        todo = [i for i in set(iris) if i not in self.kind]
        if getattr(self, "all_loaded", False):
            for i in todo:
                self.kind[i] = None
            return
        for chunk in _chunks(todo):
            q = f"SELECT DISTINCT ?x ?t WHERE {{ {_values('x', chunk)} ?x a ?t . }}"
            self._store_kinds(self.select(q), chunk)

    def fold(self, iri: str) -> str | None:
        """The node an endpoint is drawn as: itself, or its act when articles are hidden."""
        kind = self.kind.get(iri)
        if kind in self.include:
            return iri
        if kind == "article" and "act" in self.include:
            return self.top_act.get(iri)
        return None

    def load_top_acts(self) -> None:
        arts = [i for i, k in self.kind.items() if k == "article" and i not in self.top_act]
        if not arts or "article" in self.include:
            return
        for chunk in _chunks(arts):
            q = (f"SELECT ?x ?top WHERE {{ {_values('x', chunk)} ?x eli:is_part_of+ ?top . "
                 "?top a/rdfs:subClassOf* eli:LegalResource . "
                 "MINUS { ?top a/rdfs:subClassOf* eli:LegalResourceSubdivision } }")
            tops: dict[str, list[str]] = {}
            for r in self.select(q):
                tops.setdefault(r["x"].value, []).append(r["top"].value)
            for x in chunk:
                self.top_act[x] = sorted(tops[x])[0] if x in tops else None
        for top in {t for t in self.top_act.values() if t}:
            self.kind.setdefault(top, "act")

    # edges --------------------------------------------------------------------------------
    def assignments(self, frontier: Iterable[str] | None) -> list[Edge]:
        where = (
            "?a a mig:Assignment ; mig:body ?b ; mig:function ?f . "
            "OPTIONAL { ?a mig:role ?role } OPTIONAL { ?a mig:evidenceGrade ?grade } "
            "OPTIONAL { ?a mig:period ?p . "
            "  OPTIONAL { ?p time:hasBeginning ?beg . OPTIONAL { ?beg time:inXSDDate ?from } } "
            "  OPTIONAL { ?p time:hasEnd ?end . OPTIONAL { ?end time:inXSDDate ?until } } } "
        )
        if self.on:
            where += "FILTER((!BOUND(?from) || ?from <= ?on) && (!BOUND(?until) || ?until >= ?on)) "
        select = "SELECT ?a ?b ?f ?role ?grade ?from ?until ?beg" + (" ?on" if self.on else "") \
            + " WHERE { "
        bindings = {"on": ox.Literal(self.on, datatype=ox.NamedNode(PREFIXES["xsd"] + "date"))} \
            if self.on else None
        rows = []
        if frontier is None:
            rows = list(self.select(select + where + "}", bindings))
        else:
            for chunk in _chunks(frontier):
                for var in ("b", "f"):
                    # at most _ASG_VALUES values a query: above ~1,000 Oxigraph evaluates the
                    # OPTIONALs for every assignment (1M triples: 1,500 values 4.6 s, 500
                    # values 0.2 s)
                    for start in range(0, len(chunk), _ASG_VALUES):
                        part = chunk[start:start + _ASG_VALUES]
                        q = select + _values(var, part) + " " + where + "}"
                        rows += list(self.select(q, bindings))
        edges: dict[str, Edge] = {}
        for r in rows:
            a = r["a"]
            if not isinstance(a, ox.NamedNode) or a.value in edges:
                continue
            period = {
                "from": _val(r["from"]), "until": _val(r["until"]),
                "start_unknown": r["beg"] is not None and r["from"] is None,
            }
            edges[a.value] = Edge(
                source=r["b"].value, target=r["f"].value, relation="assignment", label="",
                iri=a.value, role=_val(r["role"]) or "", grade=compact(_val(r["grade"]) or ""),
                period=period,  # type: ignore[arg-type]
            )
        return list(edges.values())

    def relations(self, frontier: Iterable[str] | None,
                  among: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
        """(s, p, o) of the relations with an end in ``frontier`` (all when None).

        With ``among`` (a superset of ``frontier``), only those whose two ends are in
        ``among``: read forward from ``among`` (one subject range each; the object is
        checked here, a second VALUES block would be joined as a cross product), so the
        incoming edges of a hub (thousands) are never read.
        """
        rows = []
        if frontier is None:
            base = f"{_union(_PROP_TO_REL)} FILTER(isIRI(?o) && isIRI(?s)) "
            rows = list(self.select(f"SELECT DISTINCT ?s ?p ?o WHERE {{ {base} }}"))
        elif among is not None:
            front = set(frontier)
            among = set(among)
            for chunk in _chunks(among):
                q = (f"SELECT DISTINCT ?s ?p ?o WHERE {{ {_values('s', chunk)} ?s ?p ?o . "
                     "FILTER(isIRI(?o)) }")
                rows += [r for r in self.select(q) if r["p"].value in _PROP_TO_REL
                         and r["o"].value in among
                         and (r["s"].value in front or r["o"].value in front)]
        else:  # a bound subject (or object) reads one index range; the property is checked here
            for chunk in _chunks(frontier):
                for var in ("s", "o"):
                    q = (f"SELECT DISTINCT ?s ?p ?o WHERE {{ {_values(var, chunk)} ?s ?p ?o . "
                         "FILTER(isIRI(?o) && isIRI(?s)) }")
                    rows += [r for r in self.select(q) if r["p"].value in _PROP_TO_REL]
        return [(r["s"].value, r["p"].value, r["o"].value) for r in rows]

    def edges_around(self, frontier: Iterable[str] | None,
                     among: Iterable[str] | None = None) -> list[Edge]:
        """Edges touching ``frontier`` (all edges when None) whose two ends are drawn.

        With ``among`` (the nodes found so far, ``frontier`` included), only what can be an
        edge between two of them is read: an end is drawn as a node of ``among`` only if it
        is one, or is an article whose act (which it is a part of) is one. The other ends
        are never looked up.
        """
        frontier = None if frontier is None else sorted(set(frontier))
        asg = self.assignments(frontier)
        rel_frontier = frontier
        if frontier is not None and "article" not in self.include:
            # what cites an article of an act in the frontier is a neighbour of the act
            acts = [f for f in frontier if self.kind.get(f) == "act"]
            arts: set[str] = set()
            for chunk in _chunks(acts):
                q = (f"SELECT ?x ?act WHERE {{ {_values('act', chunk)} "
                     "?x eli:is_part_of+ ?act . }")
                for r in self.select(q):
                    x = r["x"].value
                    arts.add(x)
                    self.kind.setdefault(x, "article")
                    self.top_act.setdefault(x, r["act"].value)
            rel_frontier = sorted(set(frontier) | arts)
        allowed = None
        if among is not None:
            allowed = set(among) | set(rel_frontier or ())
            if "act" in self.include and "article" not in self.include:
                q = (f"SELECT ?x WHERE {{ {_values('act', among)} "
                     "?x eli:is_part_of+ ?act . }")
                allowed |= {r["x"].value for r in self.select(q)}
        rel = self.relations(rel_frontier, allowed)
        ends = {e.source for e in asg} | {e.target for e in asg}
        ends |= {t[0] for t in rel} | {t[2] for t in rel}
        self.kinds_of(ends if allowed is None else ends & allowed)
        self.load_top_acts()
        out: list[Edge] = []
        for e in asg:
            s, t = self.fold(e.source), self.fold(e.target)
            if s and t:
                out.append(e)
        seen: set[tuple[str, str, str]] = set()
        for s0, p, o0 in rel:
            key, inverse = _PROP_TO_REL[p]
            s, o = self.fold(s0), self.fold(o0)
            if not s or not o or s == o:
                continue
            if inverse:
                s, o = o, s
            if RELATIONS[key][3]:
                s, o = sorted((s, o))
            if (s, key, o) in seen:
                continue
            seen.add((s, key, o))
            out.append(Edge(source=s, target=o, relation=key, label=RELATIONS[key][0]))
        return out

    # node details ---------------------------------------------------------------------------
    def labels(self, iris: Iterable[str]) -> dict[str, dict[str, dict[str, list[str]]]]:
        """iri -> {"main"|"alt": {lang: [labels]}}."""
        out: dict[str, dict[str, dict[str, list[str]]]] = {}
        for chunk in _chunks(iris):
            q = (f"SELECT ?x ?p ?l WHERE {{ {_values('x', chunk)} "
                 f"{_union(_LABEL_PROPS, '?x', '?l')} FILTER(isLiteral(?l)) }}")
            for r in self.select(q):
                slot = "alt" if r["p"].value.endswith("altLabel") else "main"
                lit = r["l"]
                lang = lit.language or ""
                bucket = out.setdefault(r["x"].value, {"main": {}, "alt": {}})[slot]
                values = bucket.setdefault(lang, [])
                if lit.value not in values:
                    values.append(lit.value)
        for entry in out.values():
            for slot in entry.values():
                for lang in slot:
                    slot[lang].sort()
        return out

    def details(self, iris: Iterable[str]) -> dict[str, list[tuple[str, object]]]:
        props = (_SKOS + "definition", _DCT + "source", _M + "legalBasis", _M + "validFor",
                 _M + "validityStatus", _ELI + "id_local", _M + "effectiveDate",
                 _M + "quote", _PROV + "wasDerivedFrom")
        out: dict[str, list[tuple[str, object]]] = {}
        for chunk in _chunks(iris):
            q = f"SELECT ?x ?p ?v WHERE {{ {_values('x', chunk)} {_union(props, '?x', '?v')} }}"
            for r in self.select(q):
                out.setdefault(r["x"].value, []).append((r["p"].value, r["v"]))
        return out

    def periods(self, iris: Iterable[str]) -> dict[str, dict[str, str | None]]:
        out: dict[str, dict[str, str | None]] = {}
        for chunk in _chunks(iris):
            q = (f"SELECT ?p ?from ?until WHERE {{ {_values('p', chunk)} "
                 "OPTIONAL { ?p time:hasBeginning/time:inXSDDate ?from } "
                 "OPTIONAL { ?p time:hasEnd/time:inXSDDate ?until } }")
            for r in self.select(q):
                out[r["p"].value] = {"from": _val(r["from"]), "until": _val(r["until"])}
        return out

    def parents(self, iris: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(iris):
            q = (f"SELECT ?x ?parent WHERE {{ {_values('x', chunk)} "
                 "?x dcterms:isPartOf|eli:is_part_of ?parent . FILTER(isIRI(?parent)) }")
            for r in self.select(q):
                out.setdefault(r["x"].value, r["parent"].value)
        return out


def _ref(iri: str, names: Mapping[str, str], parents: Mapping[str, str]) -> dict[str, str]:
    """A reference for the side panel: IRI, CURIE, label, and the document it is a part of."""
    ref = {"iri": iri, "curie": compact(iri), "label": names.get(iri) or compact(iri)}
    parent = parents.get(iri)
    if parent:
        ref["part_of"] = names.get(parent) or compact(parent)
    return ref


def _fill_details(reader: _Reader, nodes: dict[str, Node], edges: list[Edge]) -> None:
    lang = reader.lang
    node_details = reader.details(nodes)
    asg_iris = [e.iri for e in edges if e.relation == "assignment"]
    asg_details = reader.details(asg_iris)
    referenced: set[str] = set()
    periods: set[str] = set()
    for rows in (*node_details.values(), *asg_details.values()):
        for p, v in rows:
            if isinstance(v, ox.NamedNode):
                if p == _M + "validFor":
                    periods.add(v.value)
                else:
                    referenced.add(v.value)
    referenced |= {e.role for e in edges if e.role}
    parents = reader.parents(referenced)
    referenced |= set(parents.values())
    label_map = reader.labels(set(nodes) | referenced)
    names = {iri: _pick(entry["main"], lang) or _pick(entry["alt"], lang)
             for iri, entry in label_map.items()}
    period_map = reader.periods(periods)

    def refs(rows, prop):
        items = [_ref(v.value, names, parents) for p, v in rows
                 if p == prop and isinstance(v, ox.NamedNode)]
        return sorted(items, key=lambda r: (r["label"].lower(), r["iri"]))

    def text(rows, prop):
        lits = [v for p, v in rows if p == prop and isinstance(v, ox.Literal)]
        by_lang: dict[str, list[str]] = {}
        for lit in lits:
            by_lang.setdefault(lit.language or "", []).append(lit.value)
        return _pick(by_lang, lang)

    for iri, node in nodes.items():
        entry = label_map.get(iri, {"main": {}, "alt": {}})
        node.labels = entry["main"]
        node.alt_labels = entry["alt"]
        node.label = _pick(entry["main"], lang) or _pick(entry["alt"], lang) or compact(iri)
        rows = node_details.get(iri, [])
        node.definition = text(rows, _SKOS + "definition")
        node.code = text(rows, _ELI + "id_local")
        node.legal_basis = refs(rows, _M + "legalBasis")
        sources = refs(rows, _DCT + "source")
        node.sources = sources
        status = [v.value for p, v in rows if p == _M + "validityStatus"
                  and isinstance(v, ox.NamedNode)]
        node.status = compact(sorted(status)[0]).split(":")[-1] if status else ""
        valid = [v.value for p, v in rows if p == _M + "validFor" and isinstance(v, ox.NamedNode)]
        if valid:
            node.period = period_map.get(sorted(valid)[0])
        effective = text(rows, _M + "effectiveDate")
        if effective and node.period is None:
            node.period = {"from": effective, "until": None}
    for e in edges:
        if e.relation != "assignment":
            continue
        rows = asg_details.get(e.iri, [])
        e.role_label = names.get(e.role) or compact(e.role).split(":")[-1] or "assigned"
        e.label = e.role_label
        e.legal_basis = refs(rows, _M + "legalBasis")
        e.sources = refs(rows, _DCT + "source")
        derived = refs(rows, _PROV + "wasDerivedFrom")
        known = {s["iri"] for s in e.sources}
        e.sources += [d for d in derived if d["iri"] not in known]
        e.quote = text(rows, _M + "quote")


# --- focus -----------------------------------------------------------------------------------

_CURIE = re.compile(r"^([a-z][a-z0-9]*):(\S*)$")


def resolve_focus(backend, text: str, lang: str = "en", *, _reader: _Reader | None = None) -> str:
    """An IRI, a CURIE or label text → the IRI of one drawn thing; unknown → UsageError.

    Text is matched case-insensitively against every label (rdfs:label, skos:prefLabel,
    skos:altLabel, any language): an exact match wins over a label that contains the text;
    then an rdfs:label over an alternative label, bodies and functions over other kinds,
    the shorter label, the IRI.
    """
    text = text.strip()
    if not text:
        raise UsageError("--focus: empty text")
    iri = None
    if re.match(r"^https?://", text):
        iri = text
    else:
        m = _CURIE.match(text)
        if m and m.group(1) in PREFIXES:
            iri = PREFIXES[m.group(1)] + m.group(2)
    reader = _reader or _Reader(backend, DRAWN_KINDS, lang, None)
    if iri is not None:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise UsageError(f"--focus: not a valid IRI: {text}") from None
        reader.kinds_of([iri])
        if reader.kind.get(iri) not in DRAWN_KINDS:
            raise UsageError(f"--focus: {compact(iri)} is not a node of the graph")
        return iri
    q = (sparql_prologue()
         + f"SELECT ?x ?p ?l ?text WHERE {{ {_union(_LABEL_PROPS, '?x', '?l')} FILTER(isIRI(?x)) "
         "FILTER(CONTAINS(LCASE(STR(?l)), LCASE(?text))) }")
    rows = list(backend.select(q, {"text": ox.Literal(text)}))
    reader.kinds_of({r["x"].value for r in rows})
    wanted = text.casefold()
    kind_rank = {k: i for i, k in enumerate(DRAWN_KINDS)}
    best: tuple | None = None
    for r in rows:
        x = r["x"].value
        kind = reader.kind.get(x)
        if kind not in DRAWN_KINDS:
            continue
        label = r["l"].value
        rank = (
            0 if label.casefold() == wanted else 1,
            1 if r["p"].value.endswith("altLabel") else 0,
            kind_rank[kind], len(label), x,
        )
        if best is None or rank < best:
            best = rank
    if best is None:
        fuzzy = _fuzzy_focus(backend, text)
        if fuzzy:
            return fuzzy
        raise UsageError(f"--focus: nothing in the graph is called {text!r}")
    return best[-1]


def _fuzzy_focus(backend, text: str) -> str | None:
    """The label index of ``who`` (word order, inflection, typos), when it is there."""
    try:
        from kg.labelindex import build_index
    except ImportError:  # pragma: no cover - another service; optional
        return None
    matches = [m for m in build_index(backend).search(text, fuzzy=True) if m.score >= 0.6]
    return matches[0].iri if matches else None


# --- extraction ------------------------------------------------------------------------------

def _check_include(include: Iterable[str] | None) -> tuple[str, ...]:
    if include is None:
        return DEFAULT_KINDS
    kinds = tuple(dict.fromkeys(include))
    unknown = [k for k in kinds if k not in DRAWN_KINDS]
    if unknown:
        raise UsageError(
            f"unknown kind {unknown[0]!r}: choose from {', '.join(DRAWN_KINDS)}"
        )
    if not kinds:
        raise UsageError("--include: name at least one kind")
    return kinds


def extract(backend, *, focus: str | None = None, depth: int = 2, on: str | None = None,
            include: Iterable[str] | None = None, lang: str = "en") -> VisGraph:
    """Read the nodes and edges to draw from ``backend`` (see the module doc)."""
    kinds = _check_include(include)
    on = parse_date(on)
    if lang not in _LANGS:
        raise UsageError(f"unknown language {lang!r}: choose en, ru or kk")
    if depth < 0:
        raise UsageError("--depth must be 0 or more")
    reader = _Reader(backend, kinds, lang, on)
    focus_iri = None
    if focus:
        probe = _Reader(backend, DRAWN_KINDS, lang, None)
        focus_iri = resolve_focus(backend, focus, lang, _reader=probe)
        # what the probe learnt about the ontology and the focus, not asked again
        reader._class_kinds = probe._class_kinds
        if focus_iri in probe.kind:
            reader.kind[focus_iri] = probe.kind[focus_iri]
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    if focus_iri is None:
        reader.load_all_kinds()
        for iri, kind in reader.kind.items():
            if kind in kinds:
                nodes[iri] = Node(iri, kind)
        edges = reader.edges_around(None)
    else:
        reader.kinds_of([focus_iri])
        fkind = reader.kind[focus_iri]
        if fkind not in kinds:
            reader.include = kinds = (*kinds, fkind)  # type: ignore[assignment]
        visited = {focus_iri}
        frontier = {focus_iri}
        found: dict[tuple, Edge] = {}
        for _level in range(depth):
            if not frontier:
                break
            new: set[str] = set()
            for e in reader.edges_around(frontier):
                found.setdefault(e.key, e)
                for end in (e.source, e.target):
                    if end not in visited:
                        new.add(end)
            visited |= new
            frontier = new
        if frontier:  # edges among the outermost ring
            for e in reader.edges_around(frontier, among=visited):
                if e.source in visited and e.target in visited:
                    found.setdefault(e.key, e)
        edges = [e for e in found.values() if e.source in visited and e.target in visited]
        for iri in visited:
            nodes[iri] = Node(iri, reader.kind[iri] or "act")
    edges = [e for e in edges if e.source in nodes and e.target in nodes]
    unique: dict[tuple, Edge] = {}
    for e in edges:
        unique.setdefault(e.key, e)
    edges = sorted(unique.values(), key=lambda e: e.key)
    _fill_details(reader, nodes, edges)
    return VisGraph(nodes=dict(sorted(nodes.items())), edges=edges, lang=lang, on=on,
                    focus=focus_iri, depth=depth if focus_iri else None, include=kinds)
