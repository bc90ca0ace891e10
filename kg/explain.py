"""``explain``: one thing of the graph as a readable card.

The thing is named by a full IRI, a CURIE (``body:ministry-of-labour``) or text (the best
``who`` match). The card holds its labels in every language, its types, definition, its
assignments over time (as body or as function), legal basis, systems, sources (with the
section labels), related acts, other statements, and what refers to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, UsageError
from kg.labelindex import best_label, tokens
from kg.namespaces import PREFIXES, compact
from kg.responsibility import (
    Ref,
    Responsibility,
    check_grade,
    check_lang,
    clean_text,
    fetch_assignments,
    fetch_labels,
    get_context,
    grade_ok,
    label_all,
    looks_like_iri,
    resolve_iri,
)
from kg.who import match, suggest

__all__ = ["Card", "explain", "format_md", "format_table"]

_RDF_TYPE = PREFIXES["rdf"] + "type"
_LABEL_PROPS = {
    PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "prefLabel", PREFIXES["skos"] + "altLabel",
    PREFIXES["eli"] + "title",
}
_DEFINITION = (PREFIXES["skos"] + "definition", PREFIXES["rdfs"] + "comment")
_SOURCE_PROPS = {PREFIXES["dcterms"] + "source", PREFIXES["prov"] + "wasDerivedFrom"}
_BASIS = PREFIXES["mig"] + "legalBasis"
_QUOTE = PREFIXES["mig"] + "quote"
_ASSIGNMENT_PROPS = {PREFIXES["mig"] + "body", PREFIXES["mig"] + "function"}
_MAX_INCOMING = 300


@dataclass
class Card:
    """Everything the graph says about one thing, grouped for reading."""

    iri: str
    label: str
    kind: str
    types: list[Ref] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)
    definition: str | None = None
    quotes: list[str] = field(default_factory=list)
    assignments: list[Responsibility] = field(default_factory=list)
    legal_basis: list[Ref] = field(default_factory=list)
    systems: list[Ref] = field(default_factory=list)
    sources: list[Ref] = field(default_factory=list)
    related_acts: list[Ref] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    referenced_by: list[dict] = field(default_factory=list)
    matched: dict | None = None

    def to_dict(self) -> dict:
        return {
            "iri": self.iri,
            "curie": compact(self.iri),
            "label": self.label,
            "kind": self.kind,
            "types": [t.to_dict() for t in self.types],
            "labels": self.labels,
            "definition": self.definition,
            "quotes": self.quotes,
            "assignments": [a.to_dict() for a in self.assignments],
            "legal_basis": [r.to_dict() for r in self.legal_basis],
            "systems": [r.to_dict() for r in self.systems],
            "sources": [r.to_dict() for r in self.sources],
            "related_acts": [r.to_dict() for r in self.related_acts],
            "facts": self.facts,
            "referenced_by": self.referenced_by,
            "matched": self.matched,
        }


def _resolve(ctx, target: str) -> tuple[str, dict | None]:
    iri = resolve_iri(ctx, target) if len(target) < 2000 else None
    if iri is not None:
        return iri, None
    if looks_like_iri(target):
        raise InputError(f"{target[:200]} is not in the graph")
    if not tokens(target):
        raise UsageError(f"nothing to explain: {target[:40]!r}")
    found = match(ctx, target, limit=1)
    if not found:
        hints = suggest(ctx, target)
        extra = f"; closest: {', '.join(hints)}" if hints else ""
        raise InputError(f"no match for {target[:80]!r}{extra}")
    best = found[0]
    return best.iri, {"text": target, "score": best.score, "label": best.label}


def explain(
    target: str,
    lang: str = "en",
    min_grade: str | None = None,
    store: Path | str | None = None,
    endpoint: str | None = None,
) -> Card:
    """The card of the thing ``target`` names (IRI, CURIE or text).

    Raises UsageError for bad options or empty text and InputError when nothing matches.
    """
    if not isinstance(target, str):
        raise UsageError("IRI_OR_TEXT must be a string")
    lang = check_lang(lang)
    min_grade = check_grade(min_grade)
    target = clean_text(target).strip()
    if not target:
        raise UsageError("nothing to explain: give an IRI, a CURIE or some text")
    if len(target) > 10_000:
        raise UsageError(f"IRI_OR_TEXT is too long ({len(target)} characters)")
    ctx = get_context(store, endpoint)
    iri, matched = _resolve(ctx, target)
    node = ox.NamedNode(iri)
    ent = ctx.index.entity(iri)
    card = Card(iri=iri, label="", kind=ent[1] if ent else "thing", matched=matched)

    out_rows = ctx.backend.select("SELECT ?x ?p ?o WHERE { ?x ?p ?o }", {"x": node})
    in_rows = ctx.backend.select(
        f"SELECT ?x ?s ?p WHERE {{ ?s ?p ?x . FILTER(isIRI(?s)) }} LIMIT {_MAX_INCOMING}",
        {"x": node},
    )
    iris: set[str] = set()
    label_map: dict[str, dict[str, str]] = {}
    definitions: dict[str, str] = {}
    pending_facts: list[tuple[str, ox.NamedNode | ox.Literal]] = []
    for row in out_rows:
        p, o = row["p"].value, row["o"]
        if p in _LABEL_PROPS and isinstance(o, ox.Literal):
            lg = o.language or ""
            card.labels.append({"property": compact(p), "lang": lg, "value": o.value})
            if p == PREFIXES["rdfs"] + "label" or lg not in label_map.get("main", {}):
                label_map.setdefault("main", {})[lg] = o.value
        elif p == _RDF_TYPE and isinstance(o, ox.NamedNode):
            card.types.append(Ref(o.value, ""))
        elif p in _DEFINITION and isinstance(o, ox.Literal):
            lg = o.language or ""
            if p == _DEFINITION[0] or lg not in definitions:
                definitions[lg] = o.value
        elif p == _QUOTE and isinstance(o, ox.Literal):
            card.quotes.append(o.value)
        elif p == _BASIS and isinstance(o, ox.NamedNode):
            card.legal_basis.append(Ref(o.value, ""))
        elif p in _SOURCE_PROPS and isinstance(o, ox.NamedNode):
            kind = _kind(ctx, o.value)
            target_list = card.related_acts if kind in ("act", "article") else card.sources
            target_list.append(Ref(o.value, ""))
        elif isinstance(o, ox.NamedNode) and _kind(ctx, o.value) == "system":
            card.systems.append(Ref(o.value, ""))
            pending_facts.append((p, o))
        elif isinstance(o, ox.NamedNode) and _kind(ctx, o.value) in ("act", "article"):
            card.related_acts.append(Ref(o.value, ""))
            pending_facts.append((p, o))
        else:
            pending_facts.append((p, o))
    card.labels.sort(key=lambda d: (d["property"], d["lang"], d["value"]))
    card.label = best_label(label_map.get("main", {}), lang) or compact(iri)
    card.definition = best_label(definitions, lang) or None
    card.quotes.sort()

    incoming: list[tuple[str, str]] = []
    for row in in_rows:
        s, p = row["s"].value, row["p"].value
        if p in _ASSIGNMENT_PROPS:
            continue  # shown as assignments
        kind = _kind(ctx, s)
        if kind in ("act", "article"):
            card.related_acts.append(Ref(s, ""))
        elif kind == "system":
            card.systems.append(Ref(s, ""))
        incoming.append((p, s))

    entries = fetch_assignments(
        ctx, "{ ?a mig:body ?x } UNION { ?a mig:function ?x }", [iri], None
    ).get(iri, [])
    if card.kind == "system":
        entries += fetch_assignments(
            ctx, "?f mig:concernsSystem|mig:dependsOnSystem ?x . ?a mig:function ?f .", [iri], None
        ).get(iri, [])
    entries = [e for e in entries if grade_ok(e.evidence, min_grade)]
    label_all(ctx, entries, lang)
    card.assignments = sorted(
        {e.assignment: e for e in entries}.values(),
        key=lambda e: (e.function.label.casefold() if e.function else "", e.from_ or "",
                       e.sort_key()),
    )
    for e in card.assignments:
        for ref in e.legal_basis:
            if ref not in card.related_acts:
                card.related_acts.append(Ref(ref.iri, ""))

    refs = [*card.types, *card.legal_basis, *card.systems, *card.sources, *card.related_acts]
    iris.update(r.iri for r in refs)
    iris.update(o.value for _p, o in pending_facts if isinstance(o, ox.NamedNode))
    iris.update(p for p, _o in pending_facts)
    iris.update(s for _p, s in incoming)
    iris.update(p for p, _s in incoming)
    labels = fetch_labels(ctx, iris, lang)

    def fix(items: list[Ref]) -> list[Ref]:
        seen: dict[str, Ref] = {}
        for r in items:
            seen.setdefault(r.iri, Ref(r.iri, labels.get(r.iri, compact(r.iri))))
        return sorted(seen.values(), key=lambda r: (r.label.casefold(), r.iri))

    card.types = fix(card.types)
    card.legal_basis = fix(card.legal_basis)
    card.systems = fix(card.systems)
    card.sources = fix(card.sources)
    card.related_acts = fix(card.related_acts)
    for p, o in pending_facts:
        if isinstance(o, ox.NamedNode):
            value = {"iri": o.value, "label": labels.get(o.value, compact(o.value))}
        elif isinstance(o, ox.Literal):
            value = {"value": o.value, "lang": o.language,
                     "datatype": compact(o.datatype.value) if o.datatype else None}
        else:
            continue
        card.facts.append({"property": compact(p), "property_label": labels.get(p, compact(p)),
                           **value})
    card.facts.sort(key=lambda f: (f["property"], f.get("label") or f.get("value") or ""))
    card.referenced_by = sorted(
        ({"property": compact(p), "iri": s, "label": labels.get(s, compact(s))}
         for p, s in incoming),
        key=lambda d: (d["property"], d["label"].casefold(), d["iri"]),
    )
    return card


def _kind(ctx, iri: str) -> str | None:
    ent = ctx.index.entity(iri)
    if ent is not None:
        return ent[1]
    if iri.startswith(PREFIXES["act"]):
        return "act"
    if iri.startswith(PREFIXES["sys"]):
        return "system"
    return None


# --- text output -----------------------------------------------------------------------------

def _lines(card: Card, md: bool) -> list[str]:
    def esc(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ") if md else text.replace("\n", " ")

    def head(title: str) -> str:
        return f"\n## {title}\n" if md else f"\n{title}:"

    bullet = "- " if md else "  "
    out = [f"# {esc(card.label)}" if md else card.label,
           f"{'`' if md else ''}{compact(card.iri)}{'`' if md else ''} · {card.kind} · "
           + ", ".join(esc(t.label) for t in card.types)]
    if card.matched:
        out.append(f"(best match for {card.matched['text']!r}, score {card.matched['score']:.2f})")
    if card.definition:
        out.append(head("definition"))
        out.append(bullet + esc(card.definition))
    out.append(head("labels"))
    for lab in card.labels:
        out.append(f"{bullet}{lab['property']} @{lab['lang'] or '-'}: {esc(lab['value'])}")
    if card.assignments:
        out.append(head("assignments over time"))
        for a in card.assignments:
            fn = a.function.label if a.function else "-"
            basis = "; ".join(r.label for r in a.legal_basis) or "no legal basis stated"
            srcs = "; ".join(r.label for r in a.sources) or "-"
            out.append(f"{bullet}{esc(a.body.label)} — {a.role} — {esc(fn)} — {a.period_text()}"
                       f" — evidence {a.evidence or '-'} — basis: {esc(basis)}"
                       f" — sources: {esc(srcs)}")
    for title, refs in (("legal basis", card.legal_basis), ("systems", card.systems),
                        ("related acts", card.related_acts), ("sources", card.sources)):
        if refs:
            out.append(head(title))
            out.extend(f"{bullet}{esc(r.label)} ({compact(r.iri)})" for r in refs)
    if card.quotes:
        out.append(head("quotes"))
        out.extend(f"{bullet}\u201c{esc(q)}\u201d" for q in card.quotes)
    if card.facts:
        out.append(head("other statements"))
        for f in card.facts:
            value = f.get("label") or f.get("value") or ""
            out.append(f"{bullet}{f['property']}: {esc(str(value))}")
    if card.referenced_by:
        out.append(head("referenced by"))
        out.extend(f"{bullet}{r['property']} ← {esc(r['label'])} ({compact(r['iri'])})"
                   for r in card.referenced_by)
    return out


def format_table(card: Card) -> str:
    return "\n".join(_lines(card, md=False))


def format_md(card: Card) -> str:
    return "\n".join(_lines(card, md=True)).rstrip() + "\n"
