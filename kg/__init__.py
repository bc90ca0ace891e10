"""migkg: a knowledge graph of who governs migration in Kazakhstan.

The public API is plain functions over the embedded store (or a SPARQL endpoint) that
return plain data; the ``migkg`` command is a thin layer over them.
"""

from __future__ import annotations

import sys as _sys
import types as _types

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


class _Package(_types.ModuleType):
    """``kg.who`` is the function even after ``kg.who`` the module is imported.

    The import system binds a submodule to its package's attribute of the same name (who,
    gaps, diff, explain, validate, matrix); as the eager imports used to, keep the function.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if (isinstance(value, _types.ModuleType) and name in _LAZY
                and value.__name__ == f"{__name__}.{name}" and hasattr(value, name)):
            value = getattr(value, name)
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


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
