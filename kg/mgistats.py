"""The gap findings counted by MGI domain on a date, as a Data Cube data set SPARQL can chart.

``migkg gaps --on DATE --by mgi --format ttl`` writes one ``qb:Observation`` per MGI domain
(all six, zeros included) of the data set ``stat:gaps-by-mgi`` with the structure
``mig:dsd-gaps-by-mgi`` (ontology/migkg.ttl): dimensions ``mig:refDate`` (the date) and
``mig:mgiArea`` (the domain), measure ``mig:count`` (findings), attributes ``mig:unit``
(``unit:findings``) and ``dcterms:source`` (the sources of the findings counted; for a
domain with none, the data set's own sources). The data set node is the same for every
date, so the files of several dates load together into one store (``migkg build --data``)
and one query charts them over time::

    SELECT ?date ?domain (SAMPLE(?n) AS ?count) WHERE {
      ?o qb:dataSet stat:gaps-by-mgi ; mig:refDate ?date ; mig:mgiArea/skos:notation ?domain ;
         mig:count ?n }
    GROUP BY ?date ?domain ORDER BY ?date ?domain

The coding of gap kinds to MGI domains is this project's analysis, not IOM's MGI score.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.gaps import GapReport
from kg.namespaces import PREFIXES

__all__ = ["DATASET", "gap_counts", "gap_counts_triples", "gap_counts_turtle"]

DATASET = PREFIXES["stat"] + "gaps-by-mgi"
_BASE_SOURCES = (PREFIXES["src"] + "mussina-paper", PREFIXES["src"] + "legal-acts-reference")

_DOMAINS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX mgi: <https://w3id.org/migkg/mgi/>
SELECT ?d ?n WHERE { mgi:scheme skos:hasTopConcept ?d . ?d skos:notation ?n }"""


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def gap_counts(report: GapReport, backend) -> list[dict]:
    """``[{"domain": IRI, "notation": "1", "count": n, "sources": [IRI…]}]`` for all six."""
    domains = sorted(((row["d"].value, row["n"].value) for row in backend.select(_DOMAINS)),
                     key=lambda d: d[1])
    out = []
    for iri, notation in domains:
        found = [g for g in report.gaps if ((g.mgi or {}).get("domain") or {}).get("iri") == iri]
        sources = sorted({s["iri"] for g in found for s in g.sources})
        out.append({"domain": iri, "notation": notation, "count": len(found),
                    "sources": sources or list(_BASE_SOURCES)})
    return out


def gap_counts_triples(report: GapReport, backend) -> list[ox.Triple]:
    """The data set and its observations on ``report.on`` as triples, sorted."""
    rdf, rdfs, mig, qb = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["mig"], PREFIXES["qb"]
    skos, dct, xsd = PREFIXES["skos"], PREFIXES["dcterms"], PREFIXES["xsd"]
    ds = _nn(DATASET)
    triples = [
        ox.Triple(ds, _nn(rdf + "type"), _nn(qb + "DataSet")),
        ox.Triple(ds, _nn(rdfs + "label"),
                  ox.Literal("Gap findings by MGI domain", language="en")),
        ox.Triple(ds, _nn(rdfs + "label"),
                  ox.Literal("Выявленные пробелы по доменам MGI", language="ru")),
        ox.Triple(ds, _nn(skos + "definition"), ox.Literal(
            "Number of findings of `migkg gaps` per MGI domain on a date. The assignment of "
            "gap kinds to MGI domains is the migkg project's own analytical coding, not "
            "IOM's Migration Governance Indicators assessment or score.", language="en")),
        ox.Triple(ds, _nn(qb + "structure"), _nn(mig + "dsd-gaps-by-mgi")),
        *(ox.Triple(ds, _nn(dct + "source"), _nn(s)) for s in _BASE_SOURCES),
    ]
    for item in gap_counts(report, backend):
        obs = _nn(f"{DATASET}/{report.on}/{item['notation']}")
        triples += [
            ox.Triple(obs, _nn(rdf + "type"), _nn(qb + "Observation")),
            ox.Triple(obs, _nn(rdfs + "label"), ox.Literal(
                f"Gap findings in MGI domain {item['notation']} on {report.on}",
                language="en")),
            ox.Triple(obs, _nn(qb + "dataSet"), ds),
            ox.Triple(obs, _nn(mig + "refDate"),
                      ox.Literal(report.on, datatype=_nn(xsd + "date"))),
            ox.Triple(obs, _nn(mig + "mgiArea"), _nn(item["domain"])),
            ox.Triple(obs, _nn(mig + "count"),
                      ox.Literal(str(item["count"]), datatype=_nn(xsd + "integer"))),
            ox.Triple(obs, _nn(mig + "unit"), _nn(PREFIXES["unit"] + "findings")),
            *(ox.Triple(obs, _nn(dct + "source"), _nn(s)) for s in item["sources"]),
        ]
    triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return triples


def gap_counts_turtle(report: GapReport, backend) -> str:
    """The data set as Turtle with the model's prefixes."""
    used = ("rdf", "rdfs", "skos", "qb", "mig", "mgi", "stat", "src", "unit", "dcterms", "xsd")
    data = ox.serialize(gap_counts_triples(report, backend), None, ox.RdfFormat.TURTLE,
                        prefixes={p: PREFIXES[p] for p in used})
    return data.decode("utf-8")
