"""``who``: who is responsible for what a person types, on a date, with the evidence.

TEXT is matched against the labels of functions, programmes/quotas/benefits/services,
information systems, migrant categories, legal acts (and their articles), change events and
bodies (see ``kg.labelindex``). For each match, "responsible" means:

- function → its assignments valid on the date;
- system → assignments of the functions that ``mig:concernsSystem`` it;
- category → assignments of the functions that ``mig:concernsCategory`` it (or a narrower
  category), directly or through a service they deliver;
- act / article → who passed it (``eli:passed_by``) and the assignments whose
  ``mig:legalBasis`` is it or one of its parts;
- programme / quota / service → the body that passed the act that set it (``mig:setBy``),
  the body that conducts it (``mig:conductedBy``) and the assignments of the functions that
  deliver it (``mig:deliversService``);
- event → the assignments it started or ended;
- body → its own assignments.

User text is only ever compared in Python against the label index; it never enters SPARQL.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import UsageError
from kg.labelindex import Match, best_label, normalise, tokens
from kg.namespaces import compact, sparql_prologue
from kg.responsibility import (
    Context,
    Ref,
    Responsibility,
    act_grades,
    check_grade,
    check_lang,
    clean_text,
    fetch_assignments,
    get_context,
    grade_ok,
    label_all,
    parse_date,
    resolve_iri,
    values_clause,
)

__all__ = ["Answer", "Subject", "WhoResult", "format_md", "format_table", "who"]

MIN_SCORE = 0.5
_MAX_TEXT = 10_000

# SPARQL (ours, fixed) that reaches assignments ?a from a subject ?x, per kind
PATTERNS: dict[str, str] = {
    "function": "?a mig:function ?x .",
    "system": "?f mig:concernsSystem ?x . ?a mig:function ?f .",
    "category": (
        "{ ?f mig:concernsCategory/skos:broader* ?x } UNION "
        "{ ?f mig:deliversService/mig:concernsCategory/skos:broader* ?x } "
        "?a mig:function ?f ."
    ),
    "act": "{ ?a mig:legalBasis ?x } UNION { ?a mig:legalBasis/eli:is_part_of+ ?x }",
    "article": "{ ?a mig:legalBasis ?x } UNION { ?a mig:legalBasis/eli:is_part_of+ ?x }",
    "programme": "?f mig:deliversService ?x . ?a mig:function ?f .",
    "event": "{ ?a mig:startedBy ?x } UNION { ?a mig:endedBy ?x }",
    "body": "?a mig:body ?x .",
}

# the subjects are bound inside each branch: bound only outside the UNION, they are joined by
# hash with every branch evaluated over the whole graph (every act's date: ~25 ms at 1M),
# where inside it each branch looks up from the few subjects (< 1 ms)
_EXTRAS = """SELECT ?x ?rel ?body ?act ?date ?grade ?src WHERE {{
  {{ {values} ?x eli:passed_by ?body . BIND(?x AS ?act) BIND("adopted-by" AS ?rel)
     OPTIONAL {{ ?x eli:date_document ?date }} }}
  UNION {{ {values} ?x mig:setBy ?act . ?act eli:passed_by ?body . BIND("set-by" AS ?rel)
     OPTIONAL {{ ?act eli:date_document ?date }} }}
  UNION {{ {values} ?x mig:conductedBy ?body . BIND("conducts" AS ?rel) }}
  OPTIONAL {{ ?x mig:evidenceGrade ?grade }}
  OPTIONAL {{ ?x dcterms:source ?src }}
}}"""

_DETAILS = """SELECT ?x ?rel ?val WHERE {{
  {values}
  {{ ?x mig:legalBasis ?val BIND("basis" AS ?rel) }}
  UNION {{ ?x mig:effectiveDate ?val BIND("effective" AS ?rel) }}
  UNION {{ ?x dcterms:source ?val BIND("source" AS ?rel) }}
}}"""


@dataclass(frozen=True)
class Subject:
    """The thing the text matched."""

    iri: str
    label: str
    type: str
    kind: str
    type_label: str = ""

    def to_dict(self) -> dict:
        return {"iri": self.iri, "label": self.label, "type": self.type, "kind": self.kind,
                "curie": compact(self.iri), "type_label": self.type_label}


@dataclass
class Answer:
    """One match with the bodies responsible for it on the date."""

    subject: Subject
    score: float
    matched_label: str
    responsible: list[Responsibility] = field(default_factory=list)
    legal_basis: list[Ref] = field(default_factory=list)
    sources: list[Ref] = field(default_factory=list)
    effective: str | None = None

    def to_dict(self) -> dict:
        out = {
            "subject": self.subject.to_dict(),
            "score": self.score,
            "matched_label": self.matched_label,
            "responsible": [r.to_dict() for r in self.responsible],
        }
        if self.legal_basis:
            out["subject_legal_basis"] = [r.to_dict() for r in self.legal_basis]
        if self.sources:
            out["subject_sources"] = [r.to_dict() for r in self.sources]
        if self.effective:
            out["effective"] = self.effective
        return out


@dataclass
class WhoResult:
    """The answer to ``who TEXT``: matches best first, or suggestions when nothing matched."""

    query: str
    on: str
    lang: str
    min_grade: str | None
    answers: list[Answer] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return bool(self.answers)

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "on": self.on,
            "lang": self.lang,
            "min_grade": self.min_grade,
            "answers": [a.to_dict() for a in self.answers],
            "suggestions": self.suggestions,
        }


def _subject(ctx: Context, iri: str, kind: str, lang: str) -> Subject:
    ent = ctx.index.entity(iri)
    labels = ent[3] if ent else {}
    types = ent[2] if ent else []
    typ = types[0] if types else ""
    local = typ.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if typ else kind.capitalize()
    type_label = best_label(ctx.index.type_labels.get(typ, {}), lang) if typ else ""
    label = best_label(labels, lang) if labels else compact(iri)
    return Subject(iri, label, local, kind, type_label)


def match(ctx: Context, text: str, limit: int | None = None) -> list[Match]:
    """The entities matching ``text`` (an IRI/CURIE first), best first, above MIN_SCORE;
    the first ``limit`` of them if given."""
    direct = resolve_iri(ctx, text) if len(text) < 2000 else None
    wanted = None if limit is None else limit + (direct is not None)
    found = ctx.index.search(text, limit=wanted, min_score=MIN_SCORE)
    if direct is not None:
        ent = ctx.index.entity(direct)
        kind = ent[1] if ent else "thing"
        found = [Match(direct, kind, 1.0, text.strip(), "")] + [
            m for m in found if m.iri != direct
        ]
    return found if limit is None else found[:limit]


def suggest(ctx: Context, text: str, n: int = 5) -> list[str]:
    """The closest labels to ``text`` (looser matching), for a 'did you mean'."""
    out: list[str] = []
    for m in ctx.index.search(text, fuzzy=True):
        if m.score <= 0.15:
            break
        if m.label not in out:
            out.append(m.label)
        if len(out) >= n:
            break
    return out


def _extras(ctx: Context, subjects: list[str], on: str) -> dict[str, list[Responsibility]]:
    """Non-assignment responsibilities: who passed an act, set a quota, conducts an operation."""
    query = sparql_prologue() + _EXTRAS.format(values=values_clause("x", subjects))
    rows = ctx.backend.select(query)
    acc: dict[tuple[str, str, str], Responsibility] = {}
    acts: set[str] = set()
    for row in rows:
        x, rel, body = row["x"].value, row["rel"].value, row["body"].value
        key = (x, rel, body)
        entry = acc.get(key)
        if entry is None:
            act = row["act"].value if row["act"] is not None else None
            date = row["date"].value if row["date"] is not None else None
            grade = row["grade"].value.rsplit("/", 1)[-1] if row["grade"] is not None else None
            entry = Responsibility(
                body=Ref(body, ""), role=rel, function=None, from_=date,
                from_known=date is not None, evidence=grade, via=rel,
                legal_basis=[Ref(act, "")] if act else [],
            )
            if act:
                acts.add(act)
            acc[key] = entry
        src = row["src"]
        if src is not None and Ref(src.value, "") not in entry.sources:
            entry.sources.append(Ref(src.value, ""))
    grades = act_grades(ctx, acts)
    out: dict[str, list[Responsibility]] = {}
    for (x, _rel, _body), entry in acc.items():
        if entry.evidence is None:
            entry.evidence = grades.get(entry.legal_basis[0].iri, "D") if entry.legal_basis else "D"
        if entry.from_ and entry.from_ > on:
            continue
        out.setdefault(x, []).append(entry)
    return out


def _details(ctx: Context, answers: list[Answer]) -> set[str]:
    """The subjects' own legal basis, sources and effective date (unlabelled); their IRIs."""
    refs: set[str] = set()
    if not answers:
        return refs
    by_iri = {a.subject.iri: a for a in answers}
    query = sparql_prologue() + _DETAILS.format(values=values_clause("x", by_iri))
    rows = ctx.backend.select(query)
    for row in rows:
        answer = by_iri[row["x"].value]
        rel, val = row["rel"].value, row["val"]
        if rel == "effective":
            answer.effective = val.value
        elif rel in ("basis", "source"):
            target = answer.legal_basis if rel == "basis" else answer.sources
            if all(r.iri != val.value for r in target):
                target.append(Ref(val.value, ""))
    for answer in answers:
        refs.update(r.iri for r in [*answer.legal_basis, *answer.sources])
    return refs


