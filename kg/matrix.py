"""``matrix``: the responsibility (RACI) matrix, functions × bodies on a date.

Each cell is an assignment valid on the date (docs/dev.md: no dated start or start ≤ date,
and no dated end or end ≥ date): the RACI letter of its role, read from the role's
``skos:broadMatch`` to a concept of ``raci:scheme`` in ``ontology/schemes.ttl`` (never
hard-coded here), the role, the period, the legal basis and the evidence grade. A cell with
no legal basis in the graph says so explicitly: the label of its ``mig:legalBasisStatus``
(``mig:NotStatedInSources``: "not stated in the sources").

A function with no accountable body, or with several, is a gap of the kinds ``no-lead`` and
``several-leads-no-coordinator``: the matrix runs those gap queries (``kg.gaps``) on the
same date and shows their findings on the function's row, rather than computing its own.

``diff`` marks what changed since another date: a (function, body, role) that holds on
``on`` and not on ``diff`` began (``+``), one that held on ``diff`` and not on ``on`` ended
(``-``, kept in ``removed`` and drawn struck out in the old body's column), one held by
another assignment on both dates changed (``~``).

A date earlier than every dated fact of the graph is refused: nothing the graph holds can
be said of it (undated starts would otherwise make every open assignment "hold" in 1900).
"""

from __future__ import annotations

import csv
import datetime as _dt
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import UsageError
from kg.fileio import write_atomic
from kg.namespaces import PREFIXES, compact, sparql_prologue
from kg.responsibility import (
    Context,
    Ref,
    Responsibility,
    check_grade,
    check_lang,
    fetch_assignments,
    fetch_labels,
    get_context,
    grade_ok,
    label_all,
    parse_date,
)

__all__ = ["FORMATS", "Cell", "Matrix", "earliest_date", "matrix", "render", "write"]

FORMATS = ("table", "md", "csv", "json", "html")
NOT_STATED = "not stated in the sources"
_RACI_ORDER = "ARCI"
_GAP_KINDS = ("no-lead", "several-leads-no-coordinator")
_ROLE_NS = PREFIXES["role"]

_RACI_QUERY = """SELECT ?role ?letter WHERE {
  ?role a mig:Role ; skos:broadMatch ?l .
  ?l skos:inScheme raci:scheme ; skos:notation ?letter .
}"""

_STATUS_QUERY = """SELECT ?a ?status WHERE { ?a a mig:Assignment ; mig:legalBasisStatus ?status }"""

_FUNCTIONS_QUERY = """SELECT DISTINCT ?f WHERE { ?f a mig:Function }"""

_EARLIEST_QUERY = """SELECT (MIN(?d) AS ?min) WHERE {
  ?s ?p ?d . FILTER(isLiteral(?d) && DATATYPE(?d) = xsd:date)
}"""


@dataclass
class Cell:
    """One assignment in the matrix: body × function with its RACI letter and evidence."""

    function: Ref
    body: Ref
    raci: str | None
    role: str
    role_label: str
    from_: str | None
    from_known: bool
    until: str | None
    until_known: bool
    legal_basis: list[Ref]
    legal_basis_status: str | None
    evidence: str | None
    sources: list[Ref]
    assignment: str
    changed: bool = False
    change: str | None = None

    def period_text(self) -> str:
        start = self.from_ or "?"
        end = self.until or ("?" if not self.until_known else "open")
        return f"{start} .. {end}"

    def basis_text(self) -> str:
        if self.legal_basis:
            return "; ".join(r.label for r in self.legal_basis)
        return self.legal_basis_status or NOT_STATED

    def code(self) -> str:
        mark = {"added": "+", "removed": "-", "changed": "~"}.get(self.change or "", "")
        return mark + (self.raci or "?")

    def to_dict(self) -> dict:
        return {
            "function": self.function.iri,
            "body": self.body.iri,
            "raci": self.raci,
            "role": self.role,
            "role_label": self.role_label,
            "from": self.from_,
            "from_known": self.from_known,
            "until": self.until,
            "until_known": self.until_known,
            "legal_basis": [r.to_dict() for r in self.legal_basis],
            "legal_basis_status": None if self.legal_basis else (
                self.legal_basis_status or NOT_STATED),
            "evidence": self.evidence,
            "sources": [r.to_dict() for r in self.sources],
            "assignment": self.assignment,
            "changed": self.changed,
            "change": self.change,
        }


