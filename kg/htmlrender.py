"""HTML pieces shared by the web explorer (``migkg serve``) and the static site (``migkg docs``).

Both render the same plain data (an ``explain`` card, a gap report) the same way; only the
links differ. A caller gives an ``href`` function (IRI → URL, or None for "no page, show the
text"): the explorer maps our IRIs to its server paths, the docs site to relative file
paths. Every string from the data goes through :func:`esc`; nothing here writes a script.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from kg.namespaces import BASE, PREFIXES, compact

__all__ = [
    "STYLE", "Href", "assignments_table", "card_html", "esc", "expand", "gaps_html", "link",
    "period_text", "render_value",
]

Href = Callable[[str], "str | None"]

STYLE = """body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:1.5rem auto;
padding:0 1rem;color:#222}a{color:#0b57d0}dl{margin:.2rem 0 .2rem 1rem}dt{font-weight:600}
dd{margin:0 0 .3rem 1rem}ul{margin:.2rem 0;padding-left:1.2rem}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}
nav a{margin-right:1rem}input,select,button{font:inherit}.muted{color:#666}
h2{margin-top:1.6rem;font-size:1.2rem}h3{font-size:1.05rem;margin:1.2rem 0 .3rem}
table.wide{width:100%}th{background:#f4f6f8}.nowrap{white-space:nowrap}
.grade{font-weight:700}.tag{display:inline-block;padding:0 .35rem;border-radius:3px;
background:#eef1f4;font-size:.85em}blockquote{margin:.3rem 0 .3rem 1rem;color:#444}
.fallback{color:#666;font-style:italic}.d1{padding-left:1.5rem}.d2{padding-left:3rem}
.d3{padding-left:4.5rem}code{font-size:.9em}footer{margin-top:2rem;color:#666;font-size:.9em}"""


def esc(text: object) -> str:
    """``text`` as HTML text or attribute value (quotes escaped too)."""
    return html.escape(str(text), quote=True)


def link(iri: str, label: str | None, href: Href | None) -> str:
    """``label`` linked to ``href(iri)``; plain text when there is no page for ``iri``."""
    text = esc(label or compact(iri))
    url = href(iri) if href is not None else None
    if url is None:
        return text
    rel = ' rel="noopener noreferrer"' if url.startswith(("http://", "https://")) else ""
    return f'<a href="{esc(url)}"{rel}>{text}</a>'


def render_value(value: Any, href: Href | None, depth: int = 0) -> str:
    """Plain data (dicts, lists, strings) as nested HTML; ``{"iri", "label"}`` as a link."""
    if depth > 12:
        return esc(value)
    if isinstance(value, dict):
        if isinstance(value.get("iri"), str):
            head = link(value["iri"], value.get("label"), href)
            rest = {k: v for k, v in value.items()
                    if k not in ("iri", "label", "curie") and v not in (None, [], {}, "")}
            if not rest:
                return head
            return head + render_value(rest, href, depth + 1)
        items = "".join(
            f"<dt>{esc(k.replace('_', ' '))}</dt><dd>{render_value(v, href, depth + 1)}</dd>"
            for k, v in value.items() if v not in (None, [], {}, ""))
        return f"<dl>{items}</dl>"
    if isinstance(value, list):
        return "<ul>" + "".join(f"<li>{render_value(v, href, depth + 1)}</li>"
                                for v in value) + "</ul>"
    if isinstance(value, str) and value.startswith(BASE):
        return link(value, None, href)
    if value is None:
        return '<span class="muted">unknown</span>'
    return esc(value)


def expand(curie: str) -> str:
    """``mig:body`` → its IRI (the inverse of ``compact``); anything else unchanged."""
    prefix, sep, local = curie.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return curie


def _refs(items: list[dict], href: Href | None, empty: str = "") -> str:
    if not items:
        return f'<span class="muted">{esc(empty)}</span>' if empty else ""
    return "; ".join(link(r["iri"], r.get("label"), href) for r in items)


def _ref_list(title: str, items: list[dict], href: Href | None) -> str:
    if not items:
        return ""
    lis = "".join(f"<li>{link(r['iri'], r.get('label'), href)} "
                  f'<span class="muted">{esc(compact(r["iri"]))}</span></li>' for r in items)
    return f"<h2>{esc(title)}</h2><ul>{lis}</ul>"


def period_text(entry: dict) -> str:
    """``from .. until`` of an assignment dict (``?`` not dated, ``open`` still holds)."""
    start = entry.get("from") or "?"
    if entry.get("until"):
        end = entry["until"]
    elif entry.get("until_known") is False:
        end = "?"
    else:
        end = "open"
    return f"{start} .. {end}"


def assignments_table(entries: list[dict], href: Href | None) -> str:
    """The assignments of a card, one row each: who, role, what, when, on what basis."""
    rows = []
    for a in entries:
        fn = a.get("function") or {}
        role = a.get("role") or "?"
        grade = a.get("evidence")
        basis = _refs(a.get("legal_basis") or [], href, "not stated in the sources")
        change = ""
        if a.get("ended_by"):
            change += "ended by " + _refs(a["ended_by"], href)
        if a.get("started_by"):
            change += ("; " if change else "") + "began with " + _refs(a["started_by"], href)
        rows.append(
            f'<tr><td class="nowrap">{esc(period_text(a))}</td>'
            f"<td>{link(a['body']['iri'], a['body'].get('label'), href)}</td>"
            f"<td>{link(PREFIXES['role'] + role, role, href)}</td>"
            f"<td>{link(fn['iri'], fn.get('label'), href) if fn.get('iri') else '-'}</td>"
            f'<td class="grade">'
            f"{link(PREFIXES['grade'] + grade, grade, href) if grade else '-'}</td>"
            f"<td>{basis}</td><td>{_refs(a.get('sources') or [], href, '-')}</td>"
            f"<td>{change}</td></tr>")
    return ('<table class="wide"><tr><th>period</th><th>body</th><th>role</th>'
            "<th>function</th><th>evidence</th><th>legal basis</th><th>sources</th>"
            "<th>change</th></tr>" + "".join(rows) + "</table>")


def card_html(card: dict, href: Href | None) -> str:
    """The body of an entity page: the ``explain`` card (``Card.to_dict()``) as HTML."""
    parts = []
    types = ", ".join(link(t["iri"], t.get("label"), href) for t in card.get("types") or [])
    parts.append(f'<p class="muted"><code>{esc(card.get("curie") or compact(card["iri"]))}'
                 f"</code> · {esc(card.get('kind') or 'thing')}"
                 + (f" · {types}" if types else "") + "</p>")
    if card.get("matched"):
        m = card["matched"]
        parts.append(f'<p class="muted">best match for “{esc(m.get("text", ""))}” '
                     f"(score {float(m.get('score', 0)):.2f})</p>")
    if card.get("definition"):
        parts.append(f"<p>{esc(card['definition'])}</p>")
    labels = card.get("labels") or []
    if labels:
        rows = "".join(
            f"<tr><td>{link(expand(lab['property']), lab['property'], href)}</td>"
            f"<td>{esc(lab.get('lang') or '-')}</td>"
            f"<td lang=\"{esc(lab.get('lang') or 'und')}\">{esc(lab['value'])}</td></tr>"
            for lab in labels)
        parts.append("<h2>Labels</h2><table><tr><th>property</th><th>language</th>"
                     f"<th>label</th></tr>{rows}</table>")
    entries = card.get("assignments") or []
    if entries:
        parts.append(f"<h2>Assignments over time ({len(entries)})</h2>")
        parts.append(assignments_table(entries, href))
    parts.append(_ref_list("Legal basis", card.get("legal_basis") or [], href))
    parts.append(_ref_list("Information systems", card.get("systems") or [], href))
    parts.append(_ref_list("Related acts", card.get("related_acts") or [], href))
    parts.append(_ref_list("Sources", card.get("sources") or [], href))
    quotes = card.get("quotes") or []
    if quotes:
        parts.append("<h2>Quotes</h2>" + "".join(
            f"<blockquote>“{esc(q)}”</blockquote>" for q in quotes))
    facts = card.get("facts") or []
    if facts:
        rows = []
        for f in facts:
            if f.get("iri"):
                value = link(f["iri"], f.get("label"), href)
            else:
                value = esc(f.get("value", ""))
                extra = f.get("lang") or f.get("datatype")
                if extra:
                    value += f' <span class="muted">{esc(extra)}</span>'
            prop = link(expand(f["property"]), f.get("property_label") or f["property"], href)
            rows.append(f"<tr><td>{prop}</td><td>{value}</td></tr>")
        parts.append("<h2>Other statements</h2><table><tr><th>property</th><th>value</th></tr>"
                     + "".join(rows) + "</table>")
    refs = card.get("referenced_by") or []
    if refs:
        rows = "".join(
            f"<tr><td>{link(r['iri'], r.get('label'), href)}</td>"
            f"<td>{link(expand(r['property']), r['property'], href)}</td></tr>" for r in refs)
        parts.append(f"<h2>Referenced by ({len(refs)})</h2><table><tr><th>what</th>"
                     f"<th>property</th></tr>{rows}</table>")
    return "\n".join(p for p in parts if p)


def gaps_html(report: dict, href: Href | None) -> str:
    """A gap report (``GapReport.to_dict()``): counts by MGI domain, then one row per finding."""
    found = report.get("gaps") or []
    if not found:
        return "<p>No gap found.</p>"
    counts: dict[str, list] = {}
    for gap in found:
        domain = (gap.get("mgi") or {}).get("domain") or {"iri": "", "label": "not coded"}
        counts.setdefault(domain["iri"], [domain, 0])[1] += 1
    summary = "".join(
        f"<li>{link(d['iri'], d['label'], href) if d['iri'] else esc(d['label'])}: {n}</li>"
        for d, n in (counts[k] for k in sorted(counts, key=lambda k: (k == "", k))))
    rows = []
    for gap in found:
        mgi = gap.get("mgi") or {}
        area = link(mgi["iri"], mgi.get("label"), href) if mgi.get("iri") else "-"
        grade = gap.get("evidence")
        rows.append(
            f"<tr><td>{esc(gap.get('title') or gap.get('kind', ''))}<br>"
            f'<span class="tag">{esc(gap.get("kind", ""))}</span></td>'
            f"<td>{esc(gap.get('explanation', ''))}</td>"
            f"<td>{_refs(gap.get('subjects') or [], href)}</td><td>{area}</td>"
            f'<td class="grade">'
            f"{link(PREFIXES['grade'] + grade, grade, href) if grade else '-'}</td>"
            f"<td>{_refs(gap.get('sources') or [], href, '-')}</td></tr>")
    return (f"<p>{len(found)} findings. By MGI domain (our analytical coding, not IOM's "
            f"score):</p><ul>{summary}</ul>"
            '<table class="wide"><tr><th>gap</th><th>what</th><th>about</th><th>MGI</th>'
            "<th>evidence</th><th>sources</th></tr>" + "".join(rows) + "</table>")
