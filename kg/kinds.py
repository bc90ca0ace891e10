"""The kinds of things the graph holds, as analysts name them, and the classes behind them.

One table used by ``stats``, the who-lookup, the matrix and the pictures, so a kind means the
same everywhere. Membership is by ``rdf:type/rdfs:subClassOf*`` over the ontology in the store.
"""

from __future__ import annotations

from kg.namespaces import PREFIXES

__all__ = ["KINDS", "kind_values_clause"]

_M = PREFIXES["mig"]
_ORG = PREFIXES["org"]
_ELI = PREFIXES["eli"]
_QB = PREFIXES["qb"]
_DCT = PREFIXES["dcterms"]

# kind -> classes (an instance of any of them, or of a subclass, is of that kind)
KINDS: dict[str, tuple[str, ...]] = {
    "body": (_ORG + "Organization",),
    "act": (_ELI + "LegalResource",),
    "article": (_ELI + "LegalResourceSubdivision",),
    "function": (_M + "Function",),
    "assignment": (_M + "Assignment",),
    "system": (_M + "InformationSystem",),
    "category": (_M + "MigrantCategory",),
    "place": (_DCT + "Location",),
    "programme": (
        _M + "Quota",
        _M + "QuotaScheme",
        _M + "Benefit",
        _M + "Procedure",
        _M + "Operation",
        _M + "PublicService",
    ),
    "statistic": (_QB + "Observation",),
    "dataset": (_QB + "DataSet",),
    "recommendation": (_M + "Recommendation",),
    "problem": (_M + "Problem",),
    "event": (_ORG + "ChangeEvent",),
    "source": (_M + "SourceDocument", _M + "SourceSection"),
}


def kind_values_clause(var_kind: str = "?kind", var_class: str = "?kindClass") -> str:
    """A SPARQL ``VALUES`` block pairing each kind name with its classes."""
    rows = " ".join(
        f'("{kind}" <{cls}>)' for kind, classes in KINDS.items() for cls in classes
    )
    return f"VALUES ({var_kind} {var_class}) {{ {rows} }}"