@dataclass
class Matrix:
    """The matrix on a date: rows (functions), columns (bodies), cells, gaps, changes."""

    on: str
    diff: str | None
    lang: str
    min_grade: str | None
    functions: list[Ref] = field(default_factory=list)
    bodies: list[Ref] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    removed: list[Cell] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)
    raci: list[dict] = field(default_factory=list)

    def accountable(self, function_iri: str) -> list[str]:
        """The bodies holding a role mapped to A for the function on the date."""
        return sorted({c.body.iri for c in self.cells
                       if c.function.iri == function_iri and c.raci == "A"})

    def gaps_of(self, function_iri: str) -> list[dict]:
        return [g for g in self.gaps if g["function"] == function_iri]

    def to_dict(self) -> dict:
        return {
            "on": self.on,
            "diff": self.diff,
            "lang": self.lang,
            "min_grade": self.min_grade,
            "functions": [f.to_dict() for f in self.functions],
            "bodies": [b.to_dict() for b in self.bodies],
            "cells": [c.to_dict() for c in self.cells],
            "removed": [c.to_dict() for c in self.removed],
            "gaps": self.gaps,
            "raci": self.raci,
        }


# --- building --------------------------------------------------------------------------------

_EARLIEST: dict[str, str | None] = {}


def earliest_date(ctx: Context) -> str | None:
    """The earliest ``xsd:date`` value anywhere in the graph (None for a graph with none)."""
    if ctx.key not in _EARLIEST:
        rows = ctx.backend.select(sparql_prologue() + _EARLIEST_QUERY).rows
        value = rows[0]["min"] if rows else None
        _EARLIEST[ctx.key] = value.value if value is not None else None
    return _EARLIEST[ctx.key]


def check_not_before_data(ctx: Context, day: str, option: str) -> None:
    """A UsageError when ``day`` is earlier than every dated fact of the graph."""
    first = earliest_date(ctx)
    if first is not None and day < first:
        raise UsageError(f"{option} {day} is before any data in the graph "
                         f"(the earliest dated fact is {first})")


def _raci_mapping(ctx: Context) -> dict[str, str]:
    """Role local name → RACI letter, from the SKOS mapping in the ontology."""
    out: dict[str, str] = {}
    for row in ctx.backend.select(sparql_prologue() + _RACI_QUERY):
        iri = row["role"].value
        if iri.startswith(_ROLE_NS):
            out[iri[len(_ROLE_NS):]] = row["letter"].value
    return out


def _statuses(ctx: Context) -> dict[str, str]:
    return {row["a"].value: row["status"].value
            for row in ctx.backend.select(sparql_prologue() + _STATUS_QUERY)}


def _valid(ctx: Context, on: str, min_grade: str | None) -> list[Responsibility]:
    found = fetch_assignments(ctx, "?a a mig:Assignment .", None, on)
    entries = [e for group in found.values() for e in group]
    return [e for e in entries if grade_ok(e.evidence, min_grade)
            and (min_grade is None or min_grade > "B" or e.legal_basis)]


def _cells(entries: list[Responsibility], letters: dict[str, str], role_labels: dict[str, str],
           statuses: dict[str, str], status_labels: dict[str, str]) -> list[Cell]:
    cells = []
    for e in entries:
        status = statuses.get(e.assignment or "")
        cells.append(Cell(
            function=e.function, body=e.body, raci=letters.get(e.role), role=e.role,
            role_label=role_labels.get(e.role, e.role), from_=e.from_,
            from_known=e.from_known, until=e.until, until_known=e.until_known,
            legal_basis=list(e.legal_basis),
            legal_basis_status=status_labels.get(status) if status else None,
            evidence=e.evidence, sources=list(e.sources), assignment=e.assignment or "",
        ))
    return cells


