"""The prefixes of the model (docs/model.md), shared by queries, exports and output."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["BASE", "MIG", "PREFIXES", "compact", "sparql_prologue", "turtle_prologue"]

BASE = "https://w3id.org/migkg/"
MIG = BASE + "ontology#"

PREFIXES: dict[str, str] = {
    "mig": MIG,
    "role": BASE + "role/",
    "grade": BASE + "grade/",
    "raci": BASE + "raci/",
    "mgi": BASE + "mgi/",
    "kind": BASE + "kind/",
    "unit": BASE + "unit/",
    "body": BASE + "id/body/",
    "act": BASE + "id/act/",
    "fn": BASE + "id/function/",
    "asg": BASE + "id/assignment/",
    "sys": BASE + "id/system/",
    "cat": BASE + "id/category/",
    "place": BASE + "id/place/",
    "prog": BASE + "id/programme/",
    "stat": BASE + "id/stat/",
    "rec": BASE + "id/rec/",
    "event": BASE + "id/event/",
    "src": BASE + "id/source/",
    "period": BASE + "id/period/",
    "org": "http://www.w3.org/ns/org#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "qb": "http://purl.org/linked-data/cube#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def sparql_prologue() -> str:
    """PREFIX lines for every prefix of the model, for queries written inline."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def turtle_prologue() -> str:
    """@prefix lines for every prefix of the model, for Turtle written by code and tests."""
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())


@lru_cache(maxsize=65536)
def compact(iri: str) -> str:
    """``https://w3id.org/migkg/id/body/x`` → ``body:x`` where a prefix fits, else the IRI."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        local = iri[len(PREFIXES[best]) :]
        if local and all(c.isalnum() or c in "-_./" for c in local):
            return f"{best}:{local}"
    return iri
