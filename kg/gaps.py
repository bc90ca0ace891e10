"""Coordination gaps on a date: every ``queries/gaps/*.rq`` run and turned into findings.

A gap query finds gaps from the graph's structure (an absence, a mismatch) and returns flat
rows. Its header says what kind of gap it finds and how to read its rows::

    # title: Function with no lead body on the date
    # kind: no-lead
    # mgi: mgi:2-institutional-framework
    # key: function
    # explanation: No body leads "{functionLabel}" on {on}.

Columns: every IRI column ``x`` with a ``xLabel`` column beside it is a subject of the
finding; rows are grouped into one finding per value of the ``key`` column (default: the
first subject column); ``source*`` columns give its sources; ``grade*`` columns the evidence
grades of the claims it rests on (the weakest counts). The explanation is a template:
``{name}`` is the first row's value, ``{name*}`` every distinct value joined, ``{on}`` the
date; a value no row has is left out, and so is a ``[…]`` segment with an empty placeholder.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pyoxigraph as ox

from kg.errors import UsageError
from kg.namespaces import PREFIXES, compact
from kg.queries import StoredQuery, all_queries

__all__ = [
    "GRADES",
    "Gap",
    "GapReport",
    "format_json",
    "format_md",
    "format_table",
    "gap_queries",
    "gaps",
    "parse_date",
]

GRADES = ("A", "B", "C", "D", "E")
_GRADE_NS = PREFIXES["grade"]
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(\*?)\}")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_SPACES = re.compile(r"\s{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;)])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_COMMENT = re.compile(r"#[^\n]*")


@dataclass
class Gap:
    """One finding: its kind, the things involved, why it is a gap, and where it comes from."""

    kind: str
    title: str
    subjects: list[dict[str, str]]
    explanation: str
    sources: list[dict[str, str]]
    mgi: dict | None
    evidence: str | None = None

    def to_dict(self) -> dict:
        """Plain data, as ``dataclasses.asdict`` gives (copies), without its slow deep walk."""
        mgi = None if self.mgi is None else {
            k: dict(v) if isinstance(v, dict) else v for k, v in self.mgi.items()}
        return {
            "kind": self.kind,
            "title": self.title,
            "subjects": [dict(s) for s in self.subjects],
            "explanation": self.explanation,
            "sources": [dict(s) for s in self.sources],
            "mgi": mgi,
            "evidence": self.evidence,
        }


@dataclass
class GapReport:
    """All findings on a date, in a stable order."""

    on: str
    gaps: list[Gap] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"on": self.on, "gaps": [g.to_dict() for g in self.gaps]}

    def by_mgi(self) -> list[dict]:
        """The findings grouped by MGI domain: ``[{"domain": {iri, label}, "count", "gaps"}]``."""
        groups: dict[str, dict] = {}
        for gap in self.gaps:
            domain = (gap.mgi or {}).get("domain") or {"iri": "", "label": "not coded"}
            entry = groups.setdefault(domain["iri"], {"domain": domain, "count": 0, "gaps": []})
            entry["count"] += 1
            entry["gaps"].append(gap.to_dict())
        return [groups[k] for k in sorted(groups, key=lambda k: (k == "", _natural(k)))]


# the outer ORDER BY: the last clause, with no LIMIT or OFFSET after it (the rows it keeps)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b(?:(?!\b(?:LIMIT|OFFSET)\b)[^{}])*\Z", re.IGNORECASE)


def _unordered(text: str) -> str:
    """The query without its final ORDER BY: the findings sort their rows themselves, and
    Oxigraph decodes both IRIs at each comparison of a sort (~0.2 s for 3k rows at 1M)."""
    return _ORDER_BY.sub("", text)


def _natural(text: str) -> list:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def parse_date(value: str | date | None) -> str:
    """An ISO date string (today if None); anything else is a UsageError."""
    if value is None:
        return date.today().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise UsageError(f"not a date (expected YYYY-MM-DD): {str(value)[:40]!r}") from None


def _cost(text: str) -> int:
    """A rough cost of a query: its SELECTs outside comments. The gap queries read each
    pattern over the whole graph in a subquery of its own, so the count follows the work."""
    return len(_SELECT.findall(_COMMENT.sub("", text)))


def gap_queries() -> list[StoredQuery]:
    """The gap queries of the library, sorted by name."""
    return [q for q in all_queries() if q.name.startswith("gaps/")]


def _expand(value: str) -> str:
    match = re.fullmatch(r"([A-Za-z][A-Za-z0-9_-]*):(\S*)", value.strip())
    if match and match.group(1) in PREFIXES:
        return PREFIXES[match.group(1)] + match.group(2)
    return value.strip().strip("<>")


def _text(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return " ".join(term.value.split())


def _join(values: list[str]) -> str:
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " and " + values[-1]


def _grade_letter(term) -> str | None:
    if isinstance(term, ox.NamedNode) and term.value.startswith(_GRADE_NS):
        letter = term.value[len(_GRADE_NS):].upper()
        return letter if letter in GRADES else None
    return None


def _row_key(row: dict, variables: list[str]) -> tuple:
    return tuple("" if (term := row.get(v)) is None else str(term) for v in variables)


def _findings(query: StoredQuery, rows) -> list[tuple[dict, list[dict]]]:
    """Group a gap query's rows into findings: (header, rows) per key value."""
    variables = list(rows.variables)
    subject_vars = [v for v in variables if f"{v}Label" in variables]
    key = query.header.get("key", "").strip().lstrip("?") or (
        subject_vars[0] if subject_vars else variables[0]
    )
    if key not in variables:
        raise UsageError(f"{query.name}: key column ?{key} is not in the result")
    # one group per key value, in the order of the values; the rows of a group in the order
    # of all their values (the engine's order is not stable across runs): a total order, so
    # the findings come out the same whatever order the rows arrived in
    groups: dict[str, list[dict]] = {}
    for row in rows.rows:
        value = row.get(key)
        groups.setdefault("" if value is None else str(value), []).append(row)
    for grouped in groups.values():
        if len(grouped) > 1:
            grouped.sort(key=lambda r: _row_key(r, variables))
    meta = {
        "key": key,
        "subjects": subject_vars,
        "sources": [v for v in variables if v.startswith("source") and not v.endswith("Label")],
        "grades": [v for v in variables if v.startswith("grade")],
    }
    return [(meta, groups[value]) for value in sorted(groups)]