def _label_details(answers: list[Answer], labels: dict[str, str]) -> None:
    for answer in answers:
        answer.legal_basis = sorted(
            (Ref(r.iri, labels.get(r.iri, r.iri)) for r in answer.legal_basis),
            key=lambda r: r.label.casefold(),
        )
        answer.sources = sorted(
            (Ref(r.iri, labels.get(r.iri, r.iri)) for r in answer.sources),
            key=lambda r: r.label.casefold(),
        )


def who(  # noqa: PLR0917 - the documented API signature
    text: str,
    on: str | _dt.date | None = None,
    lang: str = "en",
    limit: int = 10,
    min_grade: str | None = None,
    store: Path | str | None = None,
    endpoint: str | None = None,
) -> WhoResult:
    """Who is responsible for ``text`` on ``on`` (default today)? Plain data, best match first.

    Raises UsageError for a malformed date, language, grade or limit, or empty text; returns
    a result with no answers (and ``suggestions``) when nothing matched.
    """
    if not isinstance(text, str):
        raise UsageError("TEXT must be a string")
    on_iso = parse_date(on)
    lang = check_lang(lang)
    min_grade = check_grade(min_grade)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise UsageError(f"--limit: a positive whole number, not {limit!r}")
    shown = clean_text(text)
    if len(shown) > _MAX_TEXT:
        raise UsageError(f"TEXT is too long ({len(shown)} characters; at most {_MAX_TEXT})")
    if not normalise(shown) and not shown.strip():
        raise UsageError("TEXT is empty: say what to look up, e.g. migkg who \"work permits\"")
    if not tokens(shown):
        raise UsageError(f"TEXT has no letters or digits to match: {shown[:40]!r}")
    ctx = get_context(store, endpoint)
    result = WhoResult(query=shown, on=on_iso, lang=lang, min_grade=min_grade)
    matches = match(ctx, shown, limit)
    if not matches:
        result.suggestions = suggest(ctx, shown)
        return result
    answers = [Answer(_subject(ctx, m.iri, m.kind, lang), m.score, m.label) for m in matches]
    by_kind: dict[str, list[str]] = {}
    for m in matches:
        if m.kind in PATTERNS:
            by_kind.setdefault(m.kind, []).append(m.iri)
    found: dict[str, list[Responsibility]] = {}
    for kind, iris in by_kind.items():
        found_kind = fetch_assignments(ctx, PATTERNS[kind], iris, on_iso, separate_details=True)
        for x, entries in found_kind.items():
            found.setdefault(x, []).extend(entries)
    extra_subjects = [m.iri for m in matches if m.kind in ("act", "programme")]
    if extra_subjects:
        for x, entries in _extras(ctx, extra_subjects, on_iso).items():
            found.setdefault(x, []).extend(entries)
    everything = [e for entries in found.values() for e in entries]
    refs = _details(ctx, answers)
    labels = label_all(ctx, everything, lang, also=refs)
    for answer in answers:
        entries = found.get(answer.subject.iri, [])
        if min_grade is not None:
            entries = [
                e for e in entries
                if grade_ok(e.evidence, min_grade) and (min_grade > "B" or e.legal_basis)
            ]
        answer.responsible = sorted(entries, key=Responsibility.sort_key)
    _label_details(answers, labels)
    result.answers = answers
    return result


