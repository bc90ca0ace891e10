"""Export the whole graph (ontology + data) in a standard RDF format, deterministically.

Blank nodes get canonical labels (RDFC-1.0) and triples are sorted, so an unchanged graph
exports byte-for-byte the same. The file is written aside and renamed into place.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import UsageError
from kg.fileio import emit
from kg.namespaces import PREFIXES

__all__ = ["FORMATS", "export_graph", "graph_triples"]

FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}


def graph_triples(store) -> list[ox.Triple]:
    """All triples of the default graph, blank nodes canonicalised, sorted.

    ``store`` is an ``ox.Store`` or a ``kg.sparql`` backend (``--endpoint``: read by
    ``CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }``, checked against a count so a row cap on
    the endpoint cannot cut the export short unnoticed).
    """
    if not isinstance(store, ox.Store):
        dataset = ox.Dataset(_remote_quads(store))
    else:
        dataset = ox.Dataset(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in dataset]
    triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return triples


def _remote_quads(backend) -> list[ox.Quad]:
    triples = backend.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    count = backend.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]
    if count is not None and len(set(triples)) < int(count.value):
        raise UsageError(
            f"the endpoint returned {len(set(triples))} of {count.value} triples "
            "(a row limit on the endpoint?); export from the store or raise the limit"
        )
    return [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]


def _serialize(triples: Iterable[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, None, fmt, prefixes=prefixes)


def export_graph(store: ox.Store, fmt: str, output: Path | str | None = None) -> int:
    """Write the graph as ``fmt`` to ``output`` (stdout when None); return the triple count."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    triples = graph_triples(store)
    emit(_serialize(triples, FORMATS[fmt]), output)
    return len(triples)