def matrix(  # noqa: PLR0917 - the documented API signature
    on: str | _dt.date | None = None,
    diff: str | _dt.date | None = None,
    lang: str = "en",
    min_grade: str | None = None,
    store: Path | str | None = None,
    endpoint: str | None = None,
) -> Matrix:
    """The responsibility matrix on ``on`` (default today), changes since ``diff`` marked.

    Raises UsageError for a malformed date or grade, and for a date earlier than every
    dated fact of the graph.
    """
    day = parse_date(on, "--on")
    other = parse_date(diff, "--diff") if diff is not None else None
    lang = check_lang(lang)
    min_grade = check_grade(min_grade)
    ctx = get_context(store, endpoint)
    check_not_before_data(ctx, day, "--on")
    if other is not None:
        check_not_before_data(ctx, other, "--diff")

    letters = _raci_mapping(ctx)
    statuses = _statuses(ctx)
    now = _valid(ctx, day, min_grade)
    then = _valid(ctx, other, min_grade) if other is not None else []
    label_all(ctx, [*now, *then], lang)
    functions = [row["f"].value
                 for row in ctx.backend.select(sparql_prologue() + _FUNCTIONS_QUERY)]
    extra = {*functions, *(_ROLE_NS + r for r in letters), *statuses.values()}
    labels = fetch_labels(ctx, extra, lang)
    role_labels = {r: labels.get(_ROLE_NS + r, r) for r in letters}
    status_labels = {s: labels.get(s, NOT_STATED) for s in set(statuses.values())}

    result = Matrix(on=day, diff=other, lang=lang, min_grade=min_grade)
    result.cells = _cells(now, letters, role_labels, statuses, status_labels)
    if other is not None:
        old = _cells(then, letters, role_labels, statuses, status_labels)
        old_keys: dict[tuple, set[str]] = {}
        for c in old:
            old_keys.setdefault((c.function.iri, c.body.iri, c.role), set()).add(c.assignment)
        new_keys: dict[tuple, set[str]] = {}
        for c in result.cells:
            new_keys.setdefault((c.function.iri, c.body.iri, c.role), set()).add(c.assignment)
        for c in result.cells:
            key = (c.function.iri, c.body.iri, c.role)
            if key not in old_keys:
                c.changed, c.change = True, "added"
            elif c.assignment not in old_keys[key]:
                c.changed, c.change = True, "changed"
        for c in old:
            if (c.function.iri, c.body.iri, c.role) not in new_keys:
                c.changed, c.change = True, "removed"
                result.removed.append(c)

    fn_refs = {f: Ref(f, labels.get(f, compact(f))) for f in functions}
    for c in [*result.cells, *result.removed]:
        fn_refs.setdefault(c.function.iri, c.function)
    result.functions = sorted(fn_refs.values(), key=lambda r: (r.label.casefold(), r.iri))
    bodies = {c.body.iri: c.body for c in [*result.cells, *result.removed]}
    result.bodies = sorted(bodies.values(), key=lambda r: (r.label.casefold(), r.iri))
    rank = {f.iri: i for i, f in enumerate(result.functions)}
    brank = {b.iri: i for i, b in enumerate(result.bodies)}

    def order(c: Cell) -> tuple:
        letter = _RACI_ORDER.index(c.raci) if c.raci in _RACI_ORDER else 9
        return (rank[c.function.iri], brank[c.body.iri], letter, c.role, c.assignment)

    result.cells.sort(key=order)
    result.removed.sort(key=order)
    result.raci = sorted(
        ({"role": _ROLE_NS + r, "label": role_labels[r], "raci": letters[r]} for r in letters),
        key=lambda d: (_RACI_ORDER.index(d["raci"]) if d["raci"] in _RACI_ORDER else 9,
                       d["label"]))

    from kg.gaps import gaps as run_gaps

    report = run_gaps(day, backend=ctx.backend, min_grade=min_grade, kinds=list(_GAP_KINDS))
    for gap in report.gaps:
        fn = next((s["iri"] for s in gap.subjects if s.get("role") == "function"), None)
        if fn is None:
            continue
        result.gaps.append({"function": fn, "kind": gap.kind, "title": gap.title,
                            "explanation": gap.explanation, "evidence": gap.evidence,
                            "mgi": gap.mgi})
    result.gaps.sort(key=lambda g: (rank.get(g["function"], 10**6), g["kind"]))
    return result


# --- output ----------------------------------------------------------------------------------

