"""The institutional network of bodies and its measures (networkx, deterministic).

Nodes are the bodies (instances of ``org:Organization``: ministries, units, international
organisations, the proposed agency…; persons are not bodies). Two bodies are linked, by an
undirected edge, when

- **shared function**: both hold an assignment of the same function (any role; with ``on``,
  only assignments valid that day — docs/dev.md);
- **data exchange**: one holds a function about/needing a system (``mig:concernsSystem``,
  ``mig:dependsOnSystem``) that exchanges data (``mig:exchangesDataWith``, either
  direction) with a system of a function the other holds;
- **part of**: one is a unit or sub-organisation of the other (``org:unitOf``,
  ``org:subOrganizationOf``, or their inverses).

Measures: degree centrality, betweenness centrality (unweighted, normalised), articulation
points (bodies whose removal disconnects their component), functions held by a single
body, bodies with no link (isolated), communities (greedy modularity on the edge weights =
the number of reasons two bodies are linked). Only :func:`analyse` imports networkx;
:func:`institutional_network` and :func:`degree_centrality` are plain Python (they size
the nodes of the HTML page without the import).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import PREFIXES, compact, sparql_prologue

__all__ = ["InstitutionalNetwork", "analyse", "degree_centrality", "institutional_network"]

_XSD_DATE = PREFIXES["xsd"] + "date"
_PERIOD_FILTER = (
    "OPTIONAL { ?a mig:period ?p . "
    "  OPTIONAL { ?p time:hasBeginning/time:inXSDDate ?from } "
    "  OPTIONAL { ?p time:hasEnd/time:inXSDDate ?until } } "
    "FILTER((!BOUND(?from) || ?from <= ?on) && (!BOUND(?until) || ?until >= ?on)) "
)


@dataclass
class InstitutionalNetwork:
    """Bodies, the functions they hold, and the undirected links between bodies."""

    on: str | None
    bodies: dict[str, str] = field(default_factory=dict)  # iri -> label
    holders: dict[str, set[str]] = field(default_factory=dict)  # function -> bodies
    functions: dict[str, str] = field(default_factory=dict)  # function iri -> label
    # (a, b) with a < b -> {"kinds": set, "functions": set, "systems": set}
    links: dict[tuple[str, str], dict[str, set[str]]] = field(default_factory=dict)

    def link(self, a: str, b: str, kind: str, via: str | None = None, slot: str = "") -> None:
        if a == b:
            return
        key = (a, b) if a < b else (b, a)
        entry = self.links.setdefault(key, {"kinds": set(), "functions": set(), "systems": set()})
        entry["kinds"].add(kind)
        if via and slot:
            entry[slot].add(via)

    def weight(self, key: tuple[str, str]) -> int:
        entry = self.links[key]
        return len(entry["functions"]) + len(entry["systems"]) + ("part-of" in entry["kinds"])


def _nt(iri: str) -> str:
    return str(ox.NamedNode(iri))


def _values(var: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(_nt(i) for i in sorted(iris))} }}"


def _labels(backend, iris: Iterable[str], lang: str = "en") -> dict[str, str]:
    iris = sorted(set(iris))
    out: dict[str, str] = {}
    for start in range(0, len(iris), 2000):
        chunk = iris[start:start + 2000]
        q = (sparql_prologue()
             + f"SELECT ?x ?l WHERE {{ {_values('x', chunk)} ?x rdfs:label|skos:prefLabel ?l }}")
        best: dict[str, tuple[int, str]] = {}
        for r in backend.select(q):
            lit = r["l"]
            rank = 0 if lit.language == lang else 1 if lit.language == "en" else 2
            cand = (rank, lit.value)
            x = r["x"].value
            if x not in best or cand < best[x]:
                best[x] = cand
        out.update({x: v[1] for x, v in best.items()})
    return {i: out.get(i, compact(i)) for i in iris}


def institutional_network(backend, on: str | None = None, *,
                          around: Iterable[str] | None = None,
                          lang: str = "en") -> InstitutionalNetwork:
    """Read the network (all bodies; or only the links of the bodies ``around``)."""
    net = InstitutionalNetwork(on=on)
    pro = sparql_prologue()
    bindings = {"on": ox.Literal(on, datatype=ox.NamedNode(_XSD_DATE))} if on else None
    sel_on = " ?on" if on else ""
    period = _PERIOD_FILTER if on else ""
    if around is None:
        q = pro + ("SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* org:Organization . "
                   "FILTER(isIRI(?x)) }")
        bodies = {r["x"].value for r in backend.select(q)}
        hold_q = pro + (f"SELECT DISTINCT ?b ?f{sel_on} WHERE {{ ?a a mig:Assignment ; "
                        f"mig:body ?b ; mig:function ?f . {period}}}")
        holdings = [(r["b"].value, r["f"].value) for r in backend.select(hold_q, bindings)]
        restrict = ""
    else:
        bodies = set(around)
        if not bodies:
            return net
        q = pro + (f"SELECT DISTINCT ?f{sel_on} WHERE {{ {_values('b', bodies)} "
                   f"?a a mig:Assignment ; mig:body ?b ; mig:function ?f . {period}}}")
        fns = {r["f"].value for r in backend.select(q, bindings)}
        holdings = []
        if fns:
            hold_q = pro + (f"SELECT DISTINCT ?b ?f{sel_on} WHERE {{ {_values('f', fns)} "
                            f"?a a mig:Assignment ; mig:body ?b ; mig:function ?f . {period}}}")
            holdings = [(r["b"].value, r["f"].value) for r in backend.select(hold_q, bindings)]
        restrict = _values("s", bodies)
    for b, f in holdings:
        net.holders.setdefault(f, set()).add(b)
    # part of
    q = pro + (f"SELECT DISTINCT ?s ?o WHERE {{ {restrict} "
               "{ ?s org:unitOf|org:subOrganizationOf ?o } UNION "
               "{ ?o org:hasUnit|org:hasSubOrganization ?s } "
               "?s a/rdfs:subClassOf* org:Organization . "
               "?o a/rdfs:subClassOf* org:Organization . }")
    parts = [(r["s"].value, r["o"].value) for r in backend.select(q)]
    if around is not None:
        q2 = pro + (f"SELECT DISTINCT ?s ?o WHERE {{ {_values('o', bodies)} "
                    "{ ?s org:unitOf|org:subOrganizationOf ?o } UNION "
                    "{ ?o org:hasUnit|org:hasSubOrganization ?s } "
                    "?s a/rdfs:subClassOf* org:Organization . }")
        parts += [(r["s"].value, r["o"].value) for r in backend.select(q2)]
    for s, o in parts:
        net.link(s, o, "part-of")
    # shared functions
    for f, holders in net.holders.items():
        hs = sorted(holders)
        for i, a in enumerate(hs):
            for b in hs[i + 1:]:
                net.link(a, b, "shared-function", f, "functions")
    # data exchange through systems
    if net.holders:
        fsys: dict[str, set[str]] = {}
        fn_list = sorted(net.holders)
        for start in range(0, len(fn_list), 2000):
            chunk = fn_list[start:start + 2000]
            q = pro + (f"SELECT DISTINCT ?f ?sys WHERE {{ {_values('f', chunk)} "
                       "?f mig:concernsSystem|mig:dependsOnSystem ?sys . }")
            for r in backend.select(q):
                fsys.setdefault(r["f"].value, set()).add(r["sys"].value)
        body_sys: dict[str, set[str]] = {}
        for f, systems in fsys.items():
            for b in net.holders[f]:
                body_sys.setdefault(b, set()).update(systems)
        all_sys = set().union(*body_sys.values()) if body_sys else set()
        if all_sys:
            q = pro + (f"SELECT DISTINCT ?s1 ?s2 WHERE {{ {_values('s1', all_sys)} "
                       "?s1 mig:exchangesDataWith|^mig:exchangesDataWith ?s2 . }")
            exch = {(r["s1"].value, r["s2"].value) for r in backend.select(q)}
            sys_bodies: dict[str, set[str]] = {}
            for b, systems in body_sys.items():
                for s in systems:
                    sys_bodies.setdefault(s, set()).add(b)
            for s1, s2 in sorted(exch):
                if s1 == s2:
                    continue
                for a in sorted(sys_bodies.get(s1, ())):
                    for b in sorted(sys_bodies.get(s2, ())):
                        net.link(a, b, "data-exchange", f"{min(s1, s2)}|{max(s1, s2)}",
                                 "systems")
    ends = {x for key in net.links for x in key}
    all_bodies = bodies | ends | {b for hs in net.holders.values() for b in hs}
    if around is not None:
        all_bodies = bodies | ends
    net.bodies = dict(sorted(_labels(backend, all_bodies, lang).items()))
    net.functions = _labels(backend, net.holders, lang)
    return net


def degree_centrality(net: InstitutionalNetwork) -> dict[str, float]:
    """networkx's degree centrality (degree / (n - 1)) without importing networkx."""
    deg = dict.fromkeys(net.bodies, 0)
    for a, b in net.links:
        if a in deg and b in deg:
            deg[a] += 1
            deg[b] += 1
    n = len(deg)
    scale = 1.0 / (n - 1) if n > 1 else 1.0
    return {k: v * scale for k, v in deg.items()}