def _gaps_of(stored: StoredQuery, found: list[tuple[dict, list[dict]]], day: str, *,
             threshold: str | None, mgi: dict | None, backend) -> list[Gap]:
    """One gap query's findings, with the labels its rows lack and those of its sources."""
    wanted: set[str] = set()
    for meta, grouped in found:
        labelled = [(var, f"{var}Label") for var in meta["subjects"]]
        for row in grouped:
            for var in meta["sources"]:
                term = row.get(var)
                if isinstance(term, ox.NamedNode):
                    wanted.add(term.value)
            for var, label_var in labelled:
                term = row.get(var)
                if isinstance(term, ox.NamedNode) and row.get(label_var) is None:
                    wanted.add(term.value)
    labels = _labels(backend, wanted)

    def label_of(iri: str) -> str:
        label = labels.get(iri)
        return compact(iri) if label is None else label

    gaps: list[Gap] = []
    for meta, grouped in found:
        subjects: list[dict[str, str]] = []
        seen: set[str] = set()
        key = meta["key"]
        order = ([key] if key in meta["subjects"] else []) + [
            v for v in meta["subjects"] if v != key]
        for var in order:
            label_var = f"{var}Label"
            for row in grouped:
                term = row.get(var)
                if not isinstance(term, ox.NamedNode):
                    continue
                iri = term.value
                if iri in seen:
                    continue
                seen.add(iri)
                label = row.get(label_var)
                subjects.append({
                    "iri": iri,
                    "label": label.value if label is not None else label_of(iri),
                    "role": var,
                })
        sources = sorted(
            {t.value for row in grouped for v in meta["sources"]
             if isinstance(t := row.get(v), ox.NamedNode)}
        )
        grades = [g for row in grouped for v in meta["grades"]
                  if (g := _grade_letter(row.get(v)))]
        # no graded claim in the rows: the finding rests on what it cites (a source
        # section or document: D, secondary) or, citing nothing, on inference alone (E)
        evidence = max(grades) if grades else ("D" if sources else "E")
        if threshold is not None and (evidence or "E") > threshold:
            continue
        gaps.append(Gap(
            kind=stored.header.get("kind", stored.path.stem),
            title=stored.title,
            subjects=subjects,
            explanation=_render(stored.header.get("explanation", stored.title), grouped, day),
            sources=[{"iri": s, "label": label_of(s)} for s in sources],
            mgi=mgi,
            evidence=evidence,
        ))
    return gaps


