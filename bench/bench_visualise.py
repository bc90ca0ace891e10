"""Benchmark of ``migkg visualise``: render time of the seed graph and of a 5,000-node
synthetic graph, and the time the 5,000-node page takes to stabilise in headless chromium.

A plain script, not a test:

    python bench/bench_visualise.py [--nodes 5000] [--repeat 3] [--no-browser]

The synthetic graph has the shape of docs/model.md (bodies with units, functions held by
bodies through dated assignments with legal basis and sources, acts with articles,
systems exchanging data, categories, programmes, places, recommendations and problems),
generated directly in Python, deterministic by seed, and loaded beside the shipped
ontology into a temporary store.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.namespaces import turtle_prologue  # noqa: E402

_PREFIXES = turtle_prologue()

_ROLES = ("lead", "co-executor", "coordinator", "data-provider", "operator", "implementer")
_BODY_CLASSES = ("mig:Ministry", "mig:Committee", "mig:LocalExecutiveBody",
                 "mig:InternationalOrganisation", "mig:NonGovernmentalOrganisation")
_PROG_CLASSES = ("mig:PublicService", "mig:Benefit", "mig:Procedure", "mig:QuotaScheme")


def synthetic_turtle(n_nodes: int = 5000, seed: int = 42) -> str:
    """Turtle for a graph of about ``n_nodes`` drawn nodes in the model's shape."""
    rnd = random.Random(seed)
    share = {"body": 0.10, "function": 0.20, "act": 0.10, "system": 0.04, "category": 0.06,
             "programme": 0.12, "place": 0.10, "recommendation": 0.18, "problem": 0.10}
    count = {k: max(2, int(n_nodes * v)) for k, v in share.items()}
    out = [_PREFIXES]
    add = out.append

    def lbl(kind: str, i: int) -> str:
        return (f'rdfs:label "{kind} {i}"@en , "{kind} {i} ru"@ru ; '
                f'skos:altLabel "{kind[:3].upper()}{i}"@en ; dcterms:source src:syn-{i % 7} ')

    for i in range(7):
        add(f'src:syn-{i} a mig:SourceSection ; rdfs:label "section {i}"@en .')
    bodies = [f"body:syn-{i}" for i in range(count["body"])]
    for i, b in enumerate(bodies):
        parts = ""
        if i >= 10 and rnd.random() < 0.5:
            parts = f"; org:unitOf {bodies[rnd.randrange(10)]} "
        add(f"{b} a {_BODY_CLASSES[i % len(_BODY_CLASSES)]} ; {lbl('body', i)}{parts}.")
    acts = [f"act:syn-{i}" for i in range(count["act"])]
    articles: list[str] = []
    for i, a in enumerate(acts):
        add(f"{a} a mig:Law ; {lbl('act', i)}; eli:passed_by {rnd.choice(bodies)} .")
        for j in range(3):
            art = f"<{a.replace('act:', 'https://w3id.org/migkg/id/act/')}/art-{j}>"
            articles.append(art)
            add(f'{art} a eli:LegalResourceSubdivision ; eli:is_part_of {a} ; '
                f'rdfs:label "act {i} art. {j}"@en .')
    systems = [f"sys:syn-{i}" for i in range(count["system"])]
    for i, s in enumerate(systems):
        other = systems[(i + 1) % len(systems)]
        add(f"{s} a mig:InformationSystem ; {lbl('system', i)}; mig:exchangesDataWith {other} .")
    cats = [f"cat:syn-{i}" for i in range(count["category"])]
    for i, c in enumerate(cats):
        add(f"{c} a mig:MigrantCategory ; {lbl('category', i)}.")
    places = [f"place:syn-{i}" for i in range(count["place"])]
    for i, p in enumerate(places):
        part = f"; dcterms:isPartOf {places[0]} " if i else ""
        add(f"{p} a mig:Region ; {lbl('place', i)}{part}.")
    progs = [f"prog:syn-{i}" for i in range(count["programme"])]
    for i, p in enumerate(progs):
        add(f"{p} a {_PROG_CLASSES[i % len(_PROG_CLASSES)]} ; {lbl('programme', i)}; "
            f"mig:forCategory {rnd.choice(cats)} ; mig:legalBasis {rnd.choice(articles)} .")
    fns = [f"fn:syn-{i}" for i in range(count["function"])]
    add('period:syn-unknown a mig:UnknownInstant ; rdfs:comment "not dated"@en .')
    add('period:syn-2021-12-31 a time:Instant ; time:inXSDDate "2021-12-31"^^xsd:date .')
    add('period:syn-2022-01-01 a time:Instant ; time:inXSDDate "2022-01-01"^^xsd:date .')
    add("period:syn-until a time:Interval ; time:hasBeginning period:syn-unknown ; "
        "time:hasEnd period:syn-2021-12-31 .")
    add("period:syn-from a time:Interval ; time:hasBeginning period:syn-2022-01-01 .")
    add("period:syn-always a time:Interval ; time:hasBeginning period:syn-unknown .")
    for i, f in enumerate(fns):
        extra = f"; mig:concernsCategory {rnd.choice(cats)} "
        if rnd.random() < 0.3:
            extra += f"; mig:concernsSystem {rnd.choice(systems)} "
        if rnd.random() < 0.4:
            extra += f"; mig:deliversService {rnd.choice(progs)} "
        if i >= 20 and rnd.random() < 0.3:
            extra += f"; skos:broader {fns[rnd.randrange(20)]} "
        add(f"{f} a mig:Function ; {lbl('function', i)}{extra}.")
        holders = rnd.sample(bodies, k=min(len(bodies), rnd.choice((1, 1, 2, 2, 3))))
        for j, b in enumerate(holders):
            role = "lead" if j == 0 else rnd.choice(_ROLES[1:])
            per = "syn-always"
            if j == 0 and rnd.random() < 0.2:  # a transfer, as in 2022
                add(f"asg:syn-{i}-moved a mig:Assignment ; mig:body {rnd.choice(bodies)} ; "
                    f"mig:function {f} ; mig:role role:lead ; mig:period period:syn-until ; "
                    f"mig:evidenceGrade grade:A ; mig:legalBasis {rnd.choice(articles)} ; "
                    f"dcterms:source src:syn-{i % 7} .")
                per = "syn-from"
            add(f"asg:syn-{i}-{j} a mig:Assignment ; mig:body {b} ; mig:function {f} ; "
                f"mig:role role:{role} ; mig:period period:{per} ; mig:evidenceGrade grade:B ; "
                f"mig:legalBasis {rnd.choice(acts)} ; dcterms:source src:syn-{i % 7} .")
    for i in range(count["recommendation"]):
        add(f"rec:syn-r{i} a mig:Recommendation ; {lbl('recommendation', i)}; "
            f"mig:recommendedBy {rnd.choice(bodies)} ; mig:addressedTo {rnd.choice(bodies)} ; "
            f"mig:concerns {rnd.choice(fns)} ; mig:concernsCategory {rnd.choice(cats)} .")
    for i in range(count["problem"]):
        add(f"rec:syn-p{i} a mig:Problem ; {lbl('problem', i)}; "
            f"mig:concerns {rnd.choice(fns + places)} .")
    return "\n".join(out) + "\n"


