"""``migkg serve``: a read-only SPARQL 1.1 Protocol endpoint over the built store.

Standard library HTTP (``ThreadingHTTPServer``); every query runs in one of a small pool of
worker processes, each holding its own read-only store handle. pyoxigraph has no query
timeout, so the parent waits at most ``timeout`` seconds for the answer and otherwise
kills that worker (a fresh one replaces it) and answers 503; other requests are served by
the other workers meanwhile.

What a client gets:

* ``GET /sparql?query=…``, ``POST`` form-urlencoded (``query=…``) or
  ``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` are honoured.
* Content negotiation (``Accept`` or a ``format``/``output``/``results`` parameter):
  SELECT/ASK → SPARQL JSON (default), XML, CSV, TSV; CONSTRUCT/DESCRIBE → Turtle (default),
  N-Triples, JSON-LD, RDF/XML. Nothing acceptable → 406.
* ``GET /sparql`` without a query: a SPARQL 1.1 Service Description (Turtle by default).
* Read-only: ``update=``, ``application/sparql-update``, an update sent as a query, and
  PUT/DELETE/PATCH get 403.
* Limits: at most ``max_rows`` rows (or triples) are returned; when there were more, the
  response carries ``X-Migkg-Truncated: true``, ``X-Migkg-Row-Limit: N`` and a ``Warning``
  header (the SPARQL result formats have no place for such a flag). The body is built
  completely before the status line is sent, so every 2xx body parses. Request bodies over
  64 KiB → 413, URLs over 16 KiB → 414, more than ``max_inflight`` queries at once → 503
  with ``Retry-After``, a malformed query → 400 with the parser's message.
* No outbound I/O: ``SERVICE`` is refused (403) by ``kg.queryguard``; ``FROM``/``FROM NAMED``
  only name graphs of the local store (Oxigraph never dereferences them); and where the OS
  allows it (root, or unprivileged user namespaces) the workers run in an empty network
  namespace, so not even a query that slipped past the check could open a connection.
* CORS: ``Access-Control-Allow-Origin: *`` and OPTIONS preflight.
* One log line per request on stderr: client, method, path, status, milliseconds, rows.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import multiprocessing
import os
import queue
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from kg.errors import UsageError
from kg.namespaces import PREFIXES
from kg.queryguard import inspect_query

__all__ = [
    "Response",
    "ServerConfig",
    "SparqlApp",
    "WorkerPool",
    "make_server",
    "negotiate",
    "serve",
]

MAX_BODY = 64 * 1024
MAX_URL = 16 * 1024
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# --- content negotiation ---------------------------------------------------------------------

# (media type, format key); the first entry of each list is the default.
_RESULT_TYPES: list[tuple[str, str]] = [
    ("application/sparql-results+json", "srj"),
    ("application/sparql-results+xml", "srx"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "srj"),
    ("application/xml", "srx"),
    ("text/xml", "srx"),
]
_GRAPH_TYPES: list[tuple[str, str]] = [
    ("text/turtle", "ttl"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/x-turtle", "ttl"),
    ("text/n3", "ttl"),
    ("text/plain", "nt"),
    ("application/json", "jsonld"),
    ("application/xml", "rdfxml"),
    ("text/xml", "rdfxml"),
]
_MEDIA = {
    "srj": "application/sparql-results+json",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
_RESULT_FORMATS = {"srj": ox.QueryResultsFormat.JSON, "srx": ox.QueryResultsFormat.XML,
                   "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
_GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                  "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
# short names accepted in format= / output= / results= (SPARQLWrapper sends these)
_SHORT = {
    "json": ("srj", "jsonld"), "srj": ("srj", None), "xml": ("srx", "rdfxml"),
    "srx": ("srx", None), "csv": ("csv", None), "tsv": ("tsv", None),
    "turtle": (None, "ttl"), "ttl": (None, "ttl"), "n3": (None, "ttl"),
    "nt": (None, "nt"), "ntriples": (None, "nt"), "n-triples": (None, "nt"),
    "jsonld": (None, "jsonld"), "json-ld": (None, "jsonld"),
    "rdf": (None, "rdfxml"), "rdfxml": (None, "rdfxml"), "rdf+xml": (None, "rdfxml"),
}


def _parse_accept(accept: str) -> list[str]:
    """Media ranges of an Accept header, best first (stable for equal q), q=0 dropped."""
    ranges: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((-q, index, media))
    return [media for _, _, media in sorted(ranges)]


def negotiate(kind: str, accept: str | None, fmt: str | None = None) -> str | None:
    """The format key for a result of ``kind`` ("results" or "graph"), or None (→ 406).

    ``fmt`` (a ``format=`` parameter: a short name or a media type) wins over ``Accept``.
    """
    table = _GRAPH_TYPES if kind == "graph" else _RESULT_TYPES
    if fmt:
        short = _SHORT.get(fmt.strip().lower())
        if short is not None:
            return short[1] if kind == "graph" else short[0]
        accept = fmt
    if not accept or not accept.strip():
        return table[0][1]
    for media in _parse_accept(accept):
        if media == "*/*":
            return table[0][1]
        if media.endswith("/*"):
            major = media[:-1]
            for candidate, key in table:
                if candidate.startswith(major):
                    return key
            continue
        for candidate, key in table:
            if candidate == media:
                return key
    return None


def _supported(kind: str) -> str:
    table = _GRAPH_TYPES if kind == "graph" else _RESULT_TYPES
    return ", ".join(dict.fromkeys(m for m, _ in table))


# --- the worker side ---------------------------------------------------------------------------

def _isolate_network() -> bool:
    """Move this process into a new, empty network namespace; True if that worked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        clone_newnet, clone_newuser = 0x40000000, 0x10000000
        if libc.unshare(clone_newnet) == 0:
            return True
        return libc.unshare(clone_newuser | clone_newnet) == 0
    except (OSError, AttributeError):
        return False


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {
            "subject": _term_json(term.subject), "predicate": _term_json(term.predicate),
            "object": _term_json(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def _error(status: int, message: str) -> dict[str, Any]:
    return {"status": status, "message": message}


def execute(store: Any, job: Mapping[str, Any]) -> dict[str, Any]:
    """Run one query job on ``store``; return a plain dict the parent turns into a response.

    The result is serialised completely here (so the parent never sends half a body), with
    at most ``max_rows`` rows or triples; one more is read to know whether to flag
    truncation.
    """
    limit = int(job["max_rows"])
    kwargs: dict[str, Any] = {}
    if job.get("default_graph"):
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graph"]]
    if job.get("named_graphs"):
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    try:
        result = job_result = store.query(job["query"], **kwargs)
        if isinstance(result, ox.QueryBoolean):
            key = negotiate("results", job.get("accept"), job.get("format"))
            if key is None:
                return _error(406, f"ASK results are available as: {_supported('results')}")
            body = result.serialize(format=_RESULT_FORMATS[key])
            return {"status": 200, "key": key, "body": body, "rows": 1, "truncated": False}
        if isinstance(result, ox.QuerySolutions):
            key = negotiate("results", job.get("accept"), job.get("format"))
            if key is None:
                return _error(406, f"SELECT results are available as: {_supported('results')}")
            variables = [v.value for v in result.variables]
            bindings: list[dict[str, Any]] = []
            truncated = False
            for solution in job_result:
                if len(bindings) >= limit:
                    truncated = True
                    break
                row = {}
                for index, name in enumerate(variables):
                    term = solution[index]
                    if term is not None:
                        row[name] = _term_json(term)
                bindings.append(row)
            doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
            body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
            if key != "srj":
                parsed = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
                body = parsed.serialize(format=_RESULT_FORMATS[key])
            return {"status": 200, "key": key, "body": body, "rows": len(bindings),
                    "truncated": truncated}
        key = negotiate("graph", job.get("accept"), job.get("format"))
        if key is None:
            return _error(406, f"CONSTRUCT/DESCRIBE results are available as: "
                               f"{_supported('graph')}")
        triples: list[Any] = []
        truncated = False
        for triple in result:
            if len(triples) >= limit:
                truncated = True
                break
            triples.append(triple)
        fmt = _GRAPH_FORMATS[key]
        prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
        body = ox.serialize(triples, None, fmt, prefixes=prefixes)
        return {"status": 200, "key": key, "body": body, "rows": len(triples),
                "truncated": truncated}
    except SyntaxError as err:
        return _error(400, f"malformed query: {_one_line(err)}")
    except (OSError, RuntimeError, ValueError, TypeError) as err:
        return _error(500, f"query failed: {_one_line(err)}")


def _one_line(err: BaseException) -> str:
    return re.sub(r"\s*\n\s*", " ", str(err)).strip()


def _worker_main(conn: Any, store_root: str, isolate: bool) -> None:
    """A worker process: open the store read-only, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    isolated = _isolate_network() if isolate else False
    try:
        from kg.store import open_store

        store = open_store(store_root)
    except Exception as err:
        with contextlib.suppress(BrokenPipeError, OSError):
            conn.send({"ready": False, "message": str(err)})
        return
    try:
        conn.send({"ready": True, "isolated": isolated})
    except (BrokenPipeError, OSError):
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = _run_job(store, store_root, job)
        except Exception as err:
            answer = _error(500, f"internal error: {type(err).__name__}: {err}")
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return


def _run_job(store: Any, store_root: str, job: Mapping[str, Any]) -> dict[str, Any]:
    if job.get("kind") == "call":
        # an explorer page's data: kg.explorer.run_job(name, store folder, kwargs)
        from kg import explorer

        return explorer.run_job(job["target"], store_root, dict(job.get("kwargs", {})))
    return execute(store, job)


# --- the worker pool (parent side) -------------------------------------------------------------

class QueryTimeout(Exception):
    """The query ran past the time limit; its worker was killed."""


class PoolBusy(Exception):
    """No worker became free in time."""


class WorkerCrashed(Exception):
    """The worker died while running the query."""


@dataclass
class _Worker:
    process: Any
    conn: Any


@dataclass
class WorkerPool:
    """A fixed number of worker processes; a killed or crashed worker is replaced."""

    store_root: str
    size: int = 2
    isolate: bool = True
    log: Callable[[str], None] = field(default=lambda line: None)
    _idle: queue.Queue = field(default_factory=queue.Queue, init=False)
    _ctx: Any = field(default=None, init=False)
    _closed: bool = field(default=False, init=False)
    _all: set = field(default_factory=set, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    isolated: bool | None = field(default=None, init=False)

    def start(self, wait: float = 60.0) -> None:
        """Start the workers and wait until each has opened the store."""
        self._ctx = multiprocessing.get_context("spawn")
        workers = [self._spawn() for _ in range(self.size)]
        deadline = time.monotonic() + wait
        for worker in workers:
            self._await_ready(worker, deadline)
            self._idle.put(worker)

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=_worker_main, args=(child, self.store_root, self.isolate),
            name="migkg-sparql-worker", daemon=True,
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(id(worker))
        return worker

    def _await_ready(self, worker: _Worker, deadline: float) -> None:
        remaining = max(deadline - time.monotonic(), 0.1)
        if not worker.conn.poll(remaining):
            self._kill(worker)
            raise UsageError("a SPARQL worker did not start in time")
        try:
            hello = worker.conn.recv()
        except (EOFError, OSError):
            self._kill(worker)
            raise UsageError("a SPARQL worker died while starting") from None
        if not hello.get("ready"):
            self._kill(worker)
            raise UsageError(hello.get("message", "a SPARQL worker could not open the store"))
        self.isolated = bool(hello.get("isolated")) if self.isolated is None else (
            self.isolated and bool(hello.get("isolated")))

    def _kill(self, worker: _Worker) -> None:
        with contextlib.suppress(Exception):
            worker.process.kill()
        with contextlib.suppress(Exception):
            worker.process.join(5)
        with contextlib.suppress(Exception):
            worker.conn.close()
        with self._lock:
            self._all.discard(id(worker))

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background."""
        self._kill(worker)

        def start_one() -> None:
            delay = 0.5
            while not self._closed:
                try:
                    fresh = self._spawn()
                    self._await_ready(fresh, time.monotonic() + 60)
                except UsageError as err:
                    self.log(f"worker restart failed: {err}; retrying")
                    time.sleep(delay)
                    delay = min(delay * 2, 10)
                    continue
                if self._closed:
                    self._kill(fresh)
                else:
                    self._idle.put(fresh)
                return

        threading.Thread(target=start_one, name="migkg-worker-restart", daemon=True).start()

    def run(self, job: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        """Send ``job`` to a free worker and wait at most ``timeout`` s for its answer."""
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise PoolBusy() from None
        try:
            worker.conn.send(dict(job))
            if not worker.conn.poll(timeout):
                self._replace(worker)
                raise QueryTimeout()
            answer = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            raise WorkerCrashed() from None
        self._idle.put(worker)
        return answer

    def close(self) -> None:
        """Stop every worker (idle ones by closing their pipe, then kill what is left)."""
        self._closed = True
        workers: list[_Worker] = []
        while True:
            try:
                workers.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.conn.close()
        for worker in workers:
            worker.process.join(2)
            self._kill(worker)
        for child in multiprocessing.active_children():
            if child.name == "migkg-sparql-worker":
                child.kill()
                child.join(2)


# --- the HTTP application ----------------------------------------------------------------------

@dataclass
class ServerConfig:
    """Options of ``migkg serve``."""

    store: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 10.0
    max_rows: int = 10_000
    workers: int = 2
    max_inflight: int | None = None  # default: 2 × workers
    max_body: int = MAX_BODY
    max_url: int = MAX_URL
    isolate: bool = True
    quiet: bool = False

    @property
    def inflight(self) -> int:
        return self.max_inflight if self.max_inflight is not None else 2 * self.workers


@dataclass
class Response:
    """What the handler sends: status, headers, a complete body, rows for the log."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    rows: int | None = None


def _text(status: int, message: str, **headers: str) -> Response:
    return Response(status, (message.rstrip("\n") + "\n").encode(), headers=dict(headers))


_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers":
        "X-Migkg-Truncated, X-Migkg-Row-Limit, X-Migkg-Rows, Warning, Retry-After",
}
_PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization",
    "Access-Control-Max-Age": "86400",
}
_HOST_OK = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$")


@dataclass
class Request:
    """One HTTP request as the application sees it (the body already read and bounded)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes = b""

    def header(self, name: str, default: str = "") -> str:
        value = self.headers.get(name)
        return default if value is None else value


# Other pages (the web explorer, registered by ``kg.explorer.register``): path prefix →
# handler(app, request). A handler runs service calls in a worker with ``app.call``.
ROUTES: dict[str, Callable[[SparqlApp, Request], Response]] = {}


class SparqlApp:
    """The request → response logic, independent of sockets (the handler calls ``handle``)."""

    def __init__(self, config: ServerConfig, pool: WorkerPool, triples: int | None) -> None:
        self.config = config
        self.pool = pool
        self.triples = triples
        self.slots = threading.BoundedSemaphore(config.inflight)

    # -- entry ---------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(204, headers=dict(_PREFLIGHT))
        if request.method in ("PUT", "DELETE", "PATCH"):
            return _text(403, "this endpoint is read-only: writes are refused")
        if request.path in ("/sparql", "/sparql/"):
            return self.sparql(request)
        for prefix, route in ROUTES.items():
            if request.path == prefix or request.path.startswith((prefix + "/", prefix + "%23")):
                return route(self, request)
        if request.path == "/" and request.method == "GET":
            return self.index(request)
        return _text(404, f"not found: {request.path} (the SPARQL endpoint is /sparql)")

    # -- /sparql -------------------------------------------------------------------------------
    def sparql(self, request: Request) -> Response:
        params = {k: list(v) for k, v in request.query.items()}
        if request.method == "GET":
            pass
        elif request.method == "POST":
            ctype = request.header("Content-Type").split(";")[0].strip().lower()
            if ctype == "application/x-www-form-urlencoded":
                try:
                    form = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
                except UnicodeDecodeError:
                    return _text(400, "the form body is not UTF-8")
                for key, values in form.items():
                    params.setdefault(key, []).extend(values)
            elif ctype == "application/sparql-query":
                try:
                    params["query"] = [request.body.decode("utf-8")]
                except UnicodeDecodeError:
                    return _text(400, "the query is not UTF-8")
            elif ctype == "application/sparql-update":
                return _text(403, "SPARQL Update is not allowed: this endpoint is read-only")
            else:
                return _text(415, "POST a query as application/sparql-query or as "
                                  "application/x-www-form-urlencoded (query=…)")
        else:
            return _text(405, f"{request.method} is not supported on /sparql",
                         Allow="GET, POST, OPTIONS")
        if "update" in params:
            return _text(403, "SPARQL Update is not allowed: this endpoint is read-only")
        if "query" not in params:
            if request.method == "POST":
                return _text(400, "missing the query parameter")
            return self.service_description(request)
        if len(params["query"]) != 1:
            return _text(400, "give exactly one query parameter")
        text = params["query"][0]
        if not text.strip():
            return _text(400, "the query is empty")
        info = inspect_query(text)
        if info.is_update:
            return _text(403, "SPARQL Update is not allowed: this endpoint is read-only")
        if info.uses_service:
            return _text(403, "SERVICE (federated query) is not allowed: this endpoint makes "
                              "no outbound requests")
        fmt = next((params[k][0] for k in ("format", "output", "results") if params.get(k)),
                   None)
        job = {
            "kind": "sparql", "query": text, "accept": request.header("Accept"),
            "format": fmt, "max_rows": self.config.max_rows,
            "default_graph": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
        }
        answer = self.dispatch(job)
        if isinstance(answer, Response):
            return answer
        if answer["status"] != 200:
            return _text(answer["status"], answer["message"])
        headers: dict[str, str] = {"X-Migkg-Rows": str(answer["rows"]), "Vary": "Accept"}
        if answer["truncated"]:
            limit = self.config.max_rows
            headers["X-Migkg-Truncated"] = "true"
            headers["X-Migkg-Row-Limit"] = str(limit)
            headers["Warning"] = f'199 migkg "results truncated to the first {limit} rows"'
        return Response(200, answer["body"], _MEDIA[answer["key"]], headers, answer["rows"])

    def dispatch(self, job: dict[str, Any]) -> dict[str, Any] | Response:
        """Run a job in a worker under the in-flight cap and the time limit."""
        if not self.slots.acquire(blocking=False):
            return _text(503, f"too many queries in flight (limit {self.config.inflight}); "
                              "retry shortly", **{"Retry-After": "1"})
        try:
            return self.pool.run(job, self.config.timeout)
        except QueryTimeout:
            return _text(503, f"the query ran longer than the time limit of "
                              f"{self.config.timeout:g} s and was stopped")
        except PoolBusy:
            return _text(503, "all query workers stayed busy; retry shortly",
                         **{"Retry-After": "1"})
        except WorkerCrashed:
            return _text(500, "the query worker died while running the query")
        finally:
            self.slots.release()

    def _base(self, request: Request) -> str:
        host = request.header("Host")
        if not _HOST_OK.match(host):
            host = f"{self.config.host}:{self.config.port}"
        return f"http://{host}"

    def service_description(self, request: Request) -> Response:
        accept = request.header("Accept")
        best = _parse_accept(accept)[:1] if accept else []
        if best and best[0] == "text/html":
            return self.index(request)
        key = negotiate("graph", accept, (request.query.get("format") or [None])[0])
        if key is None:
            return _text(406, f"the service description is available as: "
                              f"{_supported('graph')}")
        ttl = service_description_turtle(self._base(request) + "/sparql", self.triples)
        if key == "ttl":
            body = ttl.encode()
        else:
            triples = list(ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE))
            body = ox.serialize(triples, None, _GRAPH_FORMATS[key])
        return Response(200, body, _MEDIA[key], {"Vary": "Accept"})

    def index(self, request: Request) -> Response:
        base = self._base(request)
        links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in sorted(ROUTES))
        html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>migkg SPARQL endpoint</title></head>
<body><h1>migkg: who governs migration in Kazakhstan</h1>
<p>Read-only SPARQL 1.1 endpoint: <code>{base}/sparql</code>
(<a href="/sparql?format=ttl">service description</a>).</p>
<form action="/sparql" method="post">
<textarea name="query" rows="10" cols="80">SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT 10</textarea>
<br><select name="format"><option>json</option><option>xml</option><option>csv</option>
<option>tsv</option><option>turtle</option></select> <button type="submit">Run</button>
</form><ul>{links}</ul></body></html>
"""
        return Response(200, html.encode(), "text/html; charset=utf-8")


def service_description_turtle(endpoint: str, triples: int | None) -> str:
    """A SPARQL 1.1 Service Description of the endpoint, in Turtle."""
    size = f" ;\n            void:triples {triples}" if triples is not None else ""
    formats = ", ".join(f"formats:{f}" for f in (
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
        "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"))
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    dcterms:title "migkg: who governs migration in Kazakhstan (read-only)" ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat {formats} ;
    sd:defaultDataset [
        a sd:Dataset ;
        sd:defaultGraph [
            a sd:Graph{size}
        ]
    ] .
"""


# --- the socket layer ------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    server_version = "migkg"
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a client may take to send its request

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self) -> None:
        started = time.perf_counter()
        app: SparqlApp = self.server.app  # type: ignore[attr-defined]
        path_only = urlsplit(self.path).path
        response: Response
        try:
            response = self._build(app)
        except Exception as err:
            response = _text(500, f"internal error: {type(err).__name__}: {err}")
        self._send(response)
        if not app.config.quiet:
            ms = (time.perf_counter() - started) * 1000
            rows = "-" if response.rows is None else str(response.rows)
            line = (f"{self.client_address[0]} {self.command} {path_only} "
                    f"{response.status} {ms:.1f}ms rows={rows}\n")
            with _LOG_LOCK:
                sys.stderr.write(line)
                sys.stderr.flush()

    def _build(self, app: SparqlApp) -> Response:
        if len(self.path) > app.config.max_url:
            self.close_connection = True
            return _text(414, f"the URL is longer than {app.config.max_url} bytes; "
                              "POST the query instead")
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        body = b""
        if self.command in ("POST", "PUT", "PATCH"):
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                self.close_connection = True
                return _text(411, "send a Content-Length (chunked bodies are not accepted)")
            length_text = self.headers.get("Content-Length")
            if length_text is None:
                self.close_connection = True
                return _text(411, "a POST needs a Content-Length")
            try:
                length = int(length_text)
            except ValueError:
                self.close_connection = True
                return _text(400, "bad Content-Length")
            if length < 0:
                self.close_connection = True
                return _text(400, "bad Content-Length")
            if length > app.config.max_body:
                self.close_connection = True
                return _text(413, f"the request body is larger than {app.config.max_body} "
                                  "bytes")
            body = self.rfile.read(length)
        request = Request(self.command, parts.path, query, self.headers, body)
        return app.handle(request)

    def _send(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            headers = {**_CORS, **response.headers}
            if response.status not in (204, 304):
                headers["Content-Type"] = response.content_type
                headers["Content-Length"] = str(len(response.body))
            if self.close_connection:
                headers["Connection"] = "close"
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if response.status not in (204, 304) and self.command != "HEAD":
                self.wfile.write(response.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = _serve
    do_POST = _serve
    do_OPTIONS = _serve
    do_PUT = _serve
    do_DELETE = _serve
    do_PATCH = _serve
    do_HEAD = _serve


_LOG_LOCK = threading.Lock()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True


def make_server(config: ServerConfig) -> tuple[_Server, WorkerPool]:
    """Check the store, start the workers, bind the socket (port 0 = any free port)."""
    from kg.store import _resolve_store, open_store, read_manifest

    root = _resolve_store(config.store)
    store = open_store(root)  # a usage error if there is no store
    triples = len(store)
    del store
    if read_manifest(root) is None:
        raise UsageError(f"{root}: no migkg store here")

    def log(line: str) -> None:
        with _LOG_LOCK:
            sys.stderr.write(f"migkg: {line}\n")

    pool = WorkerPool(str(root), config.workers, config.isolate, log)
    pool.start()
    try:
        server = _Server((config.host, config.port), _Handler)
    except OSError as err:
        pool.close()
        raise UsageError(f"cannot listen on {config.host}:{config.port}: {err}") from None
    server.app = SparqlApp(config, pool, triples)  # type: ignore[attr-defined]
    config.port = server.server_address[1]
    return server, pool


def serve(config: ServerConfig, *, on_ready: Callable[[str], None] | None = None) -> int:
    """Serve until SIGINT or SIGTERM; then stop accepting, finish, and stop the workers."""
    _load_explorer()
    server, pool = make_server(config)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="migkg-http", daemon=True)
    thread.start()
    url = f"http://{config.host}:{config.port}/sparql"
    isolation = "workers have no network" if pool.isolated else \
        "WARNING: workers could not be isolated from the network (SERVICE is still refused)"
    message = (f"serving SPARQL at {url} ({config.workers} workers, timeout "
               f"{config.timeout:g} s, max rows {config.max_rows}, max in flight "
               f"{config.inflight}; {isolation})")
    sys.stderr.write(f"migkg: {message}\n")
    sys.stderr.flush()
    if on_ready:
        on_ready(url)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        pool.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sys.stderr.write("migkg: stopped\n")
        sys.stderr.flush()
    return 0


def _load_explorer() -> None:
    """Register the web explorer's pages if its module is installed (kg.explorer)."""
    try:
        from kg import explorer
    except ImportError:
        return
    register = getattr(explorer, "register", None)
    if register is not None:
        register(ROUTES)


def default_workers() -> int:
    """Two workers, or more on a bigger machine (at most four)."""
    return max(2, min(4, os.cpu_count() or 2))
