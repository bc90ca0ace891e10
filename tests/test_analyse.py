"""``migkg analyse`` against networkx run directly on edges read here with SPARQL."""

from __future__ import annotations

import json
from itertools import combinations

import networkx as nx
import pyoxigraph as ox
import pytest

from tests.conftest import run_cli

PRO = """
PREFIX mig: <https://w3id.org/migkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX time: <http://www.w3.org/2006/time#>
"""
B = "https://w3id.org/migkg/id/body/"
MIA, MLSPP = B + "ministry-of-internal-affairs", B + "ministry-of-labour"


def direct_network(backend, on: str | None) -> nx.Graph:
    """Bodies linked by shared functions, data exchange between their systems, part-of."""
    g = nx.Graph()
    g.add_nodes_from(sorted(r["x"].value for r in backend.select(
        PRO + "SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* org:Organization }")
        if isinstance(r["x"], ox.NamedNode)))
    bind = {"on": ox.Literal(on, datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#date"))} if on else {}
    q = PRO + """SELECT DISTINCT ?b ?f ?on WHERE { ?a a mig:Assignment ; mig:body ?b ;
        mig:function ?f .
      OPTIONAL { ?a mig:period/time:hasBeginning/time:inXSDDate ?from }
      OPTIONAL { ?a mig:period/time:hasEnd/time:inXSDDate ?until }
      FILTER(!BOUND(?on)
             || ((!BOUND(?from) || ?from <= ?on) && (!BOUND(?until) || ?until >= ?on)))
    }"""
    if not on:
        q = q.replace(" ?on WHERE", " WHERE")
    holders: dict[str, set[str]] = {}
    for r in backend.select(q, bind):
        holders.setdefault(r["f"].value, set()).add(r["b"].value)
    for hs in holders.values():
        g.add_edges_from(combinations(sorted(hs), 2))
    for r in backend.select(PRO + """SELECT ?s ?o WHERE {
        { ?s org:unitOf|org:subOrganizationOf ?o }
        UNION { ?o org:hasUnit|org:hasSubOrganization ?s }
        ?s a/rdfs:subClassOf* org:Organization . ?o a/rdfs:subClassOf* org:Organization . }"""):
        if r["s"] != r["o"]:
            g.add_edge(r["s"].value, r["o"].value)
    fsys: dict[str, set[str]] = {}
    q = PRO + "SELECT ?f ?s WHERE { ?f mig:concernsSystem|mig:dependsOnSystem ?s }"
    for r in backend.select(q):
        fsys.setdefault(r["f"].value, set()).add(r["s"].value)
    sys_bodies: dict[str, set[str]] = {}
    for f, hs in holders.items():
        for s in fsys.get(f, ()):
            sys_bodies.setdefault(s, set()).update(hs)
    for r in backend.select(PRO + "SELECT ?a ?b WHERE { ?a mig:exchangesDataWith ?b }"):
        a, b = r["a"].value, r["b"].value
        if a == b:
            continue
        for x in sys_bodies.get(a, ()):
            for y in sys_bodies.get(b, ()):
                if x != y:
                    g.add_edge(x, y)
    return g


@pytest.mark.parametrize("on", [None, "2021-06-01", "2022-06-01"])
def test_analyse_agrees_with_networkx(built_store, backend, on):
    args = ["analyse", "--format", "json"] + (["--on", on] if on else [])
    code, out, err = run_cli(*args, store=built_store)
    assert code == 0, err
    result = json.loads(out)
    g = direct_network(backend, on)
    got_edges = {tuple(sorted((e["source"], e["target"]))) for e in result["edges"]}
    assert got_edges == {tuple(sorted(e)) for e in g.edges}
    assert {b["iri"] for b in result["bodies"]} == set(g.nodes)
    degree = nx.degree_centrality(g)
    between = nx.betweenness_centrality(g)
    for b in result["bodies"]:
        assert b["degree"] == g.degree(b["iri"])
        assert b["degree_centrality"] == pytest.approx(degree[b["iri"]], abs=1e-6)
        assert b["betweenness"] == pytest.approx(between[b["iri"]], abs=1e-6)
    cut = {b["curie"] for b in result["bodies"] if b["articulation_point"]}
    assert cut == set(result["articulation_points"])
    assert len(cut) == len(set(nx.articulation_points(g)))
    assert len(result["isolated"]) == len(list(nx.isolates(g)))
    top = max(between.values())
    assert result["most_central"]["betweenness"] == pytest.approx(top, abs=1e-6)
    members = [m for c in result["communities"] for m in c]
    assert len(members) == len(set(members))


def test_headline_is_sensible(built_store):
    """The paper: the MIA led migration until 2021, the Ministry of Labour from 2022.

    On this data the MIA and the MFA tie for betweenness (each joins its own units and
    the border-control database to the rest); ranked by functions held, the MIA comes first
    over all dates. The body holding the most functions moves from the MIA (2021) to the
    Ministry of Labour (2022).
    """
    def run(*extra):
        code, out, err = run_cli("analyse", "--format", "json", *extra, store=built_store)
        assert code == 0, err
        return json.loads(out)

    assert run()["most_central"]["iri"] in (MIA, MLSPP)
    assert run("--on", "2021-06-01")["most_functions"]["iri"] == MIA
    assert run("--on", "2022-06-01")["most_functions"]["iri"] == MLSPP


def test_analyse_is_deterministic_and_checks_input(built_store):
    a = run_cli("analyse", "--format", "json", store=built_store)
    b = run_cli("analyse", "--format", "json", store=built_store)
    assert a == b
    code, out, err = run_cli("analyse", store=built_store)
    assert code == 0 and "most central body:" in out
    code, _out, err = run_cli("analyse", "--on", "2022-13-01", store=built_store)
    assert code == 2 and err.count("\n") == 1 and "bad date" in err
