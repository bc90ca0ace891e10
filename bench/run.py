"""The migkg benchmark: every operation at every size, beside rdflib and raw pyoxigraph.

    python -m bench                    # 10k, 100k, 1M triples → bench/RESULTS.md (< 15 min)
    python -m bench --sizes 10k 100k   # a quick run
    python -m bench --huge             # adds 5M triples

For each size it generates the synthetic corpus (bench/generate.py), then measures:
build (load + checks, a whole process; and the unchanged-input rebuild; the label index
is built by the first ``who`` and kept beside the store), ``who``
warm (in-process) and cold (a whole ``migkg who`` process), every gap query and the whole
``migkg gaps``, ``diff``, a CQ query, ``visualise --focus X --depth 2``, and HTTP requests
to ``migkg serve``. The SPARQL ones also run (a) in plain rdflib in memory (skipped above a
size or a time cap, and the table says so) and (b) in raw pyoxigraph, the same text without
our code (the difference is our overhead). Each figure is the median (min–max) of repeated
runs, in milliseconds. A gap query whose time grows more than 20× from 100k to 1M triples
(10× the data) is flagged as super-linear.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import HUGE, SIZES, corpus_files, generate, search_text  # noqa: E402

ON = "2022-06-01"
FOCUS = "body:syn-c1"
CQ = "cq/cq05-permits-individuals"
RDFLIB_MAX_TRIPLES = 150_000  # rdflib loads 1M triples in ~45 s and 1.3 GB (issue 6)
RDFLIB_CAP_S = 10.0  # one rdflib query past this is stopped and reported as "> cap"
QUADRATIC_RATIO = 20.0
TARGETS = {  # at 1M triples, issue 6
    "who_warm": 20, "who_cold": 400, "gap_each": 1000, "gaps_all": 3000, "build": 15000,
    "build_rss_mb": 1536, "unchanged": 1000, "overhead_pct": 10, "visualise": 1000,
}


# --- measuring --------------------------------------------------------------------------------

def timed(fn: Callable[[], object], runs: int, warmup: int = 0) -> list[float]:
    """Milliseconds of ``runs`` calls of ``fn`` after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def fmt(ms: list[float] | None, note: str = "") -> str:
    if not ms:
        return note or "—"
    med = statistics.median(ms)
    if len(ms) == 1:
        return f"{med:,.0f}" if med >= 100 else f"{med:.1f}"
    lo, hi = min(ms), max(ms)
    if med >= 100:
        return f"{med:,.0f} ({lo:,.0f}–{hi:,.0f})"
    return f"{med:.1f} ({lo:.1f}–{hi:.1f})"


def cli(*args: str, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=timeout,
                          check=False)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"migkg {' '.join(args)}: exit {proc.returncode}: {proc.stderr[-500:]}")
    return proc


_RSS = ("import resource, sys, time\nfrom kg.cli import main\nrc = main(sys.argv[1:])\n"
        "sys.stderr.write('\\nbench-rss-kb %d\\n' % "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\nraise SystemExit(rc)\n")


def cli_rss(*args: str) -> tuple[float, int]:
    """Wall milliseconds and peak RSS (KiB) of one whole ``migkg`` process."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _RSS, *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    ms = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        raise RuntimeError(f"migkg {' '.join(args)}: {proc.stderr[-500:]}")
    rss = int(proc.stderr.rsplit("bench-rss-kb ", 1)[1].split()[0])
    return ms, rss


# --- one size ---------------------------------------------------------------------------------

def _queries(on: str) -> list[tuple[str, str]]:
    """(name, SPARQL text with ?on bound) of every gap query and the CQ query."""
    import pyoxigraph as ox

    from kg.gaps import gap_queries
    from kg.queries import load
    from kg.sparql import inject_values

    date = ox.Literal(on, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    out = []
    for q in [*gap_queries(), load(CQ)]:
        text = inject_values(q.text, {"on": date}) if "on" in q.parameters else q.text
        out.append((q.name, text))
    return out


_RDFLIB_WORKER = r"""
import json, sys, time
import rdflib
g = rdflib.Graph()
start = time.perf_counter()
for f in json.loads(sys.argv[1]):
    g.parse(f, format="turtle")
print(json.dumps({"load": (time.perf_counter() - start) * 1000, "triples": len(g)}), flush=True)
for name, text, runs in json.loads(sys.stdin.read()):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        n = len(list(g.query(text)))
        times.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"name": name, "ms": times, "rows": n}), flush=True)
