"""Pictures of the graph: an interactive offline HTML explorer, a timeline, network measures.

>>> from visualise import render
>>> page = render("path/to/store", focus="Ministry of Labour", on="2022-06-01")

``render`` returns the path of the page it wrote. The path also displays itself inline in
Jupyter (it has ``_repr_html_``: the page in a sandboxed ``<iframe srcdoc>``); or use
``IPython.display.IFrame(str(page), width="100%", height=700)`` when the notebook serves
the file. Heavy imports (pyvis, networkx) happen only inside the functions that use them.
"""

from __future__ import annotations

import html as _html
import os
from pathlib import Path, PosixPath

from kg.errors import UsageError

__all__ = ["RenderedPage", "analyse", "render", "write_atomic"]

DEFAULT_OUTPUT = "migkg-graph.html"
DEFAULT_TIMELINE = "migkg-timeline.html"


class RenderedPage(PosixPath):
    """A path to a written page that Jupyter shows inline."""

    def _repr_html_(self) -> str:
        doc = self.read_text(encoding="utf-8")
        return (f'<iframe srcdoc="{_html.escape(doc, quote=True)}" sandbox="allow-scripts" '
                'style="width:100%;height:720px;border:1px solid #ccc"></iframe>')


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to a temp file beside ``path`` and rename it into place."""
    from kg.fileio import write_atomic as _write

    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a file name ending in .html")
    return _write(path, text)


def _backend(source):
    """A Backend from a Backend, a pyoxigraph Store, or a store path."""
    if hasattr(source, "select"):
        return source
    import pyoxigraph as ox

    if isinstance(source, ox.Store):
        from kg.sparql import EmbeddedBackend

        return EmbeddedBackend(source)
    if isinstance(source, str | os.PathLike):
        from kg.sparql import connect

        return connect(source)
    raise UsageError(f"cannot draw a {type(source).__name__}: give a store, a path or a backend")


def _body_sizes(backend, graph) -> dict[str, float]:
    """Bodies sized by their degree in the institutional network (0..1, largest = 1)."""
    from visualise.analysis import institutional_network

    bodies = [iri for iri, n in graph.nodes.items() if n.kind == "body"]
    if not bodies:
        return {}
    net = institutional_network(backend, graph.on, around=bodies, lang=graph.lang)
    deg = dict.fromkeys(bodies, 0)
    for a, b in net.links:
        for end in (a, b):
            if end in deg:
                deg[end] += 1
    top = max(deg.values()) or 1
    return {b: d / top for b, d in deg.items()}


def render(  # noqa: PLR0917 - the documented positional signature
        graph_or_backend, output: str | os.PathLike | None = None, focus: str | None = None,
           depth: int = 2, on: str | None = None, include=None, lang: str = "en",
           layout: str = "force", *, timeline: bool = False, max_nodes: int | None = None,
           title: str | None = None) -> RenderedPage:
    """Write the interactive page (or, with ``timeline=True``, the timeline) and return its path.

    ``graph_or_backend`` is a store path, a ``pyoxigraph.Store``, a ``kg.sparql`` backend,
    or a :class:`visualise.graph.VisGraph` already extracted (then the filters are its own).
    """
    from visualise.graph import VisGraph, extract
    from visualise.html import MAX_NODES, page_html

    target = Path(output) if output else Path(DEFAULT_TIMELINE if timeline else DEFAULT_OUTPUT)
    if timeline:
        from visualise.timeline import extract_timeline, timeline_html

        if isinstance(graph_or_backend, VisGraph):
            raise UsageError("the timeline needs a store or a backend, not an extracted graph")
        tl = extract_timeline(_backend(graph_or_backend), lang=lang)
        text = timeline_html(tl, title=title, lang=lang)
    else:
        if isinstance(graph_or_backend, VisGraph):
            graph, sizes = graph_or_backend, None
        else:
            backend = _backend(graph_or_backend)
            graph = extract(backend, focus=focus, depth=depth, on=on, include=include, lang=lang)
            sizes = _body_sizes(backend, graph)
        text = page_html(graph, layout=layout, max_nodes=max_nodes or MAX_NODES, sizes=sizes,
                         title=title)
    write_atomic(target, text)
    return RenderedPage(target)


def analyse(graph_or_backend, on: str | None = None, lang: str = "en") -> dict:
    """The institutional network's measures (see :mod:`visualise.analysis`)."""
    from visualise.analysis import analyse as _analyse

    return _analyse(_backend(graph_or_backend), on=on, lang=lang)
