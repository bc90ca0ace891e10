"""migkg: a knowledge graph of who governs migration in Kazakhstan.

The public API is plain functions over the embedded store (or a SPARQL endpoint) that
return plain data; the ``migkg`` command is a thin layer over them.
"""

from __future__ import annotations

_LAZY: dict[str, str] = {
    "DiffResult": "kg.diff",
    "diff": "kg.diff",
    "InputError": "kg.errors",
    "MigkgError": "kg.errors",
    "UsageError": "kg.errors",
    "ValidationFailed": "kg.errors",
    "Card": "kg.explain",
    "explain": "kg.explain",
    "export_graph": "kg.export",
    "Gap": "kg.gaps",
    "GapReport": "kg.gaps",
    "gaps": "kg.gaps",
    "Matrix": "kg.matrix",
    "matrix": "kg.matrix",
    "QueryResult": "kg.querying",
    "query": "kg.querying",
    "GraphStats": "kg.stats",
    "graph_stats": "kg.stats",
    "BuildResult": "kg.store",
    "build": "kg.store",
    "open_store": "kg.store",
    "Report": "kg.validate",
    "validate": "kg.validate",
    "WhoResult": "kg.who",
    "who": "kg.who",
}


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


def __getattr__(name: str):
    """Import the public API on first use, so ``import kg`` (and ``migkg who``) stays light."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
