"""``migkg publish`` against a real Oxigraph server (``oxigraph serve``, read-write)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from kg.errors import UsageError
from kg.publish import derive_urls, publish
from tests.conftest import run_cli

OXIGRAPH = shutil.which("oxigraph")
pytestmark = pytest.mark.skipif(OXIGRAPH is None, reason="the oxigraph server is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _count(base: str, graph: str | None = None) -> int:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"
    request = urllib.request.Request(
        base + "/query", data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(json.loads(response.read())["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def oxigraph(tmp_path):
    """A fresh read-write Oxigraph server on a random loopback port; yields its base URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(tmp_path / "oxdata"),
         "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            _count(base)
            break
        except (urllib.error.URLError, OSError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("oxigraph serve did not start") from None
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def store_triples(built_store) -> int:
    from kg.export import graph_triples
    from kg.store import open_store

    return len(graph_triples(open_store(built_store)))


def test_publish_twice_same_count(oxigraph, built_store, store_triples):
    for _ in range(2):
        code, out, err = run_cli("publish", "--endpoint", oxigraph, "--store", str(built_store))
        assert code == 0, err
        assert "via gsp" in out
        assert _count(oxigraph, "https://w3id.org/migkg/graph") == store_triples
    assert _count(oxigraph) == store_triples  # nothing anywhere else


def test_publish_by_update_chunked(oxigraph, built_store, store_triples):
    graph = "http://example.org/migkg-update"
    for _ in range(2):
        result = publish(oxigraph + "/query", graph=graph, store=built_store,
                         method="update", chunk_bytes=50_000)
        assert result.method == "update"
        assert result.requests > 3  # several chunks + the count
        assert result.remote_triples == result.triples == store_triples
    assert _count(oxigraph, graph) == store_triples


def test_gsp_then_update_replace_each_other(oxigraph, built_store, store_triples):
    graph = "http://example.org/g"
    publish(oxigraph, graph=graph, store=built_store, method="gsp")
    publish(oxigraph, graph=graph, store=built_store, method="update")
    publish(oxigraph, graph=graph, store=built_store, method="gsp")
    assert _count(oxigraph, graph) == store_triples


def test_bad_graph_and_endpoint(built_store):
    with pytest.raises(UsageError):
        publish("http://127.0.0.1:9", graph="not an iri", store=built_store)
    with pytest.raises(UsageError):
        publish("ftp://example.org/", store=built_store)
    with pytest.raises(UsageError, match="cannot reach"):
        publish(f"http://127.0.0.1:{_free_port()}", store=built_store, timeout=5)


def test_derive_urls():
    urls = derive_urls("http://h:7878")
    assert (urls.query, urls.update, urls.gsp) == (
        "http://h:7878/query", "http://h:7878/update", "http://h:7878/store")
    assert derive_urls("http://h:7878/query").gsp == "http://h:7878/store"
    urls = derive_urls("http://h:3030/ds/sparql", gsp_url="http://h:3030/ds/data")
    assert (urls.update, urls.gsp) == ("http://h:3030/ds/sparql", "http://h:3030/ds/data")


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict]] = []

    def log_message(self, *args) -> None:
        return

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        _Recorder.seen.append({"auth": self.headers.get("Authorization")})
        self.send_response(401)
        self.send_header("Content-Length", "6")
        self.end_headers()
        self.wfile.write(b"denied")


def test_password_from_environment_only(built_store):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        code, _, err = run_cli("publish", "--endpoint", url, "--store", str(built_store),
                               "--user", "alice", "--password-env", "MIGKG_TEST_PW",
                               env={"MIGKG_TEST_PW": "s3cret"})
        assert code == 2
        assert "refused the write (401)" in err
        assert "s3cret" not in err
        assert _Recorder.seen[-1]["auth"] == "Basic YWxpY2U6czNjcmV0"  # alice:s3cret
        code, _, err = run_cli("publish", "--endpoint", url, "--store", str(built_store),
                               "--user", "alice", "--password-env", "MIGKG_UNSET_VAR")
        assert code == 2
        assert "MIGKG_UNSET_VAR is not set" in err
    finally:
        server.shutdown()
        server.server_close()
