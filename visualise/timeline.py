"""Assignments over time: one static, self-contained page with an SVG swimlane per function.

Each function is a row; each assignment of it a bar from its start to its end (an unknown
start fades in from the left edge, an open end runs out at the right edge with an arrow),
coloured by the body that holds it and labelled "body · role". The change events
(``org:ChangeEvent`` with ``mig:effectiveDate``, e.g. the 2022 transfer) are vertical
lines; the functions they transfer come first and are shaded, so the move from the Ministry
of Internal Affairs to the Ministry of Labour on 1 January 2022 reads at a glance.

The page has no script at all (tooltips are SVG ``<title>`` elements); every text is
escaped with :func:`html.escape`, and a Content-Security-Policy forbids any request.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

from kg.namespaces import compact, sparql_prologue

__all__ = ["Bar", "Timeline", "extract_timeline", "timeline_html"]

_PALETTE = ("#c0392b", "#1f77b4", "#2ca02c", "#9467bd", "#e67e22", "#17becf", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#34495e", "#16a085", "#d35400", "#5e35b1")
_ROLE_RANK = {"lead": 0, "coordinator": 1, "co-executor": 2}


@dataclass
class Bar:
    """One assignment on the time axis."""

    iri: str
    body: str
    body_label: str
    role: str
    start: str | None
    end: str | None
    start_unknown: bool
    legal_basis: list[str] = field(default_factory=list)


@dataclass
class Timeline:
    functions: dict[str, str]  # iri -> label
    bars: dict[str, list[Bar]]  # function -> bars
    events: list[dict]  # {"iri", "label", "date", "functions": [iri]}


def _pick(rows: list[tuple[str, str]], lang: str) -> str:
    for want in (lang, "en", "ru", "kk", ""):
        hits = sorted(v for lg, v in rows if lg == want)
        if hits:
            return hits[0]
    return sorted(v for _, v in rows)[0] if rows else ""


def extract_timeline(backend, lang: str = "en") -> Timeline:
    """Every assignment with its dates, and the change events."""
    pro = sparql_prologue()
    q = pro + """
SELECT ?a ?b ?f ?role ?from ?until ?beg WHERE {
  ?a a mig:Assignment ; mig:body ?b ; mig:function ?f .
  OPTIONAL { ?a mig:role ?role }
  OPTIONAL { ?a mig:period ?p .
    OPTIONAL { ?p time:hasBeginning ?beg . OPTIONAL { ?beg time:inXSDDate ?from } }
    OPTIONAL { ?p time:hasEnd/time:inXSDDate ?until } }
}"""
    rows = list(backend.select(q))
    lb_q = pro + """
SELECT ?a ?lb WHERE { ?a a mig:Assignment ; mig:legalBasis ?lb . }"""
    basis: dict[str, list[str]] = {}
    for r in backend.select(lb_q):
        basis.setdefault(r["a"].value, []).append(r["lb"].value)
    ev_q = pro + """