"""


def rdflib_times(files: list[Path], queries: list[tuple[str, str]], runs: int) -> dict:
    """Load into rdflib and run each query in a worker process; a query past the cap is
    stopped (the worker restarts for the rest)."""
    out: dict = {"queries": {}}
    todo = list(queries)
    while todo:
        proc = subprocess.Popen(
            [sys.executable, "-c", _RDFLIB_WORKER, json.dumps([str(f) for f in files])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert proc.stdin and proc.stdout
        proc.stdin.write(json.dumps([(n, t, runs) for n, t in todo]))
        proc.stdin.close()
        first = json.loads(proc.stdout.readline())
        out.setdefault("load", first["load"])
        out["triples"] = first["triples"]
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        while todo:
            name = todo[0][0]
            if not sel.select(timeout=RDFLIB_CAP_S * runs + 5):
                out["queries"][name] = None  # over the cap
                todo.pop(0)
                proc.kill()
                break
            line = proc.stdout.readline()
            if not line:
                todo.pop(0)
                break
            row = json.loads(line)
            out["queries"][row["name"]] = row["ms"]
            todo = [q for q in todo if q[0] != row["name"]]
        proc.wait()
    return out


def http_times(store: Path, queries: dict[str, str], runs: int) -> dict[str, list[float]]:
    """Latency of SPARQL POSTs to ``migkg serve`` (started here, stopped after)."""
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store),
                             "--port", "0", "--quiet"], cwd=ROOT, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stderr is not None
        url = None
        for line in proc.stderr:
            if "serving SPARQL at " in line:
                url = line.split("serving SPARQL at ", 1)[1].split()[0]
                break
        if url is None:
            raise RuntimeError("migkg serve did not start")
        out = {}
        for name, text in queries.items():
            def post(text=text):
                data = urllib.parse.urlencode({"query": text}).encode()
                req = urllib.request.Request(url, data=data, headers={
                    "Accept": "application/sparql-results+json"})
                with urllib.request.urlopen(req, timeout=60) as resp:
                    resp.read()
            out[name] = timed(post, runs, warmup=1)
        return out
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        if proc.poll() is None:
            proc.kill()


_WHO_SPARQL = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX mig: <https://w3id.org/migkg/ontology#>
SELECT ?a ?body ?role WHERE { VALUES ?f { <https://w3id.org/migkg/id/function/syn-c1-f1> }
  ?a mig:function ?f ; mig:body ?body ; mig:role ?role . }"""


