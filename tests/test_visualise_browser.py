"""The HTML pages of ``migkg visualise`` in a real headless browser (Debian's chromium).

Playwright drives /usr/bin/chromium (never ``playwright install``). Every request that is
not ``file:``/``data:`` is aborted and counted: the count must be 0. What a page draws is
read from its vis DataSets and compared with what the graph holds, computed here
independently with SPARQL (not with ``visualise.graph``). Screenshots go to tests/output/.
When the browser cannot start, the tests fail under CI=true and are skipped otherwise.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.conftest import run_cli

PRO = """
PREFIX mig: <https://w3id.org/migkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
B = "https://w3id.org/migkg/id/body/"
F = "https://w3id.org/migkg/id/function/"
MIA, MLSPP, REFUGEE = B + "ministry-of-internal-affairs", B + "ministry-of-labour", \
    F + "refugee-status"

# --- the expectation, independently ---------------------------------------------------------

NODES_Q = PRO + """
SELECT DISTINCT ?x WHERE {
  VALUES ?c { org:Organization prov:Person mig:Function eli:LegalResource
              mig:InformationSystem mig:MigrantCategory dcterms:Location mig:Quota
              mig:QuotaScheme mig:Benefit mig:Procedure mig:Operation mig:PublicService
              mig:Recommendation mig:Problem org:ChangeEvent }
  ?x a/rdfs:subClassOf* ?c . FILTER(isIRI(?x))
  MINUS { VALUES ?no { mig:Assignment mig:SourceDocument mig:SourceSection qb:Observation
                       qb:DataSet eli:LegalResourceSubdivision }
          ?x a/rdfs:subClassOf* ?no }
}"""

ASSIGNMENTS_Q = PRO + """
SELECT DISTINCT ?a ?b ?f ?on WHERE {
  ?a a mig:Assignment ; mig:body ?b ; mig:function ?f .
  OPTIONAL { ?a mig:period/time:hasBeginning/time:inXSDDate ?from }
  OPTIONAL { ?a mig:period/time:hasEnd/time:inXSDDate ?until }
  FILTER(!BOUND(?on) || ((!BOUND(?from) || ?from <= ?on) && (!BOUND(?until) || ?until >= ?on)))
}"""

# property -> (relation, reversed?); one edge per (subject, relation, object), a symmetric
# relation once per pair, an article folded into its act.
PROPS = {
    "org:unitOf": ("part-of", False), "org:subOrganizationOf": ("part-of", False),
    "dcterms:isPartOf": ("part-of", False), "eli:is_part_of": ("part-of", False),
    "org:hasUnit": ("part-of", True), "org:hasSubOrganization": ("part-of", True),
    "eli:has_part": ("part-of", True), "skos:broader": ("broader", False),
    "skos:narrower": ("broader", True), "mig:exchangesDataWith": ("exchanges-data", False),
    "mig:legalBasis": ("legal-basis", False), "eli:passed_by": ("passed-by", False),
    "eli:based_on": ("based-on", False),
    "eli:responsibility_of_agent": ("responsibility-of", False),
    "eli:responsibility_of": ("responsibility-of", False),
    "mig:approves": ("approves", False), "mig:endorses": ("endorses", False),
    "mig:succeedsAct": ("succeeds", False), "eli:amends": ("amends", False),
    "eli:changes": ("amends", False), "eli:repeals": ("repeals", False),
    "mig:setBy": ("set-by", False), "mig:quotaScheme": ("quota-scheme", False),
    "mig:forCategory": ("for-category", False), "mig:targetRegion": ("target-region", False),
    "mig:providedUnder": ("provided-under", False), "mig:conductedBy": ("conducted-by", False),
    "mig:recommendedBy": ("recommended-by", False), "mig:addressedTo": ("addressed-to", False),
    "mig:proposesBody": ("proposes-body", False), "mig:implementedBy": ("implemented-by", False),
    "mig:concerns": ("concerns", False), "mig:concernsCategory": ("concerns-category", False),
    "mig:concernsSystem": ("concerns-system", False),
    "mig:dependsOnSystem": ("depends-on-system", False),
    "mig:deliversService": ("delivers-service", False),
    "mig:labourInflowFrom": ("labour-inflow-from", False),
    "mig:labourOutflowTo": ("labour-outflow-to", False),
    "mig:hasAgreementWith": ("agreement-with", False), "mig:memberState": ("member-state", False),
    "mig:transfersFunction": ("transfers-function", False),
    "org:originalOrganization": ("original-organization", False),
    "org:resultingOrganization": ("resulting-organization", False),
    "prov:wasAttributedTo": ("attributed-to", False),
}