SELECT ?e ?date ?f WHERE {
  ?e a/rdfs:subClassOf* org:ChangeEvent ; mig:effectiveDate ?date .
  OPTIONAL { ?e mig:transfersFunction ?f }
}"""
    events: dict[str, dict] = {}
    for r in backend.select(ev_q):
        e = events.setdefault(r["e"].value, {"iri": r["e"].value, "date": r["date"].value[:10],
                                             "functions": []})
        if r["f"] is not None:
            e["functions"].append(r["f"].value)
    iris = {r["b"].value for r in rows} | {r["f"].value for r in rows} | set(events)
    iris |= {r["role"].value for r in rows if r["role"] is not None}
    iris |= {x for v in basis.values() for x in v}
    labels: dict[str, list[tuple[str, str]]] = {}
    if iris:
        values = " ".join(f"<{i}>" for i in sorted(iris))
        lq = pro + f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?l }}"
        for r in backend.select(lq):
            labels.setdefault(r["x"].value, []).append((r["l"].language or "", r["l"].value))

    def name(iri: str) -> str:
        return _pick(labels.get(iri, []), lang) or compact(iri)

    bars: dict[str, list[Bar]] = {}
    seen: set[str] = set()
    for r in rows:
        a = r["a"].value
        if a in seen:
            continue
        seen.add(a)
        role = name(r["role"].value) if r["role"] is not None else "assigned"
        bars.setdefault(r["f"].value, []).append(Bar(
            iri=a, body=r["b"].value, body_label=name(r["b"].value), role=role,
            start=r["from"].value if r["from"] is not None else None,
            end=r["until"].value if r["until"] is not None else None,
            start_unknown=r["from"] is None,
            legal_basis=sorted(name(x) for x in basis.get(a, [])),
        ))
    for e in events.values():
        e["label"] = name(e["iri"])
        e["functions"] = sorted(set(e["functions"]))
    return Timeline(
        functions={f: name(f) for f in sorted(bars)},
        bars=bars,
        events=sorted(events.values(), key=lambda e: (e["date"], e["iri"])),
    )


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def _wrap(text: str, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        lines.append(cur)
    return lines[:3] if len(lines) <= 3 else [*lines[:2], lines[2][: width - 1] + "…"]


def timeline_html(tl: Timeline, *, title: str | None = None, lang: str = "en") -> str:
    """The page: a legend of bodies and the SVG swimlanes."""
    e = html.escape
    dates = [_date(b.start) for bs in tl.bars.values() for b in bs if b.start]
    dates += [_date(b.end) for bs in tl.bars.values() for b in bs if b.end]
    dates += [_date(ev["date"]) for ev in tl.events]
    lo_year = min((d.year for d in dates), default=2020) - 2
    hi_year = max((d.year for d in dates), default=2022) + 3
    axis_from, axis_to = dt.date(lo_year, 1, 1), dt.date(hi_year, 1, 1)
    left, plot_w, lane_h, pad = 360, 900, 20, 10
    span = (axis_to - axis_from).days

    def x(d: dt.date) -> float:
        return round(left + plot_w * (d - axis_from).days / span, 1)

    transferred = {f for ev in tl.events for f in ev["functions"]}
    for f, bs in tl.bars.items():  # a lead ending the day before another starts: a move
        ends = {b.end for b in bs if b.end}
        starts = {b.start for b in bs if b.start}
        for end in ends:
            nxt = (_date(end) + dt.timedelta(days=1)).isoformat()
            if nxt in starts:
                transferred.add(f)
    order = sorted(tl.bars, key=lambda f: (f not in transferred, tl.functions[f].lower(), f))
    counts: dict[str, int] = {}
    for bs in tl.bars.values():
        for b in bs:
            counts[b.body] = counts.get(b.body, 0) + 1
    bodies = sorted(counts, key=lambda b: (-counts[b], b))
    colour = {b: _PALETTE[i % len(_PALETTE)] for i, b in enumerate(bodies)}
    body_label = {b.body: b.body_label for bs in tl.bars.values() for b in bs}

    svg: list[str] = []
    y = 40
    # axis
    years = list(range(lo_year, hi_year + 1))
    grid = []
    for yr in years:
        gx = x(dt.date(yr, 1, 1))
        grid.append(f'<line x1="{gx}" y1="30" x2="{gx}" y2="@H@" class="grid"/>'
                    f'<text x="{gx}" y="22" class="year">{yr}</text>')
    for f in order:
        bs = sorted(tl.bars[f], key=lambda b: (
            b.start or "0000", _ROLE_RANK.get(b.role, 9), b.body_label.lower(), b.iri))
        label_lines = _wrap(tl.functions[f], 46)
        row_h = max(len(bs) * lane_h, len(label_lines) * 15) + 2 * pad
        shade = ' class="row moved"' if f in transferred else ' class="row"'
        svg.append(f'<g{shade}><rect x="0" y="{y}" width="{left + plot_w + 20}" '
                   f'height="{row_h}" class="bg"/>')
        svg.append(f'<text x="8" y="{y + pad + 11}" class="fn"><title>{e(compact(f))}</title>')
        for i, line in enumerate(label_lines):
            svg.append(f'<tspan x="8" dy="{0 if i == 0 else 15}">{e(line)}</tspan>')
        svg.append("</text>")
        for i, b in enumerate(bs):
            by = y + pad + i * lane_h
            x0 = x(_date(b.start)) if b.start else left
            x1 = x(_date(b.end) + dt.timedelta(days=1)) if b.end else left + plot_w
            width = max(x1 - x0, 3)
            fill = colour[b.body]
            period = f"{b.start or 'unknown start'} – {b.end or 'open'}"
            tip = f"{b.body_label} · {b.role} · {period}"
            if b.legal_basis:
                tip += " · legal basis: " + "; ".join(b.legal_basis)
            fill_attr = f'url(#fade-{bodies.index(b.body)})' if b.start_unknown else fill
            style = "" if b.role == "lead" else ' fill-opacity="0.55"'
            svg.append(f'<g class="bar"><title>{e(tip)}</title>'
                       f'<rect x="{x0}" y="{by + 2}" width="{round(width, 1)}" '
                       f'height="{lane_h - 4}" rx="3" fill="{fill_attr}"{style}/>')
            if not b.end:
                ax = left + plot_w
                svg.append(f'<path d="M{ax} {by + 2}l8 {(lane_h - 4) / 2}-8 {(lane_h - 4) / 2}Z" '
                           f'fill="{fill}"/>')
            text = f"{b.body_label} · {b.role}"
            room = int(width / 6.6)
            if room >= 12:
                shown = text if len(text) <= room else text[: room - 1] + "…"
                tx = x0 + 6 if not b.start_unknown else max(x0 + 6, x1 - 6 - 6.6 * len(shown))
                cls = "in" if b.role == "lead" else "in pale"
                svg.append(f'<text x="{round(tx, 1)}" y="{by + lane_h - 6}" class="{cls}">'
                           f'{e(shown)}</text>')
            else:
                svg.append(f'<text x="{round(x1 + 4, 1)}" y="{by + lane_h - 6}" class="out">'
                           f'{e(text)}</text>')
            svg.append("</g>")
        svg.append("</g>")
        y += row_h
    height = y + 20
    events_svg = []
    for i, ev in enumerate(tl.events):
        ex = x(_date(ev["date"]))
        ty = height + 6 + 18 * i
        events_svg.append(
            f'<g class="event"><title>{e(ev["label"])} ({e(ev["date"])})</title>'
            f'<line x1="{ex}" y1="28" x2="{ex}" y2="{height - 10}"/>'
            f'<line x1="8" y1="{ty - 4}" x2="40" y2="{ty - 4}"/>'
            f'<text x="48" y="{ty}">{e(ev["date"])}: {e(ev["label"])}</text></g>')
    gradients = "".join(
        f'<linearGradient id="fade-{i}" x1="0" x2="1" y1="0" y2="0">'
        f'<stop offset="0" stop-color="{colour[b]}" stop-opacity="0.08"/>'
        f'<stop offset="0.35" stop-color="{colour[b]}" stop-opacity="1"/></linearGradient>'
        for i, b in enumerate(bodies))
    total_h = height + 12 + 18 * len(tl.events)
    body_svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + plot_w + 40}" '
        f'height="{total_h}" viewBox="0 0 {left + plot_w + 40} {total_h}" role="img" '
        f'aria-label="assignments over time">'
        f"<defs>{gradients}</defs>"
        + "".join(g.replace("@H@", str(height - 10)) for g in grid)
        + "".join(svg) + "".join(events_svg) + "</svg>"
    )
    legend = "".join(
        f'<span class="sw"><i style="background:{colour[b]}"></i>{e(body_label[b])}</span>'
        for b in bodies)
    heading = title or "migkg — who held which function, and when"
    n_asg = sum(len(bs) for bs in tl.bars.values())
    summary = (f"{len(tl.bars)} functions, {n_asg} assignments. A bar runs from the first to "
               "the last day an assignment holds; a faded start means the sources give no "
               "start date, an arrow that it still holds. Solid: lead; pale: other roles. "
               "Shaded rows: functions moved by a change event (vertical line). "
               "Hover a bar for its period and legal basis.")
    csp = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
           "form-action 'none'")
    return f"""<!DOCTYPE html>
