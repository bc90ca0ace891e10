"""One self-contained, offline HTML page for a :class:`~visualise.graph.VisGraph`.

pyvis builds the network model (nodes, edges) and its vis-network options; the page is
ours, not pyvis's template, because pyvis 0.3.2's template loads Bootstrap and vis-network
from CDNs, renders every tooltip as raw HTML once any title contains "href", and does not
escape its heading. Here:

- vis-network's JS and CSS are read from the files the pyvis wheel ships
  (``pyvis/lib/vis-9.1.2/``, listed in its RECORD) and inlined; nothing is fetched from any
  host, and a Content-Security-Policy (``default-src 'none'``, scripts allowed only by
  their SHA-256) makes the browser refuse any request or injected script anyway;
- the data is one JSON block (``<`` ``>`` ``&`` U+2028 U+2029 escaped, so no string can
  close the block), read with ``JSON.parse``; every text from the data reaches the page
  through ``textContent`` or the canvas, never ``innerHTML``; nodes carry no ``title``,
  tooltips and the side panel are built from DOM nodes;
- at most ``max_nodes`` nodes are drawn (the most connected), with a message saying so.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import json
import math
import sys
import types
from pathlib import Path

from kg.errors import UsageError
from kg.namespaces import compact
from visualise.graph import DRAWN_KINDS, VisGraph

__all__ = ["KIND_STYLE", "MAX_NODES", "page_html", "vis_assets"]

MAX_NODES = 3000
_BIG = 600  # above this many nodes: straight edges, fewer iterations, weaker forces
_EDGE_LABELS = 160  # above this many edges, edge labels only in tooltips and the side panel

# kind -> (legend label, colour, vis shape, hierarchical level)
KIND_STYLE: dict[str, tuple[str, str, str, int]] = {
    "event": ("change event", "#e6a100", "star", 0),
    "body": ("body", "#1f77b4", "dot", 1),
    "person": ("person", "#17becf", "dot", 1),
    "function": ("function", "#ff7f0e", "diamond", 2),
    "system": ("information system", "#9467bd", "hexagon", 3),
    "programme": ("programme / service", "#8c8c00", "star", 3),
    "act": ("act", "#2ca02c", "square", 4),
    "article": ("article", "#7fc97f", "square", 5),
    "category": ("migrant category", "#e377c2", "triangle", 5),
    "place": ("place", "#8c564b", "triangleDown", 6),
    "recommendation": ("recommendation", "#d62728", "triangleDown", 6),
    "problem": ("problem", "#7f0000", "triangle", 7),
}
_ROLE_COLOUR = {"lead": "#0b3d91", "co-executor": "#3b6fb6", "coordinator": "#5b8fd6"}
_ASG_COLOUR = "#6f8fb8"
_REL_COLOUR = "#a0a4aa"


def vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS: the files shipped inside the pyvis package (or vendored)."""
    candidates = []
    spec = importlib.util.find_spec("pyvis")
    if spec and spec.submodule_search_locations:
        base = Path(next(iter(spec.submodule_search_locations)))
        candidates += [base / "lib" / "vis-9.1.2", base / "templates" / "lib" / "vis-9.1.2"]
    candidates.append(Path(__file__).parent / "assets")
    for folder in candidates:
        js, css = folder / "vis-network.min.js", folder / "vis-network.css"
        if js.is_file() and css.is_file():
            return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8")
    raise UsageError("vis-network is missing: reinstall pyvis 0.3.2 (it ships the library)")


