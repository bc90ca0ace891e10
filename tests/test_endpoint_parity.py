"""The same query gives the same rows on the embedded store and on a real SPARQL server.

The test exports the built graph (``migkg export --format nt``), loads it into the Oxigraph
server (the ``oxigraph`` package) on 127.0.0.1 and a free port, and runs every query of the
library, with and without ``--bind``, through ``migkg query`` both ways; then ``migkg gaps``.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from kg.queries import all_queries
from tests.conftest import run_cli

OXIGRAPH = shutil.which("oxigraph")
pytestmark = pytest.mark.skipif(OXIGRAPH is None, reason="the oxigraph server is not installed")

# extra bindings per query (besides ?on, bound on every query that takes it)
EXTRA = {
    "cq/cq05-permits-individuals": ["function=fn:refugee-status"],
    "cq/cq10-adaptation-integration": ["category=cat:qandas"],
    "cq/cq16-eaeu-labour-migration": ['topic="трудовая миграция"'],
    "functions-by-body": ["body=<https://w3id.org/migkg/id/body/ministry-of-internal-affairs>"],
}
DATES = ["2021-06-01", "2022-06-01", "2024-01-01"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(built_store, tmp_path_factory):
    """The Oxigraph server with the exported graph; stopped when the module is done."""
    work = tmp_path_factory.mktemp("oxigraph")
    dump = work / "graph.nt"
    code, _, err = run_cli("export", "--format", "nt", "-o", str(dump), store=built_store)
    assert code == 0, err
    location = work / "db"
    subprocess.run([OXIGRAPH, "load", "--location", str(location), "--file", str(dump)],
                   check=True, capture_output=True, timeout=120)
    port = _free_port()
    proc = subprocess.Popen(
        [OXIGRAPH, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                request = urllib.request.Request(url + "?query=ASK%7B%7D",
                                                 headers={"Accept": "application/json"})
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the oxigraph server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _rows(store, name: str, binds: list[str], endpoint: str | None = None) -> set[tuple]:
    args = ["query", name, "--format", "json"]
    for bind in binds:
        args += ["--bind", bind]
    if endpoint:
        args += ["--endpoint", endpoint]
    code, out, err = run_cli(*args, store=store)
    assert code == 0, (name, binds, err)
    data = json.loads(out)
    variables = data["head"]["vars"]
    return {
        tuple(json.dumps(b.get(v), sort_keys=True) for v in variables)
        for b in data["results"]["bindings"]
    }


def _cases() -> list[tuple[str, list[str]]]:
    cases = []
    for q in all_queries():
        if q.name.startswith("checks/"):
            continue
        if "on" in q.parameters:
            cases += [(q.name, [f"on={d}"]) for d in DATES]
        else:
            cases.append((q.name, []))
        if q.name in EXTRA:
            on = ["on=2021-06-01"] if "on" in q.parameters else []
            cases.append((q.name, on + EXTRA[q.name]))
    return cases


def test_every_library_query_gives_the_same_rows(built_store, endpoint):
    cases = _cases()
    assert len(cases) > 40
    mismatches = []
    for name, binds in cases:
        local = _rows(built_store, name, binds)
        remote = _rows(built_store, name, binds, endpoint)
        if local != remote:
            mismatches.append((name, binds, len(local), len(remote)))
    assert not mismatches


@pytest.mark.parametrize("on", ["2021-06-01", "2022-06-01"])
def test_gaps_are_the_same(built_store, endpoint, on):
    local = run_cli("gaps", "--on", on, "--format", "json", "--by", "mgi", store=built_store)
    remote = run_cli("gaps", "--on", on, "--format", "json", "--by", "mgi", "--endpoint",
                     endpoint, store=built_store)
    assert local[0] == remote[0] == 0, (local[2], remote[2])
    assert json.loads(local[1]) == json.loads(remote[1])


def test_construct_is_the_same(built_store, endpoint):
    query = ("PREFIX body: <https://w3id.org/migkg/id/body/> "
             "CONSTRUCT { body:iom ?p ?o } WHERE { body:iom ?p ?o }")
    local = run_cli("query", query, "--format", "nt", store=built_store)
    remote = run_cli("query", query, "--format", "nt", "--endpoint", endpoint,
                     store=built_store)
    assert local[0] == remote[0] == 0, remote[2]
    assert sorted(local[1].splitlines()) == sorted(remote[1].splitlines())


def test_unreachable_endpoint_is_one_line(built_store):
    port = _free_port()
    code, _, err = run_cli("query", "acts", "--endpoint", f"http://127.0.0.1:{port}/query",
                           store=built_store)
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_sparqlwrapper_reads_every_library_query_as_a_query():
    """SPARQLWrapper guesses the form from the text (its comment stripping misses every other
    line of a comment block), and sends anything it reads as an update as ``update=``."""
    from SPARQLWrapper import SPARQLWrapper

    for q in all_queries():
        if q.name.startswith("checks/"):
            continue
        client = SPARQLWrapper("http://127.0.0.1/")
        client.setQuery(q.text)
        assert client.queryType in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"), q.name
        assert not client.isSparqlUpdateRequest(), q.name