def expected_graph(backend, on: str | None = None):
    """(node IRIs, edge triples (from, relation, to) with assignments as (b, 'assignment', f))."""
    nodes = {r["x"].value for r in backend.select(NODES_Q)}
    bind = {"on": ox.Literal(on, datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#date"))} if on else {}
    q = ASSIGNMENTS_Q if on else ASSIGNMENTS_Q.replace(" ?on WHERE", " WHERE")
    asg = [(r["b"].value, "assignment", r["f"].value, r["a"].value)
           for r in backend.select(q, bind)]
    top = {r["art"].value: r["act"].value for r in backend.select(PRO + """
        SELECT ?art ?act WHERE { ?art a/rdfs:subClassOf* eli:LegalResourceSubdivision ;
          eli:is_part_of+ ?act . ?act a/rdfs:subClassOf* eli:LegalResource .
          MINUS { ?act a/rdfs:subClassOf* eli:LegalResourceSubdivision } }""")}
    edges = set()
    for curie, (rel, rev) in PROPS.items():
        prefix, local = curie.split(":")
        rows = backend.select(PRO + f"SELECT ?s ?o WHERE {{ ?s {prefix}:{local} ?o . }}")
        for r in rows:
            if not isinstance(r["o"], ox.NamedNode) or not isinstance(r["s"], ox.NamedNode):
                continue
            s, o = r["s"].value, r["o"].value
            s, o = top.get(s, s), top.get(o, o)
            if s not in nodes or o not in nodes or s == o:
                continue
            if rev:
                s, o = o, s
            if rel == "exchanges-data":
                s, o = sorted((s, o))
            edges.add((s, rel, o))
    return nodes, asg, edges


def neighbourhood(start: str, pairs, depth: int) -> set[str]:
    adj: dict[str, set[str]] = {}
    for a, b in pairs:
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    seen, queue = {start: 0}, deque([start])
    while queue:
        x = queue.popleft()
        if seen[x] == depth:
            continue
        for y in sorted(adj.get(x, ())):
            if y not in seen:
                seen[y] = seen[x] + 1
                queue.append(y)
    return set(seen)


# --- the browser ------------------------------------------------------------------------------



class Opened:
    """A page and what it did: console errors, blocked requests, dialogs."""

    def __init__(self, browser, path: Path, *, bypass_csp: bool = False,
                 viewport=(1600, 1000), wait: bool = True) -> None:
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(bypass_csp=bypass_csp,
                                           viewport={"width": viewport[0],
                                                     "height": viewport[1]})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri())
        if wait:
            self.wait("() => !!(window.migkg && window.migkg.stabilised)")

    def _route(self, route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def wait(self, predicate: str, timeout: float = 180.0) -> None:
        # polled with evaluate: wait_for_function would need 'unsafe-eval', which our CSP forbids
        end = time.monotonic() + timeout
        while not self.page.evaluate(predicate):
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {predicate}")
            time.sleep(0.1)

    def drawn(self):
        return self.page.evaluate("""() => ({
            nodes: window.migkg.nodes.get().map(n => n.id),
            edges: window.migkg.edges.get().map(e => [e.from, e.relation, e.to]),
            info: Object.fromEntries(Object.entries(window.migkg.data.model.edgeInfo)
                   .map(([k, v]) => [k, v.iri])),
            edgeIds: window.migkg.edges.get().map(e => e.id)})""")

    def close(self) -> None:
        self.context.close()

    def clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.blocked == [], self.blocked
        assert self.dialogs == [], self.dialogs


def _check_counts(opened: Opened, backend, on: str | None) -> None:
    nodes, asg, rel = expected_graph(backend, on)
    got = opened.drawn()
    assert sorted(got["nodes"]) == sorted(nodes)
    got_asg = sorted(got["info"][eid] for eid, (_, r, _) in zip(got["edgeIds"], got["edges"],
                                                                strict=True)
                     if r == "assignment")
    assert got_asg == sorted(a[3] for a in asg)
    got_rel = {tuple(e) for e in got["edges"] if e[1] != "assignment"}
    assert got_rel == rel
    assert len(got["edges"]) == len(asg) + len(rel)


@pytest.fixture(scope="module")
def pages(tmp_path_factory, built_store):
    return tmp_path_factory.mktemp("pages")


def test_whole_graph_loads_offline_and_draws_what_the_graph_holds(
        browser, built_store, backend, pages, output_dir):
    path = pages / "whole.html"
    code, _out, err = run_cli("visualise", "-o", str(path), store=built_store)
    assert code == 0, err
    opened = Opened(browser, path, viewport=(2000, 1300))
    try:
        opened.clean()
        _check_counts(opened, backend, None)
        assert opened.page.evaluate("() => window.migkg.nodes.length") >= 100
        opened.page.screenshot(path=str(output_dir / "visualise-whole-graph.png"))
    finally:
        opened.close()


@pytest.mark.parametrize(("on", "present", "absent"), [
    ("2021-06-01", MIA, MLSPP),
    ("2022-06-01", MLSPP, MIA),
])
def test_on_filter_draws_the_assignments_valid_that_day(  # noqa: PLR0917
        browser, backend, pages, on, present, absent):
    from visualise import render

    path = render(backend, pages / f"on-{on}.html", on=on)
    opened = Opened(browser, path)
    try:
        opened.clean()
        _check_counts(opened, backend, on)
        leads = opened.page.evaluate("""(fn) => window.migkg.edges.get()
            .filter(e => e.to === fn && e.relation === 'assignment')
            .map(e => [e.from, window.migkg.data.model.edgeInfo[e.id].role])""", REFUGEE)
        assert [present, "lead"] in leads
        assert not [x for x in leads if x[0] == absent]
    finally:
        opened.close()


def test_search_selects_the_node_by_any_label(browser, backend, pages):
    from visualise import render

    path = render(backend, pages / "search.html", on="2022-06-01")
    rows = backend.select(PRO + f"""SELECT ?l WHERE {{ <{MLSPP}> rdfs:label|skos:altLabel ?l .
        FILTER(lang(?l) = "ru") }}""")
    ru = sorted(r["l"].value for r in rows)
    assert ru, "the Ministry of Labour has a Russian label"
    opened = Opened(browser, path)
    try:
        for text in (ru[0], "Ministry of Labour and Social Protection", "MIGRATION POLICE"):
            opened.page.fill("#search", "")
            opened.page.fill("#search", text)
            opened.page.press("#search", "Enter")
            selected = opened.page.evaluate("() => window.migkg.network.getSelectedNodes()")
            want = B + "migration-police" if text == "MIGRATION POLICE" else MLSPP
            assert selected == [want], (text, selected)
            panel = opened.page.inner_text("#panel")
            assert opened.page.evaluate(
                "(id) => window.migkg.data.model.info[id].label", want) in panel
        opened.clean()
    finally:
        opened.close()


@pytest.mark.parametrize("depth", [1, 2])
def test_focus_draws_the_neighbourhood(browser, backend, pages, output_dir, depth):
    from visualise import render

    path = render(backend, pages / f"focus-{depth}.html", focus="Ministry of Labour",
                  depth=depth, on="2022-06-01")
    _nodes, asg, rel = expected_graph(backend, "2022-06-01")
    pairs = [(a[0], a[2]) for a in asg] + [(s, o) for s, _, o in rel]
    want = neighbourhood(MLSPP, pairs, depth)
    opened = Opened(browser, path, viewport=(1800, 1150))
    try:
        opened.clean()
        got = opened.drawn()
        assert sorted(got["nodes"]) == sorted(want)
        want_edges = sorted([[a[0], "assignment", a[2]] for a in asg
                             if a[0] in want and a[2] in want]
                            + [list(e) for e in rel if e[0] in want and e[2] in want])
        assert sorted(got["edges"]) == want_edges
        if depth == 1:
            opened.page.screenshot(path=str(output_dir / "visualise-focus-ministry-of-labour.png"))
    finally:
        opened.close()


def test_kind_filter_and_physics_toggle(browser, backend, pages):
    from visualise import render

    path = render(backend, pages / "kinds.html", include=["body", "function"],
                  layout="hierarchical")
    opened = Opened(browser, path)
    try:
        opened.clean()
        kinds = opened.page.evaluate(
            "() => [...new Set(window.migkg.nodes.get().map(n => n.kind))].sort()")
        assert kinds == ["body", "function"]
        opened.page.uncheck('input[data-kind="function"]')
        hidden = opened.page.evaluate(
            "() => window.migkg.nodes.get().filter(n => n.hidden).map(n => n.kind)")
        assert hidden and set(hidden) == {"function"}
        assert opened.page.evaluate("""() => window.migkg.edges.get().every(e =>
            e.hidden === (window.migkg.data.model.info[e.from].kind === 'function'
                          || window.migkg.data.model.info[e.to].kind === 'function'))""")
        opened.page.check("#physics")
        assert opened.page.evaluate("() => window.migkg.network.physics.options.enabled")
        opened.clean()
    finally:
        opened.close()


HOSTILE = """
@prefix mig: <https://w3id.org/migkg/ontology#> .
@prefix body: <https://w3id.org/migkg/id/body/> .
@prefix fn: <https://w3id.org/migkg/id/function/> .
@prefix asg: <https://w3id.org/migkg/id/assignment/> .
@prefix role: <https://w3id.org/migkg/role/> .
@prefix grade: <https://w3id.org/migkg/grade/> .
@prefix period: <https://w3id.org/migkg/id/period/> .
@prefix src: <https://w3id.org/migkg/id/source/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

body:xss-test a mig:Ministry ;
    rdfs:label "<img src=x onerror=\\"window.__xss=1;alert(1)\\"> Ministry"@en ;
    skos:altLabel "</script><script>window.__xss=2;alert(2)</script>"@en ,
        "\\u2028<b>bold</b>\\u2029"@ru ;
    skos:definition "<script>window.__xss=3</script> href=javascript:alert(3)"@en ;
    dcterms:source src:mussina-paper .

fn:xss-test a mig:Function ;
    skos:inScheme fn:scheme ;
    rdfs:label "<svg onload=\\"window.__xss=4;alert(4)\\">function</svg>"@en ;
    skos:definition "a test function"@en ;
    dcterms:source src:mussina-paper .

asg:xss-test a mig:Assignment ;
    mig:body body:xss-test ; mig:function fn:xss-test ; mig:role role:lead ;
    mig:period period:xss-test ; mig:evidenceGrade grade:D ;
    mig:legalBasisStatus mig:NotStatedInSources ;
    prov:wasDerivedFrom src:mussina-paper ;
    mig:quote "<iframe src=javascript:alert(5)></iframe>"@en ;
    dcterms:source src:mussina-paper .

period:xss-test a time:Interval ; time:hasBeginning period:xss-start .
period:xss-start a time:Instant ; time:inXSDDate "2020-01-01"^^xsd:date .
"""


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    from kg.errors import ValidationFailed
    from kg.store import build

    folder = tmp_path_factory.mktemp("hostile")
    extra = folder / "hostile.ttl"
    extra.write_text("@prefix prov: <http://www.w3.org/ns/prov#> .\n" + HOSTILE,
                     encoding="utf-8")
    try:
        build(folder / "store", extra=[extra], progress=False)
    except ValidationFailed:  # the check queries may ask more of a fact; the labels are the point
        build(folder / "store", extra=[extra], progress=False, checks=False)
    return folder / "store"


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "no-csp"])
def test_hostile_labels_show_as_text_and_run_nothing(browser, hostile_store, pages, bypass_csp):
    """Escaping alone must hold (no-csp); the CSP is a second wall (csp)."""
    from kg.sparql import connect
    from visualise import render

    backend = connect(hostile_store)
    path = render(backend, pages / f"hostile-{bypass_csp}.html", focus="body:xss-test", depth=1)
    timeline = render(backend, pages / f"hostile-tl-{bypass_csp}.html", timeline=True)
    html = path.read_text(encoding="utf-8")
    assert "<img src=x" not in html and "</script><script>window" not in html
    opened = Opened(browser, path, bypass_csp=bypass_csp)
    try:
        iri = B + "xss-test"
        assert opened.page.evaluate("() => window.__xss") is None
        opened.page.fill("#search", "onerror")
        opened.page.press("#search", "Enter")
        assert opened.page.evaluate("() => window.migkg.network.getSelectedNodes()") == [iri]
        panel = opened.page.inner_text("#panel")
        assert '<img src=x onerror="window.__xss=1;alert(1)"> Ministry' in panel
        assert "</script><script>window.__xss=2;alert(2)</script>" in panel
        results = opened.page.inner_text("#results")
        assert "<img src=x" in results
        edge = opened.page.evaluate(
            "() => window.migkg.edges.get().find(e => e.relation === 'assignment').id")
        opened.page.evaluate("(id) => window.migkg.showEdge(id)", edge)
        panel = opened.page.inner_text("#panel")
        assert "<iframe src=javascript:alert(5)></iframe>" in panel
        assert "<svg onload=" in panel
        opened.page.hover("#network")
        counts = opened.page.evaluate("""() => ({
            img: document.querySelectorAll('img').length,
            iframe: document.querySelectorAll('iframe').length,
            svgInPanel: document.querySelectorAll('#panel svg, #results svg').length,
            scripts: document.querySelectorAll('script').length})""")
        assert counts == {"img": 0, "iframe": 0, "svgInPanel": 0, "scripts": 3}
        assert opened.page.evaluate("() => window.__xss") is None
        opened.clean()
    finally:
        opened.close()
    opened = Opened(browser, timeline, bypass_csp=bypass_csp, wait=False)
    try:
        text = opened.page.evaluate("() => document.body.textContent")
        assert 'onload="window.__xss=4;alert(4)">function</svg>' in text
        assert '<img src=x onerror="window.__xss=1;alert(1)"> Ministry' in text
        assert opened.page.evaluate("() => window.__xss") is None
        assert opened.page.evaluate("() => document.querySelectorAll('img, script').length") == 0
        opened.clean()
    finally:
        opened.close()


def test_timeline_shows_the_2022_transfer(browser, built_store, pages, output_dir):
    path = pages / "timeline.html"
    code, _out, err = run_cli("visualise", "--timeline", "-o", str(path), store=built_store)
    assert code == 0, err
    opened = Opened(browser, path, viewport=(1320, 900), wait=False)
    try:
        opened.clean()
        titles = opened.page.evaluate(
            "() => [...document.querySelectorAll('g.bar > title')].map(t => t.textContent)")
        mia = [t for t in titles if t.startswith("Ministry of Internal Affairs · lead")
               and "2021-12-31" in t]
        mlspp = [t for t in titles if t.startswith("Ministry of Labour") and "lead" in t
                 and t.split(" · ")[2].startswith("2022-01-01")]
        assert mia and mlspp, titles
        assert opened.page.evaluate("() => document.querySelectorAll('g.event').length") >= 1
        opened.page.screenshot(path=str(output_dir / "visualise-timeline.png"), full_page=True)
    finally:
        opened.close()