def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _cut(text: str, width: int) -> str:
    text = _one_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _grid(m: Matrix) -> dict[tuple[str, str], list[Cell]]:
    grid: dict[tuple[str, str], list[Cell]] = {}
    for c in [*m.cells, *m.removed]:
        grid.setdefault((c.function.iri, c.body.iri), []).append(c)
    return grid


def _heading(m: Matrix) -> str:
    text = f"responsibility matrix on {m.on}"
    if m.diff:
        text += f", changes since {m.diff} marked (+ began, - ended, ~ changed)"
    if m.min_grade:
        text += f", evidence {m.min_grade} or better"
    return text


def _mapping_text(m: Matrix) -> str:
    return "RACI letters from the roles' SKOS mapping: " + ", ".join(
        f"{d['label']} → {d['raci']}" for d in m.raci)


def _row_note(m: Matrix, fn: str) -> str:
    kinds = sorted({g["kind"] for g in m.gaps_of(fn)})
    count = len(m.accountable(fn))
    note = f"{count} A"
    if kinds:
        note += " · gap: " + ", ".join(kinds)
    return note


def _details_rows(m: Matrix) -> list[tuple[str, ...]]:
    rows = []
    for c in [*m.cells, *m.removed]:
        rows.append((c.function.label, c.body.label, c.code(), c.role_label, c.period_text(),
                     c.basis_text(), c.evidence or "-",
                     "; ".join(r.label for r in c.sources) or "-", c.change or ""))
    rows.sort(key=lambda r: (r[0].casefold(), r[1].casefold(), r[2]))
    return rows


