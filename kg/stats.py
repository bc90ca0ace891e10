"""What the graph holds: triples, things of each kind, assignments by role, label languages."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.kinds import KINDS, kind_values_clause
from kg.namespaces import sparql_prologue

__all__ = ["GraphStats", "graph_stats"]


@dataclass
class GraphStats:
    """Counts that describe the graph; every dict is sorted by key."""

    triples: int
    kinds: dict[str, int] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)
    label_languages: dict[str, int] = field(default_factory=dict)


class _BackendView:
    """A ``kg.sparql`` backend (e.g. a remote endpoint) seen as the bits of a Store used here."""

    def __init__(self, backend) -> None:
        self.backend = backend

    def query(self, query: str) -> list[dict]:
        return self.backend.select(query).rows

    def __len__(self) -> int:
        rows = self.backend.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        return int(rows[0]["n"].value)


def graph_stats(store) -> GraphStats:
    """Count what the store (an ``ox.Store`` or a ``kg.sparql`` backend) holds."""
    if not isinstance(store, ox.Store):
        store = _BackendView(store)
    stats = GraphStats(triples=len(store))
    counts = dict.fromkeys(KINDS, 0)
    query = (
        sparql_prologue()
        + "SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE { "
        + kind_values_clause()
        + " ?x a/rdfs:subClassOf* ?kindClass . FILTER(!isBlank(?x)) } GROUP BY ?kind"
    )
    for row in store.query(query):
        counts[row["kind"].value] = int(row["n"].value)
    stats.kinds = dict(sorted(counts.items()))
    roles = store.query(
        sparql_prologue()
        + "SELECT ?role (COUNT(?a) AS ?n) WHERE { ?a a mig:Assignment ; mig:role ?r . "
        "?r rdfs:label ?role . FILTER(lang(?role) = 'en') }"
        " GROUP BY ?role"
    )
    stats.roles = dict(sorted((r["role"].value, int(r["n"].value)) for r in roles))
    langs = store.query(
        sparql_prologue()
        + "SELECT ?lang (COUNT(*) AS ?n) WHERE { ?x rdfs:label|skos:altLabel|skos:prefLabel ?l ."
        " BIND(lang(?l) AS ?lang) FILTER(?lang != '') } GROUP BY ?lang"
    )
    stats.label_languages = dict(sorted((r["lang"].value, int(r["n"].value)) for r in langs))
    return stats