# --- text output (used by the CLI) ----------------------------------------------------------

def _refs(refs: list[Ref], none: str = "-") -> str:
    return "; ".join(r.label for r in refs) or none


_NOT_STATED = "not stated in the sources"
_PERIOD_LEGEND = (
    "period: '?' = the sources give no date; 'open' = holds as far as the sources know. "
    "ev: evidence grade (A statute, B by-law, C policy, D secondary source, E inference)."
)


def format_table(result: WhoResult) -> str:
    lines = [f"who: {result.query!r} on {result.on}"
             + (f" (evidence {result.min_grade} or better)" if result.min_grade else "")]
    for i, a in enumerate(result.answers, 1):
        s = a.subject
        lines.append("")
        lines.append(f"{i}. {s.label}  [{s.type}, {compact(s.iri)}]  score {a.score:.2f}")
        if a.effective:
            lines.append(f"   effective: {a.effective}")
        if a.legal_basis:
            lines.append(f"   legal basis: {_refs(a.legal_basis)}")
        if not a.responsible:
            lines.append("   no responsible body recorded on this date")
            continue
        rows = [("body", "role", "function", "period", "ev", "legal basis", "sources")]
        for r in a.responsible:
            rows.append((
                r.body.label, r.role, r.function.label if r.function else "-", r.period_text(),
                r.evidence or "-", _refs(r.legal_basis, _NOT_STATED), _refs(r.sources),
            ))
        widths = [min(max(len(row[c]) for row in rows), 48) for c in range(len(rows[0]))]
        for n, row in enumerate(rows):
            cells = [cell if len(cell) <= widths[c] else cell[: widths[c] - 1] + "…"
                     for c, cell in enumerate(row)]
            lines.append("   " + "  ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True)))
            if n == 0:
                lines.append("   " + "  ".join("-" * w for w in widths))
    if any(a.responsible for a in result.answers):
        lines += ["", _PERIOD_LEGEND]
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_md(result: WhoResult) -> str:
    lines = [f"# Who: {_md(result.query)} (on {result.on})", ""]
    for i, a in enumerate(result.answers, 1):
        s = a.subject
        lines.append(f"## {i}. {_md(s.label)}")
        lines.append("")
        lines.append(f"`{compact(s.iri)}` · {s.type} · score {a.score:.2f}")
        lines.append("")
        if not a.responsible:
            lines.append("_No responsible body recorded on this date._")
            lines.append("")
            continue
        lines.append("| body | role | function | period | evidence | legal basis | sources |")
        lines.append("|---|---|---|---|---|---|---|")
        for r in a.responsible:
            fn = r.function.label if r.function else "-"
            basis = _md(_refs(r.legal_basis, _NOT_STATED))
            lines.append(
                f"| {_md(r.body.label)} | {r.role} | {_md(fn)} | {r.period_text()} | "
                f"{r.evidence or '-'} | {basis} | {_md(_refs(r.sources))} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