@lru_cache(maxsize=64)
def _template(text: str) -> tuple:
    """A template as parts, parsed once: a string, a placeholder ``(name, many)``, or a
    ``[…]`` segment as a list of parts (kept only if all its placeholders have values)."""

    def parts(chunk: str) -> list:
        out: list = []
        last = 0
        for match in _PLACEHOLDER.finditer(chunk):
            out.append(chunk[last:match.start()])
            out.append((match.group(1), bool(match.group(2))))
            last = match.end()
        out.append(chunk[last:])
        return [p for p in out if p != ""]

    out: list = []
    last = 0
    for match in _SEGMENT.finditer(text):
        out += parts(text[last:match.start()])
        out.append(parts(match.group(1)))
        last = match.end()
    out += parts(text[last:])
    return tuple(out)


def _render(template: str, rows: list[dict], on: str) -> str:
    """Fill a template; a ``[…]`` segment is kept only if all its placeholders have values.
    Values are inserted as they are: text from the data is never read as a placeholder."""
    filled: dict[tuple[str, bool], str] = {}

    def value(name: str, many: bool) -> str:
        if (name, many) in filled:
            return filled[name, many]
        if name == "on":
            result = on
        else:
            values: list[str] = []
            for row in rows:
                text = _text(row.get(name))
                if text and text not in values:
                    values.append(text)
                    if not many:
                        break
            result = _join(values) if many else (values[0] if values else "")
        filled[name, many] = result
        return result

    out: list[str] = []
    for part in _template(template):
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, tuple):
            out.append(value(*part))
        else:
            segment = [p if isinstance(p, str) else value(*p) for p in part]
            if all(value(*p) for p in part if isinstance(p, tuple)):
                out += segment
    text = "".join(out)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text)).strip()


def _labels(backend, iris: set[str]) -> dict[str, str]:
    """English (else any) labels of IRIs, one query; IRIs are written by pyoxigraph."""
    if not iris:
        return {}
    values = " ".join(str(ox.NamedNode(i)) for i in sorted(iris))
    text = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?x ?label ?lang WHERE { VALUES ?x { " + values + " } "
        "?x rdfs:label|skos:prefLabel ?label . BIND(LANG(?label) AS ?lang) }"
    )
    best: dict[str, tuple[int, str]] = {}
    for row in backend.select(text).rows:
        iri, label, lang = row["x"].value, row["label"].value, row["lang"].value
        rank = 0 if lang == "en" else 1 if lang == "" else 2
        if iri not in best or (rank, label) < best[iri]:
            best[iri] = (rank, label)
    return {iri: label for iri, (_, label) in best.items()}


def _mgi_info(backend, iris: set[str]) -> dict[str, dict]:
    """For each MGI concept: its label and its domain (itself, or its top broader concept)."""
    if not iris:
        return {}
    values = " ".join(str(ox.NamedNode(i)) for i in sorted(iris))
    text = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?x ?top WHERE { VALUES ?x { " + values + " } "
        "?x skos:broader* ?top . FILTER NOT EXISTS { ?top skos:broader ?above } }"
    )
    tops: dict[str, str] = {}
    for row in backend.select(text).rows:
        iri, top = row["x"].value, row["top"].value
        if iri not in tops or top < tops[iri]:
            tops[iri] = top
    labels = _labels(backend, iris | set(tops.values()))
    info = {}
    for iri in iris:
        top = tops.get(iri, iri)
        info[iri] = {
            "iri": iri,
            "label": labels.get(iri, compact(iri)),
            "domain": {"iri": top, "label": labels.get(top, compact(top))},
        }
    return info


def gaps(
    on: str | date | None = None,
    *,
    store=None,
    endpoint: str | None = None,
    min_grade: str | None = None,
    kinds: list[str] | None = None,
    backend=None,
) -> GapReport:
    """Run every gap query on ``on`` (default today) and return the findings.

    ``min_grade`` (A–E) keeps the findings whose weakest evidence is that grade or better;
    a finding that rests on no graded claim takes the grade of what it cites (D for a
    secondary source, E for nothing). ``kinds`` keeps only those kinds.
    """
    day = parse_date(on)
    threshold = None
    if min_grade is not None:
        threshold = str(min_grade).strip().upper()
        if threshold not in GRADES:
            raise UsageError(f"unknown evidence grade {min_grade!r} (expected one of A–E)")
    if backend is None:
        from kg.sparql import connect

        backend = connect(store, endpoint)
    queries = gap_queries()
    known = {q.header.get("kind", q.path.stem) for q in queries}
    for kind in kinds or []:
        if kind not in known:
            raise UsageError(f"unknown gap kind {kind!r} (known: {', '.join(sorted(known))})")
    on_term = ox.Literal(day, datatype=ox.NamedNode(PREFIXES["xsd"] + "date"))
    chosen = [q for q in queries if not kinds or q.header.get("kind", q.path.stem) in kinds]

    mgi_of = {q.name: _expand(q.header["mgi"]) for q in chosen if q.header.get("mgi")}
    mgi = _mgi_info(backend, set(mgi_of.values()))

    def run(stored: StoredQuery) -> list[Gap]:
        bindings = {"on": on_term} if "on" in stored.parameters else {}
        rows = backend.select(_unordered(stored.text), bindings)
        return _gaps_of(stored, _findings(stored, rows), day, threshold=threshold,
                        mgi=mgi.get(mgi_of.get(stored.name, "")), backend=backend)

    # the queries are independent and the engine (or the endpoint) runs them outside the
    # GIL: one thread per CPU, each turning its rows into findings while another query runs.
    # The costliest start first, so that the threads finish together; results are taken in
    # the library's order and sorted (deterministic output)
    workers = max(1, min(len(chosen), os.cpu_count() or 1))
    order = sorted(range(len(chosen)), key=lambda i: -_cost(chosen[i].text))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        found = dict(zip(order, pool.map(run, [chosen[i] for i in order]), strict=True))
    findings = [gap for i in range(len(chosen)) for gap in found[i]]
    findings.sort(key=lambda g: (g.kind, [s["label"].casefold() for s in g.subjects[:1]],
                                 [s["iri"] for s in g.subjects]))
    return GapReport(day, findings)


