"""Every reused term exists in the vocabulary as published, with the kind we declare it as.

The published vocabularies are copied in ``tests/vocab/`` (from the project's shared folder);
Data Cube terms are checked against rdflib's ``QB`` namespace.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import source_files

VOCAB = Path(__file__).parent / "vocab"
NAMESPACES = {
    "http://www.w3.org/ns/org#": ["org.ttl", "cpov-ap-2.1.2.ttl"],
    "http://data.europa.eu/eli/ontology#": ["eli.ttl"],
    "http://www.w3.org/ns/prov#": ["prov-o.ttl"],
    "http://www.w3.org/2004/02/skos/core#": ["skos.ttl"],
    "http://purl.org/dc/terms/": ["dcterms.ttl"],
    "http://www.w3.org/2006/time#": ["time.ttl"],
    "http://purl.org/vocab/cpsv#": ["cpsv-ap-3.2.0.ttl"],
    "http://data.europa.eu/m8g/": ["cpsv-ap-3.2.0.ttl", "cpov-ap-2.1.2.ttl"],
}
QB = "http://purl.org/linked-data/cube#"


def _published() -> set[str]:
    terms: set[str] = set()
    for files in NAMESPACES.values():
        for name in files:
            for t in ox.parse(path=str(VOCAB / name)):
                for term in (t.subject, t.object):
                    if isinstance(term, ox.NamedNode):
                        terms.add(term.value)
    return terms


def _used() -> set[str]:
    """Every predicate and every IRI object (classes included) of the ontology and data."""
    used: set[str] = set()
    for path in source_files():
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            used.add(t.predicate.value)
            if isinstance(t.object, ox.NamedNode):
                used.add(t.object.value)
    return used


def test_every_reused_term_exists_in_its_published_vocabulary():
    from rdflib.namespace import QB as RDFLIB_QB

    published = _published()
    qb_terms = {str(t) for t in dir(RDFLIB_QB) if str(t).startswith(QB)}
    missing = []
    for term in sorted(_used()):
        if term.startswith(QB):
            if term not in qb_terms:
                missing.append(term)
        elif any(term.startswith(ns) for ns in NAMESPACES) and term not in published:
            missing.append(term)
    assert missing == []


@pytest.mark.parametrize("name", ["org.ttl", "eli.ttl", "prov-o.ttl", "skos.ttl",
                                  "dcterms.ttl", "time.ttl"])
def test_the_vocabulary_copies_are_present(name: str):
    assert (VOCAB / name).stat().st_size > 1000
