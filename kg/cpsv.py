"""``migkg export --profile cpsv-ap``: the public services as CPSV-AP 3.2.0 on a date.

Every ``mig:PublicService`` becomes a ``cpsv:PublicService`` whose competent authority
(``cv:hasCompetentAuthority``) is the state body accountable on the date for a function
that ``mig:deliversService`` it: an assignment valid on the date whose role maps to RACI
"A" (the role's ``skos:broadMatch`` in ontology/schemes.ttl). Its legal resources
(``cv:hasLegalResource``) are the legal bases of those assignments; the other bodies holding
such a function on the date take part through a ``cv:Participation`` (role: our role
concept, description: what the graph says). Bodies are ``cv:PublicOrganisation`` (state
bodies) and ``foaf:Agent``.

Values CPSV-AP requires that the sources do not state are derived from the data, never
invented: ``dcterms:identifier`` is the thing's IRI; ``dcterms:title`` its labels;
``dcterms:description`` its ``skos:definition``; a body's ``dcterms:spatial`` is
Kazakhstan (``place:kazakhstan``: every body of the graph is an organ of the Republic of
Kazakhstan, docs/model.md). A service with no accountable state body on the date has no
competent authority that can be derived, and CPSV-AP requires one: it is left out and
reported in ``CpsvExport.skipped`` (the CLI prints them on stderr).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import UsageError
from kg.fileio import emit
from kg.namespaces import PREFIXES, sparql_prologue
from kg.responsibility import (
    fetch_assignments,
    fetch_labels,
    get_context,
    parse_date,
    values_clause,
)

__all__ = ["CPSV", "CV", "CpsvExport", "cpsv_triples", "export_cpsv"]

CPSV = "http://purl.org/vocab/cpsv#"
CV = "http://data.europa.eu/m8g/"
FOAF = "http://xmlns.com/foaf/0.1/"
_KZ = PREFIXES["place"] + "kazakhstan"
_ROLE_NS = PREFIXES["role"]
_PREFIXES = {
    "cpsv": CPSV, "cv": CV, "foaf": FOAF,
    **{p: PREFIXES[p] for p in ("rdf", "rdfs", "skos", "dcterms", "eli", "xsd", "body", "act",
                                "prog", "place", "role", "src")},
    "part": PREFIXES["prog"] + "participation/",
}

_SERVICES = """SELECT ?s WHERE { ?s a mig:PublicService }"""

_TEXTS = """SELECT ?x ?p ?l WHERE {{
  {values}
  {{ ?x rdfs:label ?l BIND("label" AS ?p) }}
  UNION {{ ?x skos:definition ?l BIND("definition" AS ?p) }}
  UNION {{ ?x dcterms:source ?l BIND("source" AS ?p) }}
  UNION {{ ?x eli:id_local ?l BIND("id_local" AS ?p) }}
  UNION {{ ?x rdfs:seeAlso ?l BIND("seeAlso" AS ?p) }}
  UNION {{ ?x eli:is_part_of ?l BIND("part_of" AS ?p) }}
  UNION {{ ?l mig:deliversService ?x BIND("delivered_by" AS ?p) }}
  UNION {{ ?x a ?c . ?c rdfs:subClassOf* mig:StateBody BIND(mig:StateBody AS ?l)
           BIND("state" AS ?p) }}
}}"""

_RACI = """SELECT ?role ?letter WHERE {
  ?role a mig:Role ; skos:broadMatch ?l . ?l skos:inScheme raci:scheme ; skos:notation ?letter }"""


@dataclass
class CpsvExport:
    """What the export wrote: the date, the services, the ones left out and why."""

    on: str
    triples: list[ox.Triple] = field(default_factory=list)
    services: dict[str, list[str]] = field(default_factory=dict)  # service → authorities
    skipped: dict[str, str] = field(default_factory=dict)  # service → reason


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def cpsv_triples(on: str | _dt.date | None = None, *, store=None,
                 endpoint: str | None = None) -> CpsvExport:
    """The CPSV-AP view of the public services on ``on`` (default today)."""
    from kg.matrix import check_not_before_data

    day = parse_date(on, "--on")
    ctx = get_context(store, endpoint)
    check_not_before_data(ctx, day, "--on")
    pro = sparql_prologue()
    services = sorted(r["s"].value for r in ctx.backend.select(pro + _SERVICES))
    letters = {r["role"].value: r["letter"].value for r in ctx.backend.select(pro + _RACI)}
    found = fetch_assignments(
        ctx, "?f mig:deliversService ?x . ?a mig:function ?f .", services, day) if services \
        else {}
    result = CpsvExport(day)

    things = set(services) | {_KZ}
    for entries in found.values():
        for e in entries:
            things.add(e.body.iri)
            things.update(r.iri for r in e.legal_basis)
            things.add(_ROLE_NS + e.role)
    texts: dict[str, dict[str, list]] = {}
    pending = set(things)
    while pending:  # acts and the acts their articles are part of
        query = pro + _TEXTS.format(values=values_clause("x", pending))
        pending = set()
        for row in ctx.backend.select(query):
            x, p, val = row["x"].value, row["p"].value, row["l"]
            texts.setdefault(x, {}).setdefault(p, []).append(val)
            if p == "part_of" and val.value not in texts and val.value not in things:
                things.add(val.value)
                pending.add(val.value)
    labels_en = fetch_labels(ctx, things, "en")

    rdf, rdfs, skos, dct = (PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["skos"],
                            PREFIXES["dcterms"])
    eli = PREFIXES["eli"]
    out: set[ox.Triple] = set()

    def add(s: str, p: str, o) -> None:
        out.add(ox.Triple(_nn(s), _nn(p), o if not isinstance(o, str) else _nn(o)))

    def lang_texts(x: str, key: str) -> list[ox.Literal]:
        return sorted((v for v in texts.get(x, {}).get(key, [])
                       if isinstance(v, ox.Literal) and v.language), key=str)

    def iri_values(x: str, key: str) -> list[str]:
        return sorted({v.value for v in texts.get(x, {}).get(key, [])
                       if isinstance(v, ox.NamedNode)})

    def is_state(x: str) -> bool:
        return bool(texts.get(x, {}).get("state"))

    def agent(x: str) -> None:
        add(x, rdf + "type", FOAF + "Agent")
        add(x, dct + "identifier", ox.Literal(x))
        for lit in lang_texts(x, "label"):
            add(x, dct + "title", lit)
            add(x, rdfs + "label", lit)
        if is_state(x):
            add(x, rdf + "type", CV + "PublicOrganisation")
            for lit in lang_texts(x, "label"):
                add(x, skos + "prefLabel", lit)
            add(x, dct + "spatial", _KZ)
        for src in iri_values(x, "source"):
            add(x, dct + "source", src)

    def legal(x: str) -> None:
        add(x, rdf + "type", eli + "LegalResource")
        for lit in lang_texts(x, "label"):
            add(x, rdfs + "label", lit)
        for code in texts.get(x, {}).get("id_local", []):
            add(x, eli + "id_local", ox.Literal(code.value))
        for page in iri_values(x, "seeAlso"):
            add(x, rdfs + "seeAlso", page)
        for whole in iri_values(x, "part_of"):
            add(x, eli + "is_part_of", whole)
            legal(whole)

    for svc in services:
        entries = sorted(found.get(svc, []), key=lambda e: (e.body.iri, e.role,
                                                            e.assignment or ""))
        leads = [e for e in entries
                 if letters.get(_ROLE_NS + e.role) == "A" and is_state(e.body.iri)]
        if not leads:
            held = sorted({e.body.iri for e in entries})
            if not iri_values(svc, "delivered_by"):
                reason = "no function in the graph delivers it (mig:deliversService)"
            elif held:
                reason = (f"no state body is accountable (RACI A) on {day} for a function that "
                          f"delivers it; held only by "
                          f"{', '.join(labels_en.get(b, b) for b in held)} in other roles")
            else:
                reason = f"no body holds a function that delivers it on {day}"
            result.skipped[svc] = reason + ", so no competent authority can be derived"
            continue
        result.services[svc] = sorted({e.body.iri for e in leads})
        add(svc, rdf + "type", CPSV + "PublicService")
        add(svc, dct + "identifier", ox.Literal(svc))
        for lit in lang_texts(svc, "label"):
            add(svc, dct + "title", lit)
        for lit in lang_texts(svc, "definition"):
            add(svc, dct + "description", lit)
        add(svc, dct + "spatial", _KZ)
        for src in iri_values(svc, "source"):
            add(svc, dct + "source", src)
        for e in leads:
            add(svc, CV + "hasCompetentAuthority", e.body.iri)
            agent(e.body.iri)
            for basis in e.legal_basis:
                add(svc, CV + "hasLegalResource", basis.iri)
                legal(basis.iri)
        lead_ids = {e.assignment for e in leads}
        for e in entries:
            if e.assignment in lead_ids:
                continue
            part = f"{PREFIXES['prog']}participation/{_slug(svc)}--{_slug(e.assignment or '')}"
            role = _ROLE_NS + e.role
            role_label = labels_en.get(role, e.role)
            period = f"{e.from_ or 'a start the sources do not give'} to " + (
                e.until or ("an end the sources do not give" if not e.until_known else "open"))
            add(svc, CV + "hasParticipation", part)
            add(part, rdf + "type", CV + "Participation")
            add(part, dct + "identifier", ox.Literal(part))
            add(part, dct + "description", ox.Literal(
                f"{labels_en.get(e.body.iri, e.body.iri)} takes part in "
                f"\"{labels_en.get(svc, svc)}\" as {role_label} "
                f"(RACI {letters.get(role, '?')}) of \"{labels_en.get(e.function.iri, '')}\""
                f" from {period}; evidence grade {e.evidence or '-'}.", language="en"))
            add(part, CV + "role", role)
            add(part, CV + "hasParticipant", e.body.iri)
            add(role, rdf + "type", skos + "Concept")
            for lit in lang_texts(role, "label"):
                add(role, skos + "prefLabel", lit)
            agent(e.body.iri)
            for src in sorted(r.iri for r in e.sources):
                add(part, dct + "source", src)
    if result.services:
        add(_KZ, rdf + "type", dct + "Location")
        for lit in lang_texts(_KZ, "label"):
            add(_KZ, rdfs + "label", lit)
    result.triples = sorted(out, key=lambda t: (str(t.subject), str(t.predicate),
                                                str(t.object)))
    return result


_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
            "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}


def export_cpsv(on: str | _dt.date | None = None, fmt: str = "ttl",
                output: Path | str | None = None, *, store=None,
                endpoint: str | None = None) -> CpsvExport:
    """Write the CPSV-AP view as ``fmt`` to ``output`` (stdout when None or ``-``)."""
    if fmt not in _FORMATS:
        raise UsageError(f"--profile cpsv-ap writes RDF: use --format "
                         f"{', '.join(_FORMATS)}, not {fmt}")
    result = cpsv_triples(on, store=store, endpoint=endpoint)
    prefixes = _PREFIXES if fmt in ("ttl", "xml") else None
    emit(ox.serialize(result.triples, None, _FORMATS[fmt], prefixes=prefixes), output)
    return result