def json_for_script(obj: object) -> str:
    """JSON that can sit inside ``<script type="application/json">`` whatever its strings."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _inline_safe(code: str, tag: str) -> str:
    """Library text that cannot close its own ``<script>``/``<style>`` element."""
    import re

    return re.sub(f"</({tag})", r"<\\/\1", code, flags=re.IGNORECASE)


def csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode() \
        + "'"


def _short(label: str, width: int = 42) -> str:
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def _period_text(period: dict | None) -> str:
    if not period:
        return ""
    start = period.get("from") or ("unknown start" if period.get("start_unknown") else "…")
    end = period.get("until") or "open"
    return f"{start} – {end}"


def _cap(graph: VisGraph, max_nodes: int) -> tuple[list[str], int]:
    """The node IRIs to draw (sorted) and how many there were."""
    total = len(graph.nodes)
    if total <= max_nodes:
        return sorted(graph.nodes), total
    deg = graph.degree()
    ranked = sorted(graph.nodes, key=lambda i: (i != graph.focus, -deg[i], i))
    return sorted(ranked[:max_nodes]), total


class _OnFirstUse(types.ModuleType):
    """A stand-in for a module, importing the real one when an attribute is first read."""

    def __getattr__(self, name: str):
        return getattr(importlib.import_module(self.__name__), name)


def _pyvis():
    """pyvis's Network, Node and Edge, without importing what pyvis.network never uses here.

    pyvis.network imports at import time ``IPython.display.IFrame`` (only for
    ``Network.show()`` in a notebook), networkx (only for ``Network.from_nx``) and jsonpickle
    (only for ``Network.to_json``), none of which is called here; together they cost most of
    a ``migkg visualise`` process (IPython ~0.6 s, networkx ~0.2 s, jsonpickle ~0.05 s).
    While pyvis.network is first imported, a module that is not loaded yet is replaced by
    a stand-in: IPython by a placeholder module with ``IFrame = None``; networkx and jsonpickle
    by :class:`_OnFirstUse`, so ``from_nx``/``to_json`` still work (they import the real
    module then). The stand-ins are removed from ``sys.modules`` right after, so a later
    ``import networkx`` (or ``IPython``) gets the real module.
    """
    stubbed = []
    if "pyvis.network" not in sys.modules:
        if "IPython" not in sys.modules:
            display = types.ModuleType("IPython.display")
            display.IFrame = None  # only Network.show(notebook=True) would use it
            package = types.ModuleType("IPython")
            package.display = display
            stubbed += [("IPython", package), ("IPython.display", display)]
        stubbed += [(name, _OnFirstUse(name)) for name in ("networkx", "jsonpickle")
                    if name not in sys.modules]
        for name, module in stubbed:
            sys.modules[name] = module
    try:
        from pyvis.edge import Edge
        from pyvis.network import Network
        from pyvis.node import Node
    finally:
        for name, module in stubbed:
            if sys.modules.get(name) is module:
                del sys.modules[name]
    return Network, Node, Edge


def network_model(graph: VisGraph, *, layout: str = "force", max_nodes: int = MAX_NODES,
                  sizes: dict[str, float] | None = None) -> dict:
    """The vis-network model (nodes, edges, options) built with pyvis, plus side-panel data."""
    Network, PyvisNode, PyvisEdge = _pyvis()
    if layout not in ("force", "hierarchical"):
        raise UsageError(f"unknown layout {layout!r}: choose force or hierarchical")
    keep, total = _cap(graph, max_nodes)
    kept = set(keep)
    edges = [e for e in graph.edges if e.source in kept and e.target in kept]
    big = len(keep) > _BIG
    deg = dict.fromkeys(keep, 0)
    for e in edges:
        deg[e.source] += 1
        deg[e.target] += 1
    hier = layout == "hierarchical"
    net = Network(height="100%", width="100%", directed=True, layout=hier or None)
    # pyvis's add_node/add_edge check membership in lists (quadratic for thousands of
    # nodes); the ids here are unique by construction, so the models are appended directly.
    info: dict[str, dict] = {}
    for iri in keep:
        node = graph.nodes[iri]
        label, colour, shape, level = KIND_STYLE[node.kind]
        size = 12 + 22 * sizes[iri] if sizes and iri in sizes else 9 + 3.2 * math.sqrt(deg[iri])
        size = round(min(size, 48), 2)
        opts = {
            "color": {"background": colour, "border": "#333333",
                      "highlight": {"background": colour, "border": "#000000"},
                      "hover": {"background": colour, "border": "#000000"}},
            "size": size, "kind": node.kind, "borderWidth": 1,
            "font": {"size": 18 if node.kind in ("body", "function") else 15,
                     "strokeWidth": 3, "strokeColor": "#ffffff"},
        }
        if iri == graph.focus:
            opts["borderWidth"] = 4
            opts["font"] = {**opts["font"], "size": 20}
        if hier:
            opts["level"] = level
        model = PyvisNode(iri, shape, label=_short(node.label, 36), **opts).options
        net.nodes.append(model)
        net.node_ids.append(iri)
        net.node_map[iri] = model
        info[iri] = {
            "iri": iri, "curie": node.curie, "kind": node.kind, "kind_label": label,
            "label": node.label, "labels": node.labels, "alt": node.alt_labels,
            "definition": node.definition, "period": _period_text(node.period),
            "status": node.status, "code": node.code,
            "legal_basis": node.legal_basis, "sources": node.sources,
        }
    edge_info: dict[str, dict] = {}
    for i, e in enumerate(edges):
        eid = f"e{i}"
        is_asg = e.relation == "assignment"
        role = compact(e.role).split(":")[-1] if e.role else ""
        if is_asg:
            colour = _ROLE_COLOUR.get(role, _ASG_COLOUR)
            width = 3 if role == "lead" else 1.6
        else:
            colour, width = _REL_COLOUR, 1
        opts = {
            "id": eid, "relation": e.relation, "width": width,
            "color": {"color": colour, "highlight": "#000000", "hover": "#000000"},
            "font": {"size": 11, "color": "#333333", "strokeWidth": 3, "strokeColor": "#ffffff",
                     "align": "middle"},
        }
        if len(edges) <= _EDGE_LABELS:
            opts["label"] = _short(e.label, 28)
        if e.relation == "exchanges-data":
            opts["arrows"] = {"to": {"enabled": True}, "from": {"enabled": True}}
        if is_asg and role and role != "lead":
            opts["dashes"] = True
        net.edges.append(PyvisEdge(e.source, e.target, True, **opts).options)
        edge_info[eid] = {
            "relation": e.relation, "label": e.label, "iri": e.iri,
            "curie": compact(e.iri) if e.iri else "",
            "from": e.source, "to": e.target, "role": e.role_label,
            "period": _period_text(e.period) if is_asg else "",
            "grade": e.grade.split(":")[-1] if e.grade else "",
            "legal_basis": e.legal_basis, "sources": e.sources, "quote": e.quote,
        }
    if hier:
        net.hrepulsion(node_distance=170, central_gravity=0.0, spring_length=140,
                       spring_strength=0.01, damping=0.3)
    else:
        small = len(keep) <= 60
        net.force_atlas_2based(gravity=-200 if small else -80 if not big else -40,
                               central_gravity=0.02,
                               spring_length=190 if small else 120 if not big else 60,
                               spring_strength=0.06,
                               damping=0.5, overlap=0.4 if not big else 0)
    nodes_js, edges_js, _heading, _h, _w, options_json = net.get_network_data()
    options = json.loads(options_json)
    options["physics"]["stabilization"] = {
        "enabled": True, "fit": True, "updateInterval": 25, "onlyDynamicEdges": False,
        "iterations": 400 if not big else 100,
    }
    options["physics"]["minVelocity"] = 0.75
    options["edges"] = {"smooth": False if big else {"enabled": True, "type": "continuous",
                                                     "roundness": 0.4},
                        "color": {"inherit": False},
                        "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}}}
    options["interaction"] = {**options.get("interaction", {}), "hover": True,
                              "tooltipDelay": 120, "hideEdgesOnDrag": big,
                              "hideEdgesOnZoom": big, "multiselect": False,
                              "navigationButtons": False, "keyboard": False}
    options.setdefault("layout", {})
    options["layout"]["randomSeed"] = 7
    options["layout"]["improvedLayout"] = len(keep) <= 150
    if hier:
        options["layout"]["hierarchical"] = {
            "enabled": True, "direction": "UD", "levelSeparation": 170,
            "nodeSpacing": 140, "treeSpacing": 200, "blockShifting": True,
            "edgeMinimization": True, "parentCentralization": True, "sortMethod": "directed",
        }
    options["configure"] = {"enabled": False}
    return {
        "nodes": nodes_js, "edges": edges_js, "options": options,
        "info": info, "edgeInfo": edge_info, "total_nodes": total, "drawn_nodes": len(keep),
    }


_CSS = """
*{box-sizing:border-box}
html,body{margin:0;height:100%;font:14px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,
"DejaVu Sans",Arial,sans-serif;color:#1d232a;background:#fff}
#app{display:grid;grid-template-columns:250px 1fr 330px;grid-template-rows:auto auto 1fr;
height:100vh}
header{grid-column:1/4;grid-row:1;padding:8px 14px;border-bottom:1px solid #d0d4d9;
background:#f6f7f9}
header h1{font-size:17px;margin:0 0 2px}
header .meta{color:#4a5560;font-size:13px}
#notice{grid-column:1/4;grid-row:2;display:none;padding:6px 14px;background:#fff4ce;color:#5c4400;
border-bottom:1px solid #e5d28a;font-size:13px}
#notice.on{display:block}
aside,#network,#panel{grid-row:3;min-height:0}
aside{overflow:auto;padding:10px 12px;border-right:1px solid #d0d4d9;background:#fbfbfc}
#panel{overflow:auto;padding:10px 14px;border-left:1px solid #d0d4d9;background:#fbfbfc}
#network{position:relative;min-height:300px}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:#4a5560;margin:14px 0 6px}
input[type=search]{width:100%;padding:6px 8px;border:1px solid #9aa3ad;border-radius:4px;
font:inherit}
#results{margin:4px 0 0;padding:0;list-style:none;max-height:220px;overflow:auto}
#results button{display:block;width:100%;text-align:left;border:0;background:none;
padding:3px 4px;font:inherit;font-size:13px;cursor:pointer;border-radius:3px}
#results button:hover,#results button:focus{background:#e3ecf7}
#results .k{color:#66717c;font-size:11px}
.legend label{display:flex;align-items:center;gap:7px;margin:3px 0;cursor:pointer;font-size:13px}
.legend svg{flex:none}
.legend .n{color:#66717c;font-size:11px;margin-left:auto}
.controls label{display:block;margin:4px 0;font-size:13px}
.controls button{margin:4px 4px 0 0;font:inherit;font-size:13px;padding:3px 8px}
.edge-legend div{display:flex;align-items:center;gap:7px;font-size:12px;margin:3px 0}
#status{font-size:12px;color:#4a5560;margin-top:8px}
#panel h3{font-size:16px;margin:4px 0 2px;overflow-wrap:anywhere}
#panel .kind{display:inline-block;font-size:11px;padding:1px 6px;border-radius:8px;color:#fff}
#panel dl{margin:8px 0;font-size:13px}
#panel dt{font-weight:600;color:#4a5560;margin-top:8px}
#panel dd{margin:2px 0 0 0;overflow-wrap:anywhere}
#panel ul{margin:2px 0;padding-left:18px}
#panel .iri{font-family:ui-monospace,monospace;font-size:11px;color:#4a5560}
#panel .quote{font-style:italic;color:#333}
#panel .hint{color:#66717c}
#tip{position:fixed;pointer-events:none;display:none;max-width:340px;z-index:10;
background:#fffffe;border:1px solid #8a939c;border-radius:4px;padding:5px 8px;font-size:12px;
box-shadow:0 2px 6px rgba(0,0,0,.18)}
#tip b{display:block;font-size:13px}
"""

_JS = r"""
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("migkg-data").textContent);
  var M = DATA.model;
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  var kinds = {};
  DATA.kinds.forEach(function (k) { kinds[k.key] = k; });
  var nodes = new vis.DataSet(M.nodes);
  var edges = new vis.DataSet(M.edges);
  var container = $("network");
  var t0 = performance.now();
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, M.options);
  var state = {network: network, nodes: nodes, edges: edges, data: DATA,
               stabilised: false, stabiliseMs: null, selected: null};
  window.migkg = state;

  function status(text) { $("status").textContent = text; }
  function freeze() {
    if (state.stabilised) { return; }
    network.setOptions({physics: {enabled: false}});
    $("physics").checked = false;
    state.stabilised = true;
    state.stabiliseMs = performance.now() - t0;
    network.fit({animation: false});
    if (DATA.meta.focus && M.info[DATA.meta.focus] && !state.selected) {
      network.selectNodes([DATA.meta.focus]);
      state.selected = DATA.meta.focus;
      showNode(DATA.meta.focus);
    }
    status("Layout done in " + (state.stabiliseMs / 1000).toFixed(1) +
           " s; physics frozen (tick the box to let it move).");
  }
  network.on("stabilizationProgress", function (p) {
    status("Laying out… " + Math.round(100 * p.iterations / p.total) + " %");
  });
  network.once("stabilizationIterationsDone", freeze);
  network.once("stabilized", freeze);
  if (!M.options.physics || M.options.physics.enabled === false) { freeze(); }

  // --- header and notice --------------------------------------------------------------
  $("meta").textContent = DATA.meta.summary;
  if (M.drawn_nodes < M.total_nodes) {
    var n = $("notice");
    n.textContent = "Too many nodes to draw smoothly: showing the " +
      M.drawn_nodes.toLocaleString("en") + " most connected of " +
      M.total_nodes.toLocaleString("en") +
      " nodes. Narrow the picture with --focus, --include or --on.";
    n.className = "on";
  }

  // --- legend and kind filter ---------------------------------------------------------
  var SVGNS = "http://www.w3.org/2000/svg";
  function swatch(kind) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", "16"); svg.setAttribute("height", "16");
    svg.setAttribute("viewBox", "0 0 16 16");
    var shapes = {
      dot: "M8 2a6 6 0 1 0 0.01 0Z", square: "M2.5 2.5h11v11h-11Z",
      diamond: "M8 1l7 7-7 7-7-7Z", triangle: "M8 2l6.5 12h-13Z",
      triangleDown: "M1.5 2h13L8 14Z", hexagon: "M4.5 2h7l3.5 6-3.5 6h-7L1 8Z",
      star: "M8 1l2.1 4.6 5 .5-3.8 3.4 1.1 4.9L8 11.9 3.6 14.4l1.1-4.9L.9 6.1l5-.5Z"
    };
    var p = document.createElementNS(SVGNS, "path");
    p.setAttribute("d", shapes[kind.shape] || shapes.dot);
    p.setAttribute("fill", kind.color); p.setAttribute("stroke", "#333");
    svg.appendChild(p);
    return svg;
  }
  var counts = {};
  M.nodes.forEach(function (nd) { counts[nd.kind] = (counts[nd.kind] || 0) + 1; });
  var hiddenKinds = {};
  function applyFilter() {
    var upd = [];
    M.nodes.forEach(function (nd) {
      upd.push({id: nd.id, hidden: !!hiddenKinds[nd.kind]});
    });
    nodes.update(upd);
    var eu = [];
    M.edges.forEach(function (ed) {
      var a = M.info[ed.from].kind, b = M.info[ed.to].kind;
      eu.push({id: ed.id, hidden: !!(hiddenKinds[a] || hiddenKinds[b])});
    });
    edges.update(eu);
  }
  DATA.kinds.forEach(function (k) {
    if (!counts[k.key]) { return; }
    var lab = el("label");
    var box = el("input"); box.type = "checkbox"; box.checked = true;
    box.setAttribute("data-kind", k.key);
    box.addEventListener("change", function () {
      hiddenKinds[k.key] = !box.checked; applyFilter();
    });
    lab.appendChild(box); lab.appendChild(swatch(k)); lab.appendChild(el("span", "", k.label));
    lab.appendChild(el("span", "n", counts[k.key]));
    $("legend").appendChild(lab);
  });

  // --- physics and fit ------------------------------------------------------------------
  $("physics").addEventListener("change", function () {
    network.setOptions({physics: {enabled: $("physics").checked}});
  });
  $("fit").addEventListener("click", function () { network.fit({animation: false}); });

  // --- side panel -----------------------------------------------------------------------
  function refList(items) {
    var ul = el("ul");
    items.forEach(function (r) {
      var li = el("li", "", r.label + (r.part_of ? " (" + r.part_of + ")" : ""));
      li.appendChild(el("div", "iri", r.curie));
      ul.appendChild(li);
    });
    return ul;
  }
  function row(dl, term, value) {
    if (value === undefined || value === null || value === "" ||
        (Array.isArray(value) && !value.length)) { return; }
    dl.appendChild(el("dt", "", term));
    var dd = el("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = String(value); }
    dl.appendChild(dd);
  }
  function labelsNode(byLang) {
    var ul = el("ul");
    Object.keys(byLang).sort().forEach(function (lang) {
      byLang[lang].forEach(function (text) {
        var li = el("li", "", text);
        li.appendChild(el("span", "iri", "  @" + (lang || "–")));
        ul.appendChild(li);
      });
    });
    return ul.childNodes.length ? ul : null;
  }
  function showNode(id) {
    var d = M.info[id]; var p = $("panel-body");
    p.replaceChildren();
    if (!d) { return; }
    p.appendChild(el("h3", "", d.label));
    var badge = el("span", "kind", d.kind_label);
    badge.style.background = (kinds[d.kind] || {}).color || "#666";
    p.appendChild(badge);
    p.appendChild(el("div", "iri", d.iri));
    var dl = el("dl");
    row(dl, "Labels", labelsNode(d.labels));
    row(dl, "Other names", labelsNode(d.alt));
    row(dl, "Definition", d.definition);
    row(dl, "Period", d.period);
    row(dl, "Status", d.status);
    row(dl, "Official code", d.code);
    if (d.legal_basis.length) { row(dl, "Legal basis", refList(d.legal_basis)); }
    if (d.sources.length) { row(dl, "Sources", refList(d.sources)); }
    var links = M.edges.filter(function (e) { return e.from === id || e.to === id; });
    if (links.length) {
      var ul = el("ul");
      links.slice(0, 60).forEach(function (e) {
        var ei = M.edgeInfo[e.id]; var out = e.from === id;
        var other = M.info[out ? e.to : e.from];
        var text = (out ? "" : "← ") + ei.label + (out ? " → " : " ") + other.label +
          (ei.period ? " [" + ei.period + "]" : "");
        var li = el("li"); var b = el("button", "", text);
        b.type = "button";
        b.style.cssText = "border:0;background:none;padding:0;text-align:left;" +
          "cursor:pointer;font:inherit;color:#0b4f9c";
        b.addEventListener("click", function () { select(other.iri); });
        li.appendChild(b); ul.appendChild(li);
      });
      if (links.length > 60) {
        ul.appendChild(el("li", "hint", "… " + (links.length - 60) + " more"));
      }
      row(dl, "Links (" + links.length + ")", ul);
    }
    p.appendChild(dl);
  }
  function showEdge(id) {
    var d = M.edgeInfo[id]; var p = $("panel-body");
    p.replaceChildren();
    if (!d) { return; }
    var from = M.info[d.from], to = M.info[d.to];
    p.appendChild(el("h3", "", d.relation === "assignment" ? "Assignment: " + d.role : d.label));
    p.appendChild(el("div", "", from.label + " → " + to.label));
    if (d.curie) { p.appendChild(el("div", "iri", d.iri)); }
    var dl = el("dl");
    row(dl, "Role", d.role);
    row(dl, "Period", d.period);
    row(dl, "Evidence grade", d.grade);
    if (d.legal_basis.length) { row(dl, "Legal basis", refList(d.legal_basis)); }
    if (d.sources.length) { row(dl, "Sources", refList(d.sources)); }
    if (d.quote) { row(dl, "Quote", el("span", "quote", "“" + d.quote + "”")); }
    p.appendChild(dl);
  }
  function clearPanel() {
    var p = $("panel-body"); p.replaceChildren();
    p.appendChild(el("p", "hint",
      "Click a node or an edge to see its labels, period, legal basis and sources."));
  }
  clearPanel();
  function select(id) {
    if (!M.info[id]) { return false; }
    var kind = M.info[id].kind;
    if (hiddenKinds[kind]) {
      hiddenKinds[kind] = false;
      var box = document.querySelector('input[data-kind="' + kind + '"]');
      if (box) { box.checked = true; }
      applyFilter();
    }
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: false});
    state.selected = id;
    showNode(id);
    return true;
  }
  state.select = select;
  state.showNode = showNode;
  state.showEdge = showEdge;
  network.on("click", function (ev) {
    if (ev.nodes.length) { state.selected = ev.nodes[0]; showNode(ev.nodes[0]); }
    else if (ev.edges.length) { state.selected = null; showEdge(ev.edges[0]); }
    else { state.selected = null; clearPanel(); }
  });

  // --- tooltip --------------------------------------------------------------------------
  var tip = $("tip");
  function showTip(pointer, title, lines) {
    tip.replaceChildren();
    tip.appendChild(el("b", "", title));
    lines.forEach(function (l) { if (l) { tip.appendChild(el("div", "", l)); } });
    var rect = container.getBoundingClientRect();
    tip.style.left = (rect.left + pointer.DOM.x + 14) + "px";
    tip.style.top = (rect.top + pointer.DOM.y + 14) + "px";
    tip.style.display = "block";
  }
  function hideTip() { tip.style.display = "none"; }
  network.on("hoverNode", function (ev) {
    var d = M.info[ev.node];
    showTip(ev.pointer, d.label, [d.kind_label, d.period ? "period: " + d.period : "",
      d.curie]);
  });
  network.on("hoverEdge", function (ev) {
    var d = M.edgeInfo[ev.edge];
    var title = d.relation === "assignment" ? d.role : d.label;
    showTip(ev.pointer, title, [M.info[d.from].label + " → " + M.info[d.to].label,
      d.period ? "period: " + d.period : "",
      d.legal_basis.length ? "legal basis: " + d.legal_basis.map(function (r) {
        return r.label; }).join("; ") : ""]);
  });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  // --- search ---------------------------------------------------------------------------
  var index = [];
  Object.keys(M.info).forEach(function (id) {
    var d = M.info[id]; var texts = [d.label, d.curie];
    [d.labels, d.alt].forEach(function (byLang) {
      Object.keys(byLang).forEach(function (l) { texts = texts.concat(byLang[l]); });
    });
    texts.forEach(function (t) { index.push([t.toLocaleLowerCase(), t, id]); });
  });
  function search(text) {
    var q = text.trim().toLocaleLowerCase();
    if (!q) { return []; }
    var best = {};
    index.forEach(function (entry) {
      var pos = entry[0].indexOf(q);
      if (pos < 0) { return; }
      var score = (entry[0] === q ? 0 : pos === 0 ? 1 : 2) * 1000 + entry[0].length;
      if (!(entry[2] in best) || score < best[entry[2]][0]) {
        best[entry[2]] = [score, entry[1]];
      }
    });
    return Object.keys(best).sort(function (a, b) {
      return best[a][0] - best[b][0] || (a < b ? -1 : a > b ? 1 : 0);
    }).map(function (id) { return {id: id, matched: best[id][1]}; });
  }
  state.search = search;
  var box = $("search"), results = $("results");
  function listResults() {
    results.replaceChildren();
    var found = search(box.value);
    found.slice(0, 30).forEach(function (r) {
      var d = M.info[r.id];
      var li = el("li"); var b = el("button"); b.type = "button";
      b.appendChild(el("span", "", d.label));
      if (r.matched !== d.label) { b.appendChild(el("span", "k", " — " + r.matched)); }
      b.appendChild(el("div", "k", d.kind_label));
      b.addEventListener("click", function () { select(r.id); });
      li.appendChild(b); results.appendChild(li);
    });
    if (box.value.trim() && !found.length) { results.appendChild(el("li", "k", "no match")); }
    return found;
  }
  box.addEventListener("input", listResults);
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      var found = listResults();
      if (found.length) { select(found[0].id); }
    }
  });
})();
"""


def page_html(graph: VisGraph, *, layout: str = "force", max_nodes: int = MAX_NODES,
              sizes: dict[str, float] | None = None, title: str | None = None) -> str:
    """The whole page as a string (deterministic for the same graph)."""
    model = network_model(graph, layout=layout, max_nodes=max_nodes, sizes=sizes)
    js_lib, css_lib = vis_assets()
    js_lib = _inline_safe(js_lib, "script")
    css_lib = _inline_safe(css_lib, "style")
    parts = []
    if graph.focus:
        focus_label = graph.nodes[graph.focus].label if graph.focus in graph.nodes else ""
        parts.append(f"neighbourhood of {focus_label} ({compact(graph.focus)}), "
                     f"depth {graph.depth}")
    else:
        parts.append("whole graph")
    parts.append(f"assignments valid on {graph.on}" if graph.on else "assignments of all dates")
    if tuple(graph.include) != tuple(k for k in DRAWN_KINDS if k != "article"):
        parts.append("kinds: " + ", ".join(graph.include))
    parts.append(f"{model['drawn_nodes']} nodes, {len(model['edges'])} edges")
    parts.append(f"labels: {graph.lang}")
    kinds = [
        {"key": k, "label": KIND_STYLE[k][0], "color": KIND_STYLE[k][1], "shape": KIND_STYLE[k][2]}
        for k in KIND_STYLE
    ]
    data = {
        "meta": {"summary": " · ".join(parts), "on": graph.on, "focus": graph.focus,
                 "depth": graph.depth, "lang": graph.lang, "include": list(graph.include)},
        "kinds": kinds,
        "model": model,
    }
    data_json = json_for_script(data)
    heading = title or "migkg — who governs migration in Kazakhstan"
    csp = ("default-src 'none'; script-src " + csp_hash(js_lib) + " " + csp_hash(_JS)
           + "; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
           "form-action 'none'")
    edge_legend = (
        '<div><svg width="34" height="8"><line x1="0" y1="4" x2="34" y2="4" '
        'stroke="#0b3d91" stroke-width="3"/></svg>lead (assignment)</div>'
        '<div><svg width="34" height="8"><line x1="0" y1="4" x2="34" y2="4" '
        'stroke="#3b6fb6" stroke-width="1.6" stroke-dasharray="5 3"/></svg>'
        'other role (assignment)</div>'
        '<div><svg width="34" height="8"><line x1="0" y1="4" x2="34" y2="4" '
        'stroke="#a0a4aa" stroke-width="1"/></svg>other relation</div>'
    )
    return f"""<!DOCTYPE html>
<html lang="{html.escape(graph.lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(heading)}</title>
<style>{css_lib}</style>
<style>{_CSS}</style>
</head>
<body>
<div id="app">
<header><h1>{html.escape(heading)}</h1><div class="meta" id="meta"></div></header>
<div id="notice" role="status"></div>
<aside>
<h2>Search</h2>
<input type="search" id="search" placeholder="any label, any language" autocomplete="off"
 aria-label="search a node by label">
<ul id="results"></ul>
<h2>Kinds</h2>
<div class="legend" id="legend"></div>
<h2>Edges</h2>
<div class="edge-legend">{edge_legend}</div>
<h2>View</h2>
<div class="controls">
<label><input type="checkbox" id="physics" checked> physics (layout moves)</label>
<button type="button" id="fit">fit to window</button>
</div>
<div id="status">Laying out…</div>
</aside>
<div id="network"></div>
<section id="panel"><h2>Details</h2><div id="panel-body"></div></section>
</div>
<div id="tip"></div>
<script type="application/json" id="migkg-data">{data_json}</script>
<script>{js_lib}</script>
<script>{_JS}</script>
</body>
</html>
"""