def build_synthetic_store(folder: Path, n_nodes: int, seed: int = 42) -> Path:
    """A store of the shipped ontology (no shipped data) plus the synthetic graph."""
    from kg.store import build

    ttl = folder / f"synthetic-{n_nodes}.ttl"
    ttl.write_text(synthetic_turtle(n_nodes, seed), encoding="utf-8")
    store = folder / f"store-{n_nodes}"
    build(store, extra=[ttl], include_data=False, checks=False, progress=False)
    return store


def _time(fn, repeat: int) -> tuple[float, float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), max(times), result


def _browser_stabilise(page_path: Path, timeout_ms: int = 600_000) -> dict:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        blocked = []
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url.startswith(("file:", "data:"))
                   else (blocked.append(route.request.url), route.abort()))
        t = time.perf_counter()
        page.goto(page_path.as_uri())
        loaded = time.perf_counter() - t
        # polled: wait_for_function evaluates a string, which the page's CSP forbids
        end = time.monotonic() + timeout_ms / 1000
        while not page.evaluate("() => !!(window.migkg && window.migkg.stabilised)"):
            if time.monotonic() > end:
                raise TimeoutError("the page did not stabilise")
            time.sleep(0.1)
        wall = time.perf_counter() - t
        info = page.evaluate("""() => ({ms: window.migkg.stabiliseMs,
            nodes: window.migkg.nodes.length, edges: window.migkg.edges.length})""")
        # responsiveness after freezing: time to redraw 20 frames while zooming
        redraw = page.evaluate("""() => new Promise(done => {
            const n = window.migkg.network; let k = 0; const t0 = performance.now();
            const step = () => { n.moveTo({scale: 0.3 + 0.02 * k}); n.redraw();
              if (++k < 20) { requestAnimationFrame(step); }
              else { done((performance.now() - t0) / 20); } };
            requestAnimationFrame(step); })""")
        browser.close()
    return {"load_s": loaded, "stabilise_wall_s": wall, "stabilise_page_s": info["ms"] / 1000,
            "drawn_nodes": info["nodes"], "drawn_edges": info["edges"],
            "frame_ms": redraw, "blocked_requests": len(blocked)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)

    from kg.sparql import connect
    from kg.store import build
    from visualise import render
    from visualise.graph import extract

    rows: list[tuple[str, str]] = []

    class _Rows(list):
        def append(self, row):  # show each figure as soon as it is measured
            print(f"  {row[0]}: {row[1]}", file=sys.stderr, flush=True)
            super().append(row)

    rows = _Rows()
    with tempfile.TemporaryDirectory(prefix="migkg-bench-") as tmp:
        folder = Path(tmp)
        seed_store = folder / "seed"
        build(seed_store, progress=False)
        backend = connect(seed_store)
        render(backend, folder / "warmup.html")  # imports (pyvis) out of the way
        med, lo, hi, _ = _time(lambda: render(backend, folder / "seed.html"), args.repeat)
        g = extract(backend)
        rows.append(("seed graph: render whole page",
                     f"{med * 1000:.0f} ms (min {lo * 1000:.0f}, max {hi * 1000:.0f}); "
                     f"{len(g.nodes)} nodes, {len(g.edges)} edges"))
        med, lo, hi, _ = _time(lambda: render(backend, folder / "tl.html", timeline=True),
                               args.repeat)
        rows.append(("seed graph: render timeline", f"{med * 1000:.0f} ms"))

        t = time.perf_counter()
        syn_store = build_synthetic_store(folder, args.nodes)
        rows.append((f"synthetic {args.nodes}: generate + build store",
                     f"{time.perf_counter() - t:.2f} s"))
        syn = connect(syn_store)
        med, lo, hi, _ = _time(lambda: extract(syn), args.repeat)
        g = extract(syn)
        rows.append((f"synthetic {args.nodes}: extract (SPARQL)",
                     f"{med * 1000:.0f} ms; {len(g.nodes)} nodes, {len(g.edges)} edges"))
        for cap in (3000, args.nodes + 1):
            out = folder / f"syn-{cap}.html"
            med, lo, hi, _ = _time(lambda out=out, cap=cap: render(syn, out, max_nodes=cap),
                                   args.repeat)
            size = out.stat().st_size / 1e6
            rows.append((f"synthetic {args.nodes}: render, cap {cap}",
                         f"{med * 1000:.0f} ms (min {lo * 1000:.0f}, max {hi * 1000:.0f}); "
                         f"{size:.1f} MB"))
        med, lo, hi, _ = _time(
            lambda: render(syn, folder / "focus.html", focus="body 3", depth=2), args.repeat)
        rows.append((f"synthetic {args.nodes}: render --focus 'body 3' --depth 2",
                     f"{med * 1000:.0f} ms"))
        if not args.no_browser:
            for cap in (3000, args.nodes + 1):
                res = _browser_stabilise(folder / f"syn-{cap}.html")
                rows.append((
                    f"chromium, cap {cap}: load / stabilised",
                    f"load {res['load_s']:.2f} s, stabilised after {res['stabilise_page_s']:.1f} s"
                    f" (wall {res['stabilise_wall_s']:.1f} s); {res['drawn_nodes']} nodes, "
                    f"{res['drawn_edges']} edges; frame {res['frame_ms']:.0f} ms after freeze; "
                    f"blocked requests {res['blocked_requests']}"))
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':<{width}} | result |")
    print(f"|{'-' * (width + 2)}|--------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