<html lang="{e(lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(csp)}">
<meta name="referrer" content="no-referrer">
<title>{e(heading)}</title>
<style>
body{{margin:0;padding:14px 18px;font:14px/1.4 system-ui,"DejaVu Sans",Arial,sans-serif;
color:#1d232a}}
h1{{font-size:18px;margin:0 0 4px}} p{{margin:4px 0 10px;color:#4a5560;max-width:1200px}}
.legend{{display:flex;flex-wrap:wrap;gap:6px 16px;margin:6px 0 12px;font-size:13px}}
.sw i{{display:inline-block;width:14px;height:10px;margin-right:5px;border-radius:2px}}
svg{{display:block}} .grid{{stroke:#e3e6ea}} .year{{font-size:11px;fill:#66717c;
text-anchor:middle}}
.row .bg{{fill:#fff;stroke:#eef0f2}} .row.moved .bg{{fill:#fff8e1}}
.fn{{font-size:12.5px;fill:#1d232a}} .in{{font-size:11px;fill:#fff;font-weight:600}}
.in.pale{{fill:#1d232a}} .out{{font-size:11px;fill:#333}}
.event line{{stroke:#c0392b;stroke-width:2;
stroke-dasharray:6 3}} .event text{{font-size:12px;fill:#c0392b;font-weight:600}}
.bar:hover rect{{stroke:#000;stroke-width:1.5}}
</style>
</head>
<body>
<h1>{e(heading)}</h1>
<p>{e(summary)}</p>
<div class="legend">{legend}</div>
{body_svg}
</body>
</html>
"""
