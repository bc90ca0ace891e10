"""``migkg publish``: replace a named graph of an external SPARQL 1.1 store with the graph.

Two ways, tried in this order with ``method="auto"``:

1. **Graph Store HTTP Protocol**: one ``PUT <gsp-url>?graph=<IRI>`` with the whole graph as
   N-Triples. The store replaces the graph in one operation.
2. **SPARQL 1.1 Update**: ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } }`` in
   one request (one transaction in Oxigraph, Fuseki, GraphDB). A graph larger than
   ``chunk_bytes`` is sent as that first request plus further ``INSERT DATA`` requests,
   which is then no longer atomic; triples with blank nodes all go in the first request,
   since a blank node label only holds within one operation.

Either way a re-publish replaces the graph, so it never duplicates triples. Afterwards the
triples of the graph are counted through the query endpoint and compared with the local
count. Plain ``urllib``; HTTP Basic authentication with a password the caller read from an
environment variable (never from the command line).

URLs: ``endpoint`` is the query endpoint (or the server's base URL). The update and GSP URLs
are derived for Oxigraph's layout (``/query``, ``/update``, ``/store``) unless given.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import UsageError, ValidationFailed

__all__ = ["DEFAULT_GRAPH", "PublishResult", "derive_urls", "publish"]

DEFAULT_GRAPH = "https://w3id.org/migkg/graph"
CHUNK_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class PublishResult:
    """What was pushed where, how, and what the store reported back."""

    endpoint: str
    graph: str
    method: str  # "gsp" or "update"
    triples: int
    remote_triples: int
    requests: int


@dataclass(frozen=True)
class Urls:
    query: str
    update: str
    gsp: str | None


def derive_urls(endpoint: str, update_url: str | None = None,
                gsp_url: str | None = None) -> Urls:
    """The query, update and Graph Store URLs for ``endpoint``.

    A base URL (``http://host:7878``) or a ``…/query`` URL gets Oxigraph's ``/query``,
    ``/update`` and ``/store``; any other query URL is also used for updates and has no
    Graph Store URL unless ``gsp_url`` is given.
    """
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{endpoint}: an endpoint URL must start with http:// or https://")
    path = parts.path.rstrip("/")
    if path == "" or path.endswith("/query"):
        base = path[: -len("/query")] if path.endswith("/query") else path
        root = urllib.parse.urlunsplit((parts.scheme, parts.netloc, base, "", ""))
        query = root + "/query"
        update = update_url or root + "/update"
        gsp = gsp_url or root + "/store"
    else:
        query = endpoint
        update = update_url or endpoint
        gsp = gsp_url
    return Urls(query, update, gsp)


class _Http:
    def __init__(self, user: str | None, password: str | None, timeout: float) -> None:
        if password is not None and not user:
            raise UsageError("a password needs --user")
        self.auth = None
        if user:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
            self.auth = f"Basic {token}"
        self.timeout = timeout
        self.requests = 0

    def send(self, method: str, url: str, body: bytes | None, headers: dict[str, str]
             ) -> tuple[int, bytes]:
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        if self.auth:
            request.add_header("Authorization", self.auth)
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()
        except (urllib.error.URLError, OSError, TimeoutError) as err:
            reason = getattr(err, "reason", err)
            raise UsageError(f"cannot reach {url}: {reason}") from None


def _local_triples(store: Path | str | None) -> list[ox.Triple]:
    from kg.export import graph_triples
    from kg.store import open_store

    return graph_triples(open_store(store))


def _nt(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)


def _put_gsp(http: _Http, urls: Urls, graph: str, payload: bytes) -> tuple[bool, str]:
    """PUT the graph; (True, "") when stored, (False, why) when GSP is not offered."""
    assert urls.gsp is not None
    url = f"{urls.gsp}?{urllib.parse.urlencode({'graph': graph})}"
    status, body = http.send("PUT", url, payload, {"Content-Type": "application/n-triples"})
    if status in (200, 201, 204):
        return True, ""
    message = body.decode("utf-8", "replace").strip()[:300]
    if status in (401, 403):
        raise UsageError(f"the store refused the write ({status}): {message}")
    return False, f"{status} {message}"


def _update(http: _Http, urls: Urls, graph: str, triples: list[ox.Triple],
            chunk_bytes: int) -> None:
    with_bnodes = [t for t in triples if isinstance(t.subject, ox.BlankNode)
                   or isinstance(t.object, ox.BlankNode)]
    held = set(with_bnodes)
    plain = [t for t in triples if t not in held]
    chunks: list[bytes] = []
    current = _nt(with_bnodes) if with_bnodes else b""
    for triple in plain:
        line = _nt([triple])
        if current and len(current) + len(line) > chunk_bytes:
            chunks.append(current)
            current = b""
        current += line
    chunks.append(current)
    iri = f"<{graph}>"
    for index, chunk in enumerate(chunks):
        text = f"INSERT DATA {{ GRAPH {iri} {{\n{chunk.decode()}}} }}"
        if index == 0:
            text = f"DROP SILENT GRAPH {iri} ;\n{text}"
        status, body = http.send(
            "POST", urls.update, text.encode(),
            {"Content-Type": "application/sparql-update"},
        )
        if status not in (200, 201, 204):
            message = body.decode("utf-8", "replace").strip()[:300]
            raise UsageError(f"SPARQL Update at {urls.update} failed ({status}): {message}")


def _count(http: _Http, urls: Urls, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    status, body = http.send(
        "POST", urls.query, urllib.parse.urlencode({"query": query}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded",
         "Accept": "application/sparql-results+json"},
    )
    if status != 200:
        message = body.decode("utf-8", "replace").strip()[:300]
        raise UsageError(f"counting at {urls.query} failed ({status}): {message}")
    try:
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    except (ValueError, KeyError, IndexError) as err:
        raise UsageError(f"{urls.query} answered the count with no number: {err}") from None


def publish(
    endpoint: str,
    *,
    graph: str = DEFAULT_GRAPH,
    store: Path | str | None = None,
    user: str | None = None,
    password: str | None = None,
    method: str = "auto",
    update_url: str | None = None,
    gsp_url: str | None = None,
    timeout: float = 60.0,
    chunk_bytes: int = CHUNK_BYTES,
) -> PublishResult:
    """Replace the named graph ``graph`` at ``endpoint`` with the built graph and verify it."""
    if method not in ("auto", "gsp", "update"):
        raise UsageError(f"unknown publish method {method!r}: use auto, gsp or update")
    if not urllib.parse.urlsplit(graph).scheme:
        raise UsageError(f"--graph must be an absolute IRI, not {graph!r}")
    if any(c in graph for c in '<>"{}|^`\\ '):
        raise UsageError(f"--graph is not a valid IRI: {graph!r}")
    urls = derive_urls(endpoint, update_url, gsp_url)
    triples = _local_triples(store)
    http = _Http(user, password, timeout)
    used = ""
    if method in ("auto", "gsp"):
        if urls.gsp is None:
            if method == "gsp":
                raise UsageError("no Graph Store URL for this endpoint: give --gsp-url")
        else:
            done, why = _put_gsp(http, urls, graph, _nt(triples))
            if done:
                used = "gsp"
            elif method == "gsp":
                raise UsageError(f"Graph Store PUT at {urls.gsp} failed: {why}")
    if not used:
        _update(http, urls, graph, triples, chunk_bytes)
        used = "update"
    remote = _count(http, urls, graph)
    if remote != len(triples):
        raise ValidationFailed(
            f"published {len(triples)} triples but the store's graph <{graph}> holds {remote}"
        )
    return PublishResult(urls.query, graph, used, len(triples), remote, http.requests)
