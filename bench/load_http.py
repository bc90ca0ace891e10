"""Load test of ``migkg serve``: concurrent clients sending mixed SPARQL over loopback.

A plain script, not a test:

    python bench/load_http.py [--clients 32] [--seconds 30] [--store PATH | --url URL]

Without ``--url`` it builds the shipped graph into a temporary store (or uses ``--store``)
and starts ``migkg serve --port 0 --quiet --max-inflight 64`` itself (so 32 clients queue
for the workers instead of being turned away), then stops it. Each client keeps one HTTP/1.1
connection and sends, in a seeded random mix:

* ``who``-like lookups: label search with a bound literal (``VALUES ?needle { "…" }`` and
  ``CONTAINS``), then the dated assignments of a function given by IRI (as ``migkg who``
  reads them);
* gap queries: every ``queries/gaps/*.rq`` with ``?on`` bound to a date.

Bounded: at most 64 clients, 120 s and ``--max-requests`` requests; loopback URLs only.
It prints requests/s, p50/p99 latency per kind and overall, and the errors (any answer
other than 200, or a transport failure) by cause.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from kg.namespaces import sparql_prologue  # noqa: E402
from kg.queries import all_queries  # noqa: E402
from kg.sparql import inject_values  # noqa: E402

MAX_CLIENTS = 64
MAX_SECONDS = 120
NEEDLES = ["permit", "migra", "refugee", "quota", "labour", "qandas", "database", "berkut",
           "ministry", "committee", "visa", "integration", "police", "border", "concept",
           "law", "eaeu", "foreign", "adaptation", "employment", "оралман", "миграц"]
DATES = ["2015-01-01", "2020-06-30", "2021-12-31", "2022-01-01", "2022-06-01", "2024-03-15"]
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")

LABEL_QUERY = sparql_prologue() + """SELECT ?x ?label WHERE {
  VALUES ?needle { %s }
  ?x rdfs:label|skos:altLabel|skos:prefLabel ?label .
  FILTER(CONTAINS(LCASE(STR(?label)), ?needle))
} ORDER BY ?x LIMIT 50"""

ASSIGNMENTS_QUERY = sparql_prologue() + """SELECT ?a ?body ?bodyLabel ?role ?from ?until ?grade
WHERE {
  VALUES (?function ?on) { (%s %s) }
  ?a mig:function ?function ; mig:body ?body ; mig:role ?role ; mig:period ?p .
  OPTIONAL { ?a mig:evidenceGrade ?grade }
  OPTIONAL { ?body rdfs:label ?bodyLabel FILTER(lang(?bodyLabel) = "en") }
  OPTIONAL { ?p time:hasBeginning/time:inXSDDate ?from }
  OPTIONAL { ?p time:hasEnd/time:inXSDDate ?until }
  FILTER((!BOUND(?from) || ?from <= ?on) && (!BOUND(?until) || ?until >= ?on))
}"""


def _loopback(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"load_http: refusing a non-loopback URL: {url}")


def _date(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=XSD_DATE)


def workload(functions: list[str], seed: int) -> list[tuple[str, str]]:
    """(kind, query text) pairs: who-like lookups and gap queries, shuffled by ``seed``."""
    rng = random.Random(seed)
    items: list[tuple[str, str]] = []
    for needle in NEEDLES:
        items.append(("who-label", LABEL_QUERY % str(ox.Literal(needle))))
    for function in functions:
        on = rng.choice(DATES)
        items.append(("who-assignments",
                      ASSIGNMENTS_QUERY % (f"<{function}>", str(_date(on)))))
    for query in all_queries():
        if not query.name.startswith("gaps/"):
            continue
        for on in DATES[:3]:
            text = inject_values(query.text, {"on": _date(on)}) if query.parameters \
                else query.text
            items.append((f"gap:{query.name.split('/', 1)[1]}", text))
    rng.shuffle(items)
    return items


def _functions(url: str) -> list[str]:
    query = sparql_prologue() + "SELECT DISTINCT ?f WHERE { ?a mig:function ?f } ORDER BY ?f"
    status, body = _post(http.client.HTTPConnection(*_hostport(url), timeout=30),
                         urllib.parse.urlsplit(url).path, query)
    if status != 200:
        raise SystemExit(f"load_http: cannot list functions: {status} {body[:200]!r}")
    return [b["f"]["value"] for b in json.loads(body)["results"]["bindings"]]


def _hostport(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def _post(conn: http.client.HTTPConnection, path: str, query: str) -> tuple[int, bytes]:
    body = urllib.parse.urlencode({"query": query}).encode()
    conn.request("POST", path, body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json",
    })
    response = conn.getresponse()
    return response.status, response.read()


def run(url: str, clients: int, seconds: float, max_requests: int, seed: int) -> dict:
    """Drive ``clients`` threads for ``seconds``; return the figures."""
    _loopback(url)
    items = workload(_functions(url), seed)
    path = urllib.parse.urlsplit(url).path
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {}
    errors: Counter[str] = Counter()
    sent = [0]
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        conn = http.client.HTTPConnection(*_hostport(url), timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    break
                sent[0] += 1
            kind, query = rng.choice(items)
            started = time.perf_counter()
            try:
                status, body = _post(conn, path, query)
                if status == 200:
                    json.loads(body)
            except (OSError, http.client.HTTPException, ValueError) as err:
                status = f"{type(err).__name__}"
                conn.close()
                conn = http.client.HTTPConnection(*_hostport(url), timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.setdefault(kind.split(":")[0], []).append(elapsed)
                if status != 200:
                    errors[str(status)] += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    wall = time.monotonic() - started
    every = [x for values in latencies.values() for x in values]

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    kinds = {
        kind: {"requests": len(v), "p50_ms": round(statistics.median(v), 1),
               "p99_ms": round(pct(v, 0.99), 1)}
        for kind, v in sorted(latencies.items())
    }
    return {
        "clients": clients, "seconds": round(wall, 1), "requests": len(every),
        "requests_per_s": round(len(every) / wall, 1),
        "p50_ms": round(statistics.median(every), 1) if every else None,
        "p99_ms": round(pct(every, 0.99), 1), "max_ms": round(max(every, default=0), 1),
        "errors": sum(errors.values()), "errors_by_cause": dict(errors), "kinds": kinds,
        "distinct_queries": len(items),
    }


def _start_server(store: Path) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", "0",
           "--quiet", "--max-inflight", "64"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "serving SPARQL at " in line:
            sys.stderr.write(line)
            return proc, line.split("serving SPARQL at ", 1)[1].split()[0]
    raise SystemExit("load_http: migkg serve did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", help="an already running endpoint (loopback only)")
    parser.add_argument("--store", help="a built store (default: build the shipped graph)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    clients = max(1, min(args.clients, MAX_CLIENTS))
    seconds = max(1.0, min(args.seconds, MAX_SECONDS))
    proc = None
    with tempfile.TemporaryDirectory(prefix="migkg-load-") as tmp:
        url = args.url
        if url is None:
            store = Path(args.store) if args.store else Path(tmp) / "store"
            if not args.store:
                from kg.store import build

                build(store, progress=False)
            proc, url = _start_server(store)
        try:
            figures = run(url, clients, seconds, args.max_requests, args.seed)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(30)
    print("| clients | seconds | requests | requests/s | p50 ms | p99 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {figures['clients']} | {figures['seconds']} | {figures['requests']} | "
          f"{figures['requests_per_s']} | {figures['p50_ms']} | {figures['p99_ms']} | "
          f"{figures['max_ms']} | {figures['errors']} |")
    print()
    print("| kind | requests | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    for kind, row in figures["kinds"].items():
        print(f"| {kind} | {row['requests']} | {row['p50_ms']} | {row['p99_ms']} |")
    if figures["errors"]:
        print(f"\nerrors by cause: {figures['errors_by_cause']}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
    return 0 if figures["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