def measure(size: str, triples: int, work: Path, runs: int, log) -> dict:
    import pyoxigraph as ox

    import kg
    import visualise
    from kg.sparql import EmbeddedBackend
    from kg.store import open_store

    res: dict = {"size": size}
    data = work / f"data-{size}"
    store = work / f"store-{size}"
    log(f"[{size}] generating")
    start = time.perf_counter()
    res["triples_generated"] = generate(data, triples)  # synthetic-001.ttl …
    res["generate_ms"] = (time.perf_counter() - start) * 1000
    big = triples >= 1_000_000
    build_runs = 2 if big else 3
    log(f"[{size}] build ×{build_runs}")
    builds, rss = [], []
    for i in range(build_runs):
        args = ["build", "--store", str(store), "--data-dir", str(data), "-q"]
        ms, kb = cli_rss(*args, *(["--force"] if i else []))
        builds.append(ms)
        rss.append(kb / 1024)
    res["build"], res["build_rss_mb"] = builds, rss
    res["unchanged"] = [cli_rss("build", "--store", str(store), "--data-dir", str(data),
                                "-q")[0] for _ in range(3)]
    res["triples"] = len(open_store(store))
    backend = EmbeddedBackend(open_store(store))
    raw = ox.Store.read_only(str((store / "current").resolve()))
    text = search_text()
    log(f"[{size}] who")
    kg.who(text, on=ON, store=store)
    res["who_warm"] = timed(lambda: kg.who(text, on=ON, store=store), max(runs * 4, 10))
    res["who_cold"] = timed(lambda: cli("who", text, "--on", ON, "--store", str(store)), runs)
    log(f"[{size}] queries")
    queries = _queries(ON)
    # at 1M and above: 2 runs and no warm-up of the slow ones, to stay within 15 minutes
    heavy, warm = (2, 0) if big else (runs, 1)
    res["ours"], res["raw"], res["rows"] = {}, {}, {}
    for name, q in queries:
        rows: list = []

        def ours_run(q=q, rows=rows):
            rows.append(len(backend.select(q)))

        def raw_run(q=q):
            result = raw.query(q)
            return [[s[v] for v in result.variables] for s in result]

        # interleaved, the order alternating, so drift in the machine's load falls on both
        for _ in range(warm):
            ours_run(), raw_run()
        res["ours"][name], res["raw"][name] = [], []
        for i in range(heavy):
            pair = [("ours", ours_run), ("raw", raw_run)]
            for key, fn in pair if i % 2 == 0 else reversed(pair):
                res[key][name] += timed(fn, 1)
        res["rows"][name] = rows[-1]
    log(f"[{size}] gaps, diff, visualise")
    res["gaps_api"] = timed(lambda: kg.gaps(ON, store=store), heavy, warmup=warm)
    res["gaps_cli"] = timed(lambda: cli("gaps", "--on", ON, "--store", str(store),
                                        "--format", "json"), heavy)
    res["diff"] = timed(lambda: kg.diff("2021-06-01", ON, store=store), heavy, warmup=warm)
    html = work / f"focus-{size}.html"
    res["visualise_api"] = timed(lambda: visualise.render(
        backend, html, focus=FOCUS, depth=2, on=ON), runs, warmup=1)
    res["visualise_cli"] = timed(lambda: cli(
        "visualise", "--focus", FOCUS, "--depth", "2", "--on", ON, "-o", str(html),
        "--store", str(store)), runs)
    log(f"[{size}] http")
    gap_text = dict(queries)["gaps/no-lead"]
    res["http"] = http_times(store, {"who-like": _WHO_SPARQL, "gap no-lead": gap_text},
                             3 if big else max(runs, 5))
    files = [*sorted((ROOT / "ontology").glob("*.ttl")), *corpus_files(data)]
    files = [f for f in files if f.name != "shapes.ttl"]
    if res["triples"] <= RDFLIB_MAX_TRIPLES:
        log(f"[{size}] rdflib")
        res["rdflib"] = rdflib_times(files, queries, 1 if triples > 20_000 else runs)
    else:
        res["rdflib"] = None
    shutil.rmtree(store, ignore_errors=True)
    return res


# --- the report -------------------------------------------------------------------------------

def _load() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def speed_check() -> str:
    """The same fixed work timed on any run (lower is faster), so that runs on a machine whose
    speed drifts (a shared VM) can be compared: a pure-Python loop, and pyoxigraph joining
    100k generated triples in memory. Best of 3 each."""
    import pyoxigraph as ox

    def loop() -> None:
        total = 0
        for i in range(2_000_000):
            total += i

    store = ox.Store()
    p, q = ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:q")
    store.extend(ox.Quad(ox.NamedNode(f"urn:x:s{i}"), p if i % 2 else q,
                         ox.NamedNode(f"urn:x:s{(i * 7) % 100_000}")) for i in range(100_000))
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?a <urn:x:p> ?b . ?b <urn:x:q> ?c . ?c <urn:x:p> ?d }"

    def join() -> None:
        list(store.query(text))

    return (f"Python loop {min(timed(loop, 3)):.0f} ms, "
            f"pyoxigraph join {min(timed(join, 3)):.0f} ms")


