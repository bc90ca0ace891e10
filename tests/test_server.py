"""``migkg serve``: the SPARQL endpoint, started as a real subprocess on a random port."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.conftest import ROOT, run_cli

EXPENSIVE = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
             "?m ?n2 ?o }")
CHEAP = "ASK { ?s ?p ?o }"
ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
LABELS = ("SELECT ?x ?label WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
          "ORDER BY ?x ?label")


class Server:
    """A running ``migkg serve`` process; its stderr is collected in ``self.log``."""

    def __init__(self, store: Path, *args: str) -> None:
        cmd = [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", "0", *args]
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     text=True, cwd=ROOT, env={**os.environ})
        self.log: list[str] = []
        self.url = ""
        deadline = time.monotonic() + 60
        assert self.proc.stderr is not None
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.log.append(line)
            if "serving SPARQL at " in line:
                self.url = line.split("serving SPARQL at ", 1)[1].split()[0]
                break
        if not self.url:
            self.proc.kill()
            raise RuntimeError("migkg serve did not start: " + "".join(self.log))
        self._drain = threading.Thread(target=self._read, daemon=True)
        self._drain.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return -9


@pytest.fixture(scope="module")
def server(built_store):
    srv = Server(built_store, "--timeout", "2", "--workers", "2", "--max-inflight", "8")
    yield srv
    code = srv.stop()
    assert code == 0, "".join(srv.log)
    assert any("stopped" in line for line in srv.log)


@pytest.fixture(scope="module")
def small_server(built_store):
    """One worker, one query in flight, 50 rows at most."""
    srv = Server(built_store, "--timeout", "2", "--workers", "1", "--max-inflight", "1",
                 "--max-rows", "50")
    yield srv
    assert srv.stop() == 0


@pytest.fixture(scope="module")
def store(built_store):
    from kg.store import open_store

    return open_store(built_store)


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
         timeout: float = 30):
    """(status, headers, body) of one request; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def post_query(url: str, query: str, accept: str | None = None, **params: str):
    data = urllib.parse.urlencode({"query": query, **params}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept:
        headers["Accept"] = accept
    return http("POST", url, data, headers)


def solutions_set(solutions) -> set[tuple]:
    variables = [v.value for v in solutions.variables]
    return {tuple(str(s[v]) if s[v] is not None else None for v in variables)
            for s in solutions}


def canonical(quads) -> set:
    dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                         for q in quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


# --- results equal the embedded ones -----------------------------------------------------------

@pytest.mark.parametrize("query", [ALL, LABELS])
@pytest.mark.parametrize("accept,fmt", [
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_select_equals_embedded(server, store, query, accept, fmt):
    status, headers, body = post_query(server.url, query, accept)
    assert status == 200, body
    assert headers["Content-Type"].startswith(accept)
    assert headers.get("X-Migkg-Truncated") is None
    remote = solutions_set(ox.parse_query_results(body, fmt))
    local = solutions_set(store.query(query))
    assert remote == local
    assert len(local) > 100


def test_select_csv_equals_embedded(server, store):
    status, headers, body = post_query(server.url, LABELS, "text/csv")
    assert status == 200
    assert headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert rows[0] == ["x", "label"]

    def plain(term):
        return term.value if not isinstance(term, ox.BlankNode) else f"_:{term.value}"

    local = {(plain(s["x"]), plain(s["label"])) for s in store.query(LABELS)}
    assert {tuple(r) for r in rows[1:]} == local


@pytest.mark.parametrize("accept,fmt", [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_construct_equals_embedded(server, store, accept, fmt):
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    status, headers, body = post_query(server.url, query, accept)
    assert status == 200, body
    assert headers["Content-Type"].startswith(accept)
    remote = canonical(ox.parse(body, format=fmt))
    local = canonical(ox.Quad(t.subject, t.predicate, t.object) for t in store.query(query))
    assert remote == local


@pytest.mark.parametrize("accept,fmt", [
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_ask(server, accept, fmt):
    for query, expected in ((CHEAP, True), ("ASK { <urn:x:no> ?p ?o }", False)):
        status, _, body = post_query(server.url, query, accept)
        assert status == 200
        assert bool(ox.parse_query_results(body, fmt)) is expected


def test_get_and_sparql_query_post(server, store):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    expected = int(next(iter(store.query(query)))["n"].value)
    status, _, body = http("GET", server.url + "?" + urllib.parse.urlencode({"query": query}))
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(expected)
    status, _, body = http("POST", server.url, query.encode(),
                           {"Content-Type": "application/sparql-query"})
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(expected)


def test_negotiation(server):
    status, headers, _ = post_query(server.url, ALL, "*/*")
    assert headers["Content-Type"] == "application/sparql-results+json"
    status, headers, _ = post_query(server.url, ALL, "text/html, application/xml;q=0.9")
    assert headers["Content-Type"] == "application/sparql-results+xml"
    status, headers, _ = post_query(server.url, ALL, None, format="csv")
    assert headers["Content-Type"].startswith("text/csv")
    status, headers, body = post_query(server.url, ALL, "image/png")
    assert status == 406
    assert b"application/sparql-results+json" in body
    status, headers, _ = post_query(server.url, "CONSTRUCT WHERE { ?s ?p ?o }", "*/*")
    assert headers["Content-Type"].startswith("text/turtle")


# --- clients ---------------------------------------------------------------------------------

def test_sparqlwrapper(server, store):
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(server.url)
    client.setQuery(LABELS)
    client.setReturnFormat(JSON)
    data = client.queryAndConvert()
    remote = {(b["x"]["value"], b["label"]["value"]) for b in data["results"]["bindings"]}
    local = {(s["x"].value, s["label"].value) for s in store.query(LABELS)}
    assert remote == local
    client = SPARQLWrapper(server.url)
    client.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s a ?o . BIND(<urn:p> AS ?p) }")
    client.setReturnFormat(TURTLE)
    raw = client.queryAndConvert()
    assert len(list(ox.parse(raw, format=ox.RdfFormat.TURTLE))) == len(
        list(store.query("CONSTRUCT { ?s <urn:p> ?o } WHERE { ?s a ?o }")))


def test_rdflib_sparqlstore(server, store):
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(server.url))
    rows = list(graph.query(LABELS))
    local = {(s["x"].value, s["label"].value) for s in store.query(LABELS)}
    assert {(str(x), str(label)) for x, label in rows} == local
    assert len(graph) == len(store)


# --- read-only, limits, safety ---------------------------------------------------------------

def test_update_refused(server, store):
    before = len(store)
    insert = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    cases = [
        http("POST", server.url, urllib.parse.urlencode({"update": insert}).encode(),
             {"Content-Type": "application/x-www-form-urlencoded"}),
        http("POST", server.url, insert.encode(), {"Content-Type": "application/sparql-update"}),
        http("GET", server.url + "?" + urllib.parse.urlencode({"update": insert})),
        post_query(server.url, insert),
        post_query(server.url, "PREFIX x: <urn:x:> DROP ALL"),
        http("PUT", server.url + "?default", b"<urn:x:a> <urn:x:b> <urn:x:c> .",
             {"Content-Type": "application/n-triples"}),
        http("DELETE", server.url + "?default"),
    ]
    for status, _, body in cases:
        assert status == 403, body
        assert b"read-only" in body
    status, _, body = post_query(server.url, "ASK { <urn:x:a> <urn:x:b> <urn:x:c> }")
    assert json.loads(body)["boolean"] is False
    assert len(store) == before


def test_malformed_query(server):
    status, _, body = post_query(server.url, "SELECT * WHERE { ?s ?p ")
    assert status == 400
    assert body.startswith(b"malformed query: error at 1:")
    status, _, body = post_query(server.url, "   ")
    assert status == 400


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?s<?o)SERVICE#>\n<http://127.0.0.1:9/>{?s ?p ?o} }",
    "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:x{?s ?p ?o} }",
    "SELECT * WHERE { ?s ?p 1SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
])
def test_service_refused(server, query):
    status, _, body = post_query(server.url, query)
    assert status == 403
    assert b"SERVICE" in body


def test_word_service_in_strings_and_iris_is_fine(server):
    query = ('PREFIX kind: <https://w3id.org/migkg/kind/> SELECT ?service WHERE { '
             '?service ?p kind:service . FILTER(?p != <urn:x:service>) '
             'FILTER(!CONTAINS(STR(?service), "SERVICE")) } # SERVICE in a comment')
    status, _, body = post_query(server.url, query)
    assert status == 200, body


def _listener():
    """A loopback socket that records any connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            hits.append(conn.recv(1000) or b"(connected)")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    return sock.getsockname()[1], hits, stop, sock


def test_from_reads_nothing(server, tmp_path):
    port, hits, stop, sock = _listener()
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:secret:s> <urn:secret:p> <urn:secret:o> .\n")
    try:
        for query in (
            f"SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{secret.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}",
        ):
            status, _, body = post_query(server.url, query)
            assert status == 200, body
            assert json.loads(body)["results"]["bindings"] == []
        time.sleep(0.5)
        assert hits == []
    finally:
        stop.set()
        sock.close()


def test_timeout_while_others_are_served(server):
    results: dict[str, tuple] = {}

    def slow():
        started = time.monotonic()
        status, _, body = post_query(server.url, EXPENSIVE)
        results["slow"] = (status, body, time.monotonic() - started)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    status, _, _body = post_query(server.url, CHEAP)
    cheap_seconds = time.monotonic() - started
    thread.join(10)
    assert status == 200
    assert cheap_seconds < 1.5
    slow_status, slow_body, slow_seconds = results["slow"]
    assert slow_status == 503
    assert b"time limit of 2 s" in slow_body
    assert slow_seconds < 2 + 1
    # the killed worker was replaced: the server keeps answering
    for _ in range(4):
        assert post_query(server.url, CHEAP)[0] == 200


def test_body_and_url_limits(server):
    limit = 64 * 1024
    filler = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #"
    exact = (filler + "x" * (limit - len(filler))).encode()
    assert len(exact) == limit
    status, _, _ = http("POST", server.url, exact, {"Content-Type": "application/sparql-query"})
    assert status == 200
    status, _, _body = http("POST", server.url, exact + b"x",
                           {"Content-Type": "application/sparql-query"})
    assert status == 413
    status, _, _ = http("GET", server.url + "?query=" + "x" * (20 * 1024))
    assert status == 414


def test_cors(server):
    status, headers, _ = post_query(server.url, CHEAP)
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _body = http("OPTIONS", server.url, headers={
        "Origin": "http://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()


def test_service_description(server):
    status, headers, body = http("GET", server.url)
    assert status == 200
    assert headers["Content-Type"].startswith("text/turtle")
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert ox.Triple(ox.NamedNode(server.url), ox.NamedNode(sd + "endpoint"),
                     ox.NamedNode(server.url)) in {t.triple for t in triples}
    status, headers, body = http("GET", server.url, headers={"Accept": "application/ld+json"})
    assert status == 200
    assert json.loads(body)


def test_log_lines(server):
    post_query(server.url, LABELS)
    time.sleep(0.2)
    assert any(" POST /sparql 200 " in line and "rows=" in line for line in server.log)


def test_row_cap_and_inflight_cap(small_server, store):
    status, headers, body = post_query(small_server.url, ALL)
    assert status == 200
    assert headers["X-Migkg-Truncated"] == "true"
    assert headers["X-Migkg-Row-Limit"] == "50"
    assert "truncated" in headers["Warning"]
    assert len(json.loads(body)["results"]["bindings"]) == 50
    status, headers, body = post_query(small_server.url, "CONSTRUCT WHERE { ?s ?p ?o }",
                                       "application/n-triples")
    assert headers["X-Migkg-Truncated"] == "true"
    assert len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) == 50
    status, headers, body = post_query(small_server.url, ALL + " LIMIT 50")
    assert status == 200
    assert headers.get("X-Migkg-Truncated") is None
    # one query in flight at most: a second one meanwhile gets 503 + Retry-After
    thread = threading.Thread(target=post_query, args=(small_server.url, EXPENSIVE))
    thread.start()
    time.sleep(0.3)
    status, headers, body = post_query(small_server.url, CHEAP)
    thread.join(10)
    assert status == 503
    assert headers["Retry-After"] == "1"


def test_export_and_stats_through_endpoint(server, built_store, tmp_path):
    code, out, err = run_cli("export", "--format", "nt", "--endpoint", server.url)
    assert code == 0, err
    code, local, err = run_cli("export", "--format", "nt", store=built_store)
    assert code == 0, err
    assert out == local
    code, out, err = run_cli("stats", "--format", "json", "--endpoint", server.url)
    assert code == 0, err
    code, local, err = run_cli("stats", "--format", "json", store=built_store)
    assert json.loads(out) == json.loads(local)


def test_serve_without_store(tmp_path):
    code, _, err = run_cli("serve", "--store", str(tmp_path / "none"), "--port", "0")
    assert code == 2
    assert "no migkg store" in err
