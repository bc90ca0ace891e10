"""migkg: a knowledge graph of who governs migration in Kazakhstan.

The public API is plain functions over the embedded store (or a SPARQL endpoint) that
return plain data; the ``migkg`` command is a thin layer over them.
"""

from __future__ import annotations

from kg.errors import InputError, MigkgError, UsageError, ValidationFailed
from kg.export import export_graph
from kg.stats import GraphStats, graph_stats
from kg.store import BuildResult, build, open_store
from kg.validate import Report, validate

__all__ = [
    "BuildResult",
    "GraphStats",
    "InputError",
    "MigkgError",
    "Report",
    "UsageError",
    "ValidationFailed",
    "build",
    "export_graph",
    "graph_stats",
    "open_store",
    "validate",
]

__version__ = "0.1.0"