# --- text output -----------------------------------------------------------------------------

def format_json(report: GapReport, *, by_mgi: bool = False) -> str:
    """The findings as JSON, indented by two spaces (the text ``json.dumps(…, indent=2,
    ensure_ascii=False)`` gives). orjson writes it: the standard library's indenting encoder
    is pure Python and took ~0.3 s of a whole ``migkg gaps`` for 6.5k findings at 1M."""
    import orjson

    data = report.to_dict()
    if by_mgi:
        data["by"] = "mgi"
        data["domains"] = report.by_mgi()
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()


def _mgi_text(gap: Gap) -> str:
    if not gap.mgi:
        return "MGI: not coded"
    if gap.mgi["iri"] == gap.mgi["domain"]["iri"]:
        return f"MGI {gap.mgi['label']}"
    return f"MGI {gap.mgi['domain']['label']} › {gap.mgi['label']}"


def _one_line(text: str) -> str:
    return _CONTROL.sub(" ", text)


def format_table(report: GapReport, *, by_mgi: bool = False) -> str:
    """The findings as plain text, one block per finding (grouped by MGI domain if asked)."""
    lines = [f"gaps on {report.on}: {len(report.gaps)} finding(s)"]

    def block(gap: Gap) -> list[str]:
        grade = f", evidence {gap.evidence}" if gap.evidence else ""
        out = [f"[{gap.kind}] {_one_line(gap.title)} ({_mgi_text(gap)}{grade})",
               f"    {_one_line(gap.explanation)}"]
        out += [f"    - {compact(s['iri'])}  {_one_line(s['label'])}" for s in gap.subjects]
        if gap.sources:
            out.append("    sources: " + ", ".join(compact(s["iri"]) for s in gap.sources))
        return out

    if by_mgi:
        for group in report.by_mgi():
            lines.append("")
            lines.append(f"== {group['domain']['label']} ({group['count']})")
            for gap in report.gaps:
                if ((gap.mgi or {}).get("domain") or {}).get("iri", "") == group["domain"]["iri"]:
                    lines += block(gap)
    else:
        for gap in report.gaps:
            lines.append("")
            lines += block(gap)
    return "\n".join(lines)


def _md(text: str) -> str:
    return _one_line(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def format_md(report: GapReport, *, by_mgi: bool = False) -> str:
    """The findings as Markdown: a section per finding (under a heading per MGI domain)."""
    lines = [f"# Gaps on {report.on}", "", f"{len(report.gaps)} finding(s)."]

    def block(gap: Gap, level: str) -> list[str]:
        out = ["", f"{level} {_md(gap.title)} (`{gap.kind}`)", "", _md(gap.explanation), "",
               f"- {_md(_mgi_text(gap))}"]
        if gap.evidence:
            out.append(f"- evidence: {gap.evidence}")
        out += [f"- subject: [{_md(s['label'])}]({s['iri']})" for s in gap.subjects]
        out += [f"- source: [{_md(s['label'])}]({s['iri']})" for s in gap.sources]
        return out

    if by_mgi:
        for group in report.by_mgi():
            lines += ["", f"## {_md(group['domain']['label'])} ({group['count']})"]
            for gap in report.gaps:
                if ((gap.mgi or {}).get("domain") or {}).get("iri", "") == group["domain"]["iri"]:
                    lines += block(gap, "###")
    else:
        for gap in report.gaps:
            lines += block(gap, "##")
    return "\n".join(lines)
