"""migkg: a knowledge graph of who governs migration in Kazakhstan.

The public API is plain functions over the embedded store (or a SPARQL endpoint) that
return plain data; the ``migkg`` command is a thin layer over them.
"""

from __future__ import annotations

from kg.diff import DiffResult, diff
from kg.errors import InputError, MigkgError, UsageError, ValidationFailed
from kg.explain import Card, explain
from kg.export import export_graph
from kg.gaps import Gap, GapReport, gaps
from kg.matrix import Matrix, matrix
from kg.querying import QueryResult, query
from kg.stats import GraphStats, graph_stats
from kg.store import BuildResult, build, open_store
from kg.validate import Report, validate
from kg.who import WhoResult, who

__all__ = [
    "BuildResult",
    "Card",
    "DiffResult",
    "Gap",
    "GapReport",
    "GraphStats",
    "InputError",
    "Matrix",
    "MigkgError",
    "QueryResult",
    "Report",
    "UsageError",
    "ValidationFailed",
    "WhoResult",
    "build",
    "diff",
    "explain",
    "export_graph",
    "gaps",
    "graph_stats",
    "matrix",
    "open_store",
    "query",
    "validate",
    "who",
]

__version__ = "0.1.0"