def report(results: list[dict], meta: dict) -> str:
    sizes = [r["size"] for r in results]
    lines = [
        "# migkg benchmark results",
        "",
        "Produced by `python -m bench` (bench/run.py) on the synthetic corpus of",
        "bench/generate.py (seed 42). Times in milliseconds: median (min–max) of the runs",
        "noted; one number = one run. \"ours\" is migkg's code path (`kg.sparql` backend,",
        "services, CLI); \"raw\" is pyoxigraph running the same SPARQL text; \"rdflib\" is",
        "rdflib's in-memory Graph running it.",
        "",
        f"Machine: {meta['machine']}; {meta['load_before']} before, "
        f"{meta['load_after']} after (other work was running: figures are noisy).",
        f"Speed check (the same fixed work on every run, lower is faster: compare runs by it): "
        f"{meta['speed_before']} before, {meta['speed_after']} after.",
        f"Runs: {meta['runs']} per figure (who warm: ≥ 10; build and, at 1M and above, the "
        "queries, gaps, diff and HTTP: 2–3).",
        f"Total time of this run: {meta['seconds'] / 60:.1f} min.",
        "",
        "## Build, who, gaps, diff, visualise, HTTP",
        "",
        "| operation | " + " | ".join(sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]

    def row(label: str, key: str, sub: str | None = None) -> None:
        cells = []
        for r in results:
            value = r.get(key)
            if sub is not None and value is not None:
                value = value.get(sub)
            cells.append(fmt(value))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    lines.append("| triples in the store | " + " | ".join(
        f"{r['triples']:,}" for r in results) + " |")
    row("build, whole process (load + checks; `--force`)", "build")
    lines.append("| build, peak RSS (MB) | " + " | ".join(
        f"{max(r['build_rss_mb']):,.0f}" for r in results) + " |")
    row("rebuild, unchanged input", "unchanged")
    row("`who` warm (in-process)", "who_warm")
    row("`who` cold (whole `migkg who` process)", "who_cold")
    row("`gaps` (API, all gap queries + labels)", "gaps_api")
    row("`migkg gaps` (whole process)", "gaps_cli")
    row("`diff` 2021-06-01 → 2022-06-01 (API)", "diff")
    row("`visualise --focus X --depth 2` (API)", "visualise_api")
    row("`migkg visualise --focus X --depth 2` (whole process)", "visualise_cli")
    row("HTTP `migkg serve`: who-like SPARQL", "http", "who-like")
    row("HTTP `migkg serve`: gap query no-lead", "http", "gap no-lead")
    lines.append("| rdflib: load into memory | " + " | ".join(
        fmt([r["rdflib"]["load"]]) if r.get("rdflib") else "skipped (> "
        f"{RDFLIB_MAX_TRIPLES:,} triples)" for r in results) + " |")
    lines += ["", "## SPARQL: ours vs raw pyoxigraph vs rdflib", "",
              "Overhead = ours / raw − 1 (medians; ours and raw runs interleaved, the order "
              "alternating). rdflib ran once per query above 20k "
              f"triples and is stopped past {RDFLIB_CAP_S:.0f} s.", ""]
    lines.append("| query | size | rows | ours | raw pyoxigraph | overhead | rdflib |")
    lines.append("|---|---|---|---|---|---|---|")
    names = list(results[0]["ours"])
    for name in names:
        for r in results:
            ours, raw = r["ours"][name], r["raw"][name]
            over = statistics.median(ours) / max(statistics.median(raw), 1e-6) - 1
            if r.get("rdflib") is None:
                rd = "skipped (size)"
            else:
                times = r["rdflib"]["queries"].get(name)
                rd = fmt(times) if times else f"> {RDFLIB_CAP_S:.0f} s (stopped)"
            lines.append(f"| {name} | {r['size']} | {r['rows'][name]:,} | {fmt(ours)} | "
                         f"{fmt(raw)} | {over * 100:+.0f} % | {rd} |")
    by = {r["size"]: r for r in results}
    if "100k" in by and "1m" in by:
        lines += ["", "## Scaling of each gap query (catches a quadratic query)", "",
                  f"Ratio of the median time at 1M to 100k triples (10× the data); above "
                  f"{QUADRATIC_RATIO:.0f}× is flagged.", "",
                  "| query | 100k | 1M | ratio | |", "|---|---|---|---|---|"]
        for name in names:
            a = statistics.median(by["100k"]["ours"][name])
            b = statistics.median(by["1m"]["ours"][name])
            ratio = b / max(a, 1e-6)
            flag = "**super-linear**" if ratio > QUADRATIC_RATIO else "ok"
            lines.append(f"| {name} | {a:.1f} | {b:.1f} | {ratio:.1f}× | {flag} |")
    if "1m" in by:
        lines += ["", "## Targets at 1M triples (issue 6)", "", "| target | measured | met |",
                  "|---|---|---|"]
        r = by["1m"]
        med = statistics.median

        def target(label: str, value: float, limit: float, unit: str = "ms") -> None:
            lines.append(f"| {label} < {limit:,.0f} {unit} | {value:,.0f} {unit} | "
                         f"{'yes' if value < limit else '**no**'} |")

        target("`who` warm", med(r["who_warm"]), TARGETS["who_warm"])
        target("`who` cold process", med(r["who_cold"]), TARGETS["who_cold"])
        worst = max(r["ours"], key=lambda n: med(r["ours"][n]) if n.startswith("gaps/") else 0)
        target(f"slowest gap query ({worst})", med(r["ours"][worst]), TARGETS["gap_each"])
        target("whole `migkg gaps`", med(r["gaps_cli"]), TARGETS["gaps_all"])
        target("build", med(r["build"]), TARGETS["build"])
        target("build peak memory", max(r["build_rss_mb"]), TARGETS["build_rss_mb"], "MB")
        target("unchanged rebuild", med(r["unchanged"]), TARGETS["unchanged"])
        overs = {n: med(r["ours"][n]) / max(med(r["raw"][n]), 1e-6) - 1 for n in r["ours"]}
        total = (sum(med(v) for v in r["ours"].values())
                 / max(sum(med(v) for v in r["raw"].values()), 1e-6) - 1)
        low, high = min(overs, key=overs.get), max(overs, key=overs.get)
        lines.append(f"| overhead over raw pyoxigraph < {TARGETS['overhead_pct']} % (all the "
                     f"queries above together) | {total * 100:+.1f} % (single queries "
                     f"{overs[low] * 100:+.0f} % … {overs[high] * 100:+.0f} %, {high}) | "
                     f"{'yes' if total * 100 < TARGETS['overhead_pct'] else '**no**'} |")
        target("`visualise --focus X --depth 2` (API)", med(r["visualise_api"]),
               TARGETS["visualise"])
        target("`migkg visualise --focus X --depth 2` (whole process)",
               med(r["visualise_cli"]), TARGETS["visualise"])
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["10k", "100k", "1m"],
                        choices=list(SIZES), help="sizes to run (default: 10k 100k 1m)")
    parser.add_argument("--huge", action="store_true", help=f"add 5m (> {HUGE:,} triples)")
    parser.add_argument("--runs", type=int, default=3, help="repeats per figure (default 3)")
    parser.add_argument("-o", "--output", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--work", help="folder for corpora and stores (default: a temp dir)")
    args = parser.parse_args(argv)
    sizes = list(dict.fromkeys([*args.sizes, *(["5m"] if args.huge else [])]))
    started = time.perf_counter()
    meta = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                       f"{platform.python_version()}", "load_before": _load(), "runs": args.runs,
            "speed_before": speed_check()}

    def log(msg: str) -> None:
        sys.stderr.write(f"bench: {time.perf_counter() - started:6.0f} s  {msg}\n")

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="migkg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = [measure(s, SIZES[s], work, args.runs, log) for s in sizes]
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    meta["load_after"] = _load()
    meta["speed_after"] = speed_check()
    meta["seconds"] = time.perf_counter() - started
    text = report(results, meta)
    out = Path(args.output)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    (out.with_suffix(".json")).write_text(json.dumps(results, indent=1, default=str))
    log(f"wrote {out}")
    return 0