def format_table(m: Matrix) -> str:
    grid = _grid(m)
    lines = [_heading(m), _mapping_text(m), "", "bodies:"]
    lines += [f"  [{i}] {b.label}" for i, b in enumerate(m.bodies, 1)]
    width = min(max((len(f.label) for f in m.functions), default=10), 46)
    cols = [str(i) for i in range(1, len(m.bodies) + 1)]
    colw = [max(len(c), 3) for c in cols]
    lines.append("")
    lines.append(f"{'function':<{width}}  " + " ".join(f"{c:>{w}}" for c, w in zip(
        cols, colw, strict=True)) + "  accountable")
    for f in m.functions:
        cells = []
        for b, w in zip(m.bodies, colw, strict=True):
            here = grid.get((f.iri, b.iri), [])
            cells.append(f"{'/'.join(c.code() for c in here) or '.':>{w}}")
        lines.append(f"{_cut(f.label, width):<{width}}  " + " ".join(cells)
                     + "  " + _row_note(m, f.iri))
    lines += ["", "cells:"]
    header = ("function", "body", "RACI", "role", "period", "legal basis", "ev", "sources",
              "change")
    rows = [header, *_details_rows(m)]
    widths = [min(max(len(r[i]) for r in rows), cap)
              for i, cap in enumerate((40, 30, 4, 16, 24, 48, 2, 40, 7))]
    for n, row in enumerate(rows):
        lines.append("  " + "  ".join(f"{_cut(v, w):<{w}}" for v, w in zip(
            row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    if m.gaps:
        lines += ["", "gaps (no accountable body, or several):"]
        for g in m.gaps:
            lines.append(f"  [{g['kind']}] {_one_line(g['explanation'])}"
                         + (f" (evidence {g['evidence']})" if g["evidence"] else ""))
    return "\n".join(lines)


def _md(text: str) -> str:
    return (_one_line(text).replace("\\", "\\\\").replace("|", "\\|")
            .replace("<", "&lt;").replace(">", "&gt;"))


def format_md(m: Matrix) -> str:
    grid = _grid(m)
    lines = [f"# Responsibility matrix on {m.on}", "", _md(_heading(m)) + ".", "",
             _md(_mapping_text(m)) + ".", ""]
    lines.append("| function | " + " | ".join(_md(b.label) for b in m.bodies)
                 + " | accountable |")
    lines.append("|---|" + "---|" * len(m.bodies) + "---|")
    for f in m.functions:
        cells = ["/".join(c.code() for c in grid.get((f.iri, b.iri), [])) for b in m.bodies]
        lines.append(f"| {_md(f.label)} | " + " | ".join(_md(c) for c in cells)
                     + f" | {_md(_row_note(m, f.iri))} |")
    lines += ["", "## Cells", "",
              "| function | body | RACI | role | period | legal basis | evidence | sources "
              "| change |", "|---|---|---|---|---|---|---|---|---|"]
    for row in _details_rows(m):
        lines.append("| " + " | ".join(_md(v) for v in row) + " |")
    if m.gaps:
        lines += ["", "## Gaps", ""]
        lines += [f"- `{g['kind']}`: {_md(g['explanation'])}"
                  + (f" (evidence {g['evidence']})" if g["evidence"] else "") for g in m.gaps]
    return "\n".join(lines) + "\n"


def _cell_text(c: Cell) -> str:
    return (f"{c.code()} {c.role_label}; {c.period_text()}; basis: {c.basis_text()}; "
            f"evidence {c.evidence or '-'}")


def format_csv(m: Matrix) -> str:
    """The grid: a row per function, a column per body, each cell spelled out; UTF-8 BOM."""
    grid = _grid(m)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["function", "function_iri", *[b.label for b in m.bodies], "accountable"])
    writer.writerow(["", "", *[b.iri for b in m.bodies], ""])
    for f in m.functions:
        writer.writerow([f.label, f.iri,
                         *[" | ".join(_cell_text(c) for c in grid.get((f.iri, b.iri), []))
                           for b in m.bodies],
                         _row_note(m, f.iri)])
    return "\ufeff" + buffer.getvalue()


def format_json(m: Matrix) -> str:
    import json

    return json.dumps(m.to_dict(), indent=2, ensure_ascii=False) + "\n"


_CSS = """
body{font:13px/1.35 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24}
header{padding:10px 14px;border-bottom:1px solid #d0d7de;background:#f6f8fa}
h1{font-size:17px;margin:0 0 4px}
.meta{color:#57606a}
.filters{margin-top:8px;display:flex;gap:14px;flex-wrap:wrap}
.filters input{width:260px;padding:3px 6px}
.wrap{overflow:auto;max-height:calc(100vh - 150px)}
table{border-collapse:separate;border-spacing:0}
th,td{border-right:1px solid #e1e4e8;border-bottom:1px solid #e1e4e8;padding:3px 6px}
thead th{position:sticky;top:0;background:#eef1f4;z-index:2;vertical-align:bottom;
 font-weight:600;max-width:120px;white-space:normal}
th.fn{position:sticky;left:0;background:#fff;z-index:1;text-align:left;font-weight:normal;
 min-width:260px;max-width:360px}
thead th.fn{z-index:3;background:#eef1f4}
td{text-align:center;min-width:38px;cursor:default}
td.cell span{display:inline-block;padding:1px 4px;border-radius:3px;font-weight:600}
.r-A{background:#0b3d91;color:#fff}.r-R{background:#5b8fd6;color:#fff}
.r-C{background:#cfe0f5}.r-I{background:#eef1f4}
.added{outline:2px solid #1a7f37}.changed{outline:2px dashed #9a6700}
.removed{text-decoration:line-through;background:#ffebe9!important;color:#82071e!important}
td.note{text-align:left;white-space:nowrap;color:#57606a}
td.note.gap{color:#82071e;font-weight:600}
tr.hidden,.hidden{display:none}
.legend span{margin-right:10px}
"""

_JS = """(function () {
  "use strict";
  var fnBox = document.getElementById("filter-function");
  var bodyBox = document.getElementById("filter-body");
  function norm(s) { return (s || "").toLocaleLowerCase(); }
  function apply() {
    var fq = norm(fnBox.value), bq = norm(bodyBox.value);
    var heads = document.querySelectorAll("thead th[data-col]");
    var hidden = {};
    heads.forEach(function (th) {
      var off = bq !== "" && norm(th.getAttribute("data-label")).indexOf(bq) < 0;
      th.classList.toggle("hidden", off);
      if (off) { hidden[th.getAttribute("data-col")] = true; }
    });
    document.querySelectorAll("tbody tr").forEach(function (tr) {
      var off = fq !== "" && norm(tr.getAttribute("data-label")).indexOf(fq) < 0;
      tr.classList.toggle("hidden", off);
      tr.querySelectorAll("td[data-col]").forEach(function (td) {
        td.classList.toggle("hidden", !!hidden[td.getAttribute("data-col")]);
      });
    });
    var shown = document.querySelectorAll("tbody tr:not(.hidden)").length;
    document.getElementById("shown").textContent = String(shown);
  }
  fnBox.addEventListener("input", apply);
  bodyBox.addEventListener("input", apply);
  window.migkgMatrix = { apply: apply, ready: true };
})();
"""


def format_html(m: Matrix) -> str:
    """One self-contained page: no request, no data in script, every string escaped."""
    from visualise.html import csp_hash

    esc = html.escape
    grid = _grid(m)
    title = f"Responsibility matrix on {m.on}"
    csp = ("default-src 'none'; script-src " + csp_hash(_JS) + "; style-src "
           + csp_hash(_CSS) + "; img-src 'none'; base-uri 'none'; form-action 'none'")
    head = ['<th class="fn" scope="col">function</th>']
    for i, b in enumerate(m.bodies):
        head.append(f'<th scope="col" data-col="{i}" data-label="{esc(b.label)}" '
                    f'title="{esc(b.label + chr(10) + b.iri)}">{esc(b.label)}</th>')
    head.append('<th scope="col">accountable</th>')
    rows = []
    for f in m.functions:
        gaps = m.gaps_of(f.iri)
        tds = [f'<th class="fn" scope="row" title="{esc(f.iri)}">{esc(f.label)}</th>']
        for i, b in enumerate(m.bodies):
            here = grid.get((f.iri, b.iri), [])
            if not here:
                tds.append(f'<td data-col="{i}"></td>')
                continue
            tip = "\n\n".join(
                f"{c.body.label} — {c.function.label}\n"
                f"{c.raci or '?'} ({c.role_label}), {c.period_text()}\n"
                f"legal basis: {c.basis_text()}\n"
                f"evidence: {c.evidence or '-'}\n"
                f"sources: {'; '.join(r.label for r in c.sources) or '-'}"
                + (f"\nchange since {m.diff}: {c.change}" if c.change else "")
                for c in here)
            spans = "".join(
                f'<span class="r-{esc(c.raci or "x")} {esc(c.change or "")}">'
                f"{esc(c.code())}</span>" for c in here)
            tds.append(f'<td class="cell" data-col="{i}" title="{esc(tip)}">{spans}</td>')
        note = _row_note(m, f.iri)
        tip = "\n".join(g["explanation"] for g in gaps)
        tds.append(f'<td class="note{" gap" if gaps else ""}" title="{esc(tip)}">'
                   f"{esc(note)}</td>")
        rows.append(f'<tr data-label="{esc(f.label)}">' + "".join(tds) + "</tr>")
    legend = "".join(f'<span><b class="r-{esc(d["raci"])}">&nbsp;{esc(d["raci"])}&nbsp;</b> '
                     f"{esc(d['label'])}</span>" for d in m.raci)
    return f"""<!DOCTYPE html>
<html lang="{esc(m.lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{esc(title)}</h1>
<div class="meta">{esc(_heading(m))}. Hover a cell for its legal basis and sources.
 <span id="shown">{len(m.functions)}</span> of {len(m.functions)} functions shown.</div>
<div class="meta legend">{legend}</div>
<div class="filters">
<label>function <input type="search" id="filter-function" autocomplete="off"></label>
<label>body <input type="search" id="filter-body" autocomplete="off"></label>
</div>
</header>
<div class="wrap">
<table id="matrix">
<thead><tr>{"".join(head)}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</div>
<script>{_JS}</script>
</body>
</html>
"""


def render(m: Matrix, fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"--format: use one of {', '.join(FORMATS)}, not {fmt!r}")
    return {"table": lambda: format_table(m) + "\n", "md": lambda: format_md(m),
            "csv": lambda: format_csv(m), "json": lambda: format_json(m),
            "html": lambda: format_html(m)}[fmt]()


def write(text: str, output: Path | str) -> Path:
    """Write ``text`` (UTF-8) to ``output`` aside and rename it into place."""
    return write_atomic(output, text)