def _r(x: float) -> float:
    return round(float(x), 6)


def to_networkx(net: InstitutionalNetwork):
    """The network as an undirected ``networkx.Graph`` (nodes and edges inserted sorted)."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(sorted(net.bodies))
    for key in sorted(net.links):
        g.add_edge(*key, weight=net.weight(key))
    return g


def analyse(backend, on: str | None = None, lang: str = "en") -> dict:
    """The measures of the institutional network on ``on`` (or over all time), as plain data."""
    import networkx as nx
    from networkx.algorithms.community import greedy_modularity_communities

    from visualise.graph import parse_date

    on = parse_date(on)
    net = institutional_network(backend, on, lang=lang)
    g = to_networkx(net)
    degree = nx.degree_centrality(g) if len(g) > 1 else dict.fromkeys(g, 0.0)
    between = nx.betweenness_centrality(g, normalized=True)
    articulation = set(nx.articulation_points(g))
    communities: list[list[str]] = []
    if g.number_of_edges():
        found = greedy_modularity_communities(g, weight="weight")
        communities = sorted(
            (sorted(c) for c in found if len(c) > 1), key=lambda c: (-len(c), c)
        )
    community_of = {b: i for i, c in enumerate(communities) for b in c}
    held: dict[str, int] = {}
    for holders in net.holders.values():
        for b in holders:
            held[b] = held.get(b, 0) + 1

    def ref(iri: str) -> dict:
        return {"iri": iri, "curie": compact(iri), "label": net.bodies.get(iri, compact(iri))}

    bodies = []
    for iri in net.bodies:
        bodies.append({
            **ref(iri),
            "degree": g.degree(iri),
            "degree_centrality": _r(degree.get(iri, 0.0)),
            "betweenness": _r(between.get(iri, 0.0)),
            "articulation_point": iri in articulation,
            "functions_held": held.get(iri, 0),
            "community": community_of.get(iri),
        })
    bodies.sort(key=lambda b: (-b["betweenness"], -b["degree_centrality"], -b["functions_held"],
                               b["label"].lower(), b["iri"]))
    edges = []
    for (a, b), entry in sorted(net.links.items()):
        edges.append({
            "source": a, "target": b, "kinds": sorted(entry["kinds"]),
            "functions": sorted(compact(f) for f in entry["functions"]),
            "systems": sorted(entry["systems"]),
            "weight": net.weight((a, b)),
        })
    single = sorted(
        ({"function": compact(f), "function_label": net.functions.get(f, compact(f)),
          "body": compact(next(iter(hs))), "body_label": net.bodies.get(next(iter(hs)), "")}
         for f, hs in net.holders.items() if len(hs) == 1),
        key=lambda x: (x["function_label"].lower(), x["function"]),
    )
    head = bodies[0] if bodies and g.number_of_edges() else None
    tied = [b["curie"] for b in bodies[1:] if head and b["betweenness"] == head["betweenness"]
            and b["degree_centrality"] == head["degree_centrality"]]
    busiest = max(bodies, key=lambda b: (b["functions_held"], -bodies.index(b)), default=None)
    return {
        "on": on,
        "network": {"bodies": g.number_of_nodes(), "links": g.number_of_edges(),
                    "components": nx.number_connected_components(g) if len(g) else 0},
        "most_central": head and {
            **{k: head[k] for k in ("iri", "curie", "label", "betweenness", "degree_centrality",
                                    "functions_held")},
            "tied_with": tied,
        },
        "most_functions": busiest and busiest["functions_held"] and {
            k: busiest[k] for k in ("iri", "curie", "label", "functions_held")},
        "bodies": bodies,
        "edges": edges,
        "articulation_points": sorted(compact(x) for x in articulation),
        "single_body_functions": single,
        "isolated": sorted(compact(x) for x in nx.isolates(g)),
        "communities": [[compact(x) for x in c] for c in communities],
    }


def format_table(result: dict) -> str:
    """The analysis as text for a terminal."""
    lines = []
    on = result["on"] or "all dates"
    net = result["network"]
    lines.append(f"institutional network on {on}: {net['bodies']} bodies, {net['links']} links, "
                 f"{net['components']} components")
    head = result["most_central"]
    if head:
        lines.append(f"most central body: {head['label']} ({head['curie']}), betweenness "
                     f"{head['betweenness']:.3f}, degree centrality {head['degree_centrality']:.3f}"
                     + (f" (tied with {', '.join(head['tied_with'])}; ranked by functions held)"
                        if head["tied_with"] else ""))
    busiest = result.get("most_functions")
    if busiest:
        lines.append(f"holds the most functions: {busiest['label']} ({busiest['curie']}), "
                     f"{busiest['functions_held']}")
    lines.append("")
    width = max((len(b["label"]) for b in result["bodies"]), default=4)
    width = min(max(width, 4), 60)
    lines.append(f"{'body':<{width}}  degree  deg.c.  betweenness  cut  functions  community")
    for b in result["bodies"]:
        comm = "" if b["community"] is None else str(b["community"] + 1)
        lines.append(
            f"{b['label'][:width]:<{width}}  {b['degree']:>6}  {b['degree_centrality']:.3f}  "
            f"{b['betweenness']:>11.3f}  {'yes' if b['articulation_point'] else '':>3}  "
            f"{b['functions_held']:>9}  {comm:>9}"
        )
    lines.append("")
    lines.append("articulation points (removing one disconnects the network): "
                 + (", ".join(result["articulation_points"]) or "none"))
    lines.append("isolated bodies: " + (", ".join(result["isolated"]) or "none"))
    lines.append("functions held by a single body:")
    for s in result["single_body_functions"]:
        lines.append(f"  {s['function_label']} ({s['function']}): {s['body_label']}")
    if not result["single_body_functions"]:
        lines.append("  none")
    lines.append("communities:")
    for i, c in enumerate(result["communities"], 1):
        lines.append(f"  {i}: {', '.join(c)}")
    if not result["communities"]:
        lines.append("  none")
    return "\n".join(lines)
