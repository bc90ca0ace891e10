"""``diff``: the responsibilities that began, ended or moved between two dates.

An assignment valid on ``--to`` but not on ``--from`` began; valid on ``--from`` but not on
``--to`` ended. An ended and a begun assignment of the same function and role held by
different bodies form a move (preferring pairs linked by ``mig:succeeds`` or by the same
change event through ``mig:endedBy``/``mig:startedBy``); the event, its effective date and
its legal basis are reported with the move. The 2022 reform shows as moves from the
Ministry of Internal Affairs to the Ministry of Labour and Social Protection of Population.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import UsageError
from kg.namespaces import compact, sparql_prologue
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
    values_clause,
)

__all__ = ["DiffResult", "Move", "diff", "format_md", "format_table"]

_ALL = "?a a mig:Assignment ."


@dataclass
class Move:
    """One responsibility that passed from one body to another."""

    function: Ref
    role: str
    from_body: Ref
    to_body: Ref
    ended: Responsibility
    began: Responsibility
    event: dict | None = None

    def to_dict(self) -> dict:
        return {
            "function": self.function.to_dict(),
            "role": self.role,
            "from_body": self.from_body.to_dict(),
            "to_body": self.to_body.to_dict(),
            "ended": self.ended.to_dict(),
            "began": self.began.to_dict(),
            "event": self.event,
            "legal_basis": [r.to_dict() for r in self.began.legal_basis],
            "evidence": self.began.evidence,
        }


@dataclass
class DiffResult:
    """What changed between two dates."""

    from_date: str
    to_date: str
    lang: str
    began: list[Responsibility] = field(default_factory=list)
    ended: list[Responsibility] = field(default_factory=list)
    moved: list[Move] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "from": self.from_date,
            "to": self.to_date,
            "lang": self.lang,
            "moved": [m.to_dict() for m in self.moved],
            "began": [r.to_dict() for r in self.began],
            "ended": [r.to_dict() for r in self.ended],
        }


def _valid(ctx: Context, on: str) -> dict[str, Responsibility]:
    entries = fetch_assignments(ctx, _ALL, None, on)
    return {e.assignment: e for group in entries.values() for e in group if e.assignment}


def _pair_score(ended: Responsibility, began: Responsibility) -> int:
    if ended.assignment in began.succeeds:
        return 3
    if {r.iri for r in ended.ended_by} & {r.iri for r in began.started_by}:
        return 2
    return 1


def _events(ctx: Context, iris: set[str], lang: str) -> dict[str, dict]:
    if not iris:
        return {}
    query = sparql_prologue() + (
        f"SELECT ?e ?rel ?val WHERE {{ {values_clause('e', iris)} "
        "{ ?e mig:legalBasis ?val BIND(\"basis\" AS ?rel) } UNION "
        "{ ?e mig:effectiveDate ?val BIND(\"effective\" AS ?rel) } }"
    )
    info: dict[str, dict] = {i: {"iri": i, "label": "", "effective": None, "legal_basis": []}
                             for i in iris}
    for row in ctx.backend.select(query):
        item = info[row["e"].value]
        if row["rel"].value == "effective":
            item["effective"] = row["val"].value
        elif row["val"].value not in item["legal_basis"]:
            item["legal_basis"].append(row["val"].value)
    wanted = set(iris) | {b for v in info.values() for b in v["legal_basis"]}
    labels = fetch_labels(ctx, wanted, lang)
    for item in info.values():
        item["label"] = labels.get(item["iri"], compact(item["iri"]))
        item["legal_basis"] = sorted(
            ({"iri": b, "label": labels.get(b, compact(b))} for b in item["legal_basis"]),
            key=lambda d: d["label"].casefold(),
        )
    return info


def diff(  # noqa: PLR0917 - the documented API signature
    from_date: str | _dt.date,
    to_date: str | _dt.date,
    lang: str = "en",
    min_grade: str | None = None,
    store: Path | str | None = None,
    endpoint: str | None = None,
) -> DiffResult:
    """Responsibilities that began, ended or moved between ``from_date`` and ``to_date``."""
    if from_date is None or to_date is None:
        raise UsageError("diff needs both --from and --to dates")
    start = parse_date(from_date, "--from")
    end = parse_date(to_date, "--to")
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    lang = check_lang(lang)
    min_grade = check_grade(min_grade)
    ctx = get_context(store, endpoint)
    before = _valid(ctx, start)
    after = _valid(ctx, end)
    ended = [e for a, e in before.items() if a not in after and grade_ok(e.evidence, min_grade)]
    began = [e for a, e in after.items() if a not in before and grade_ok(e.evidence, min_grade)]
    label_all(ctx, [*ended, *began], lang)
    moves: list[Move] = []
    free = list(began)
    for old in sorted(ended, key=Responsibility.sort_key):
        candidates = [
            new for new in free
            if new.function and old.function and new.function.iri == old.function.iri
            and new.role == old.role and new.body.iri != old.body.iri
        ]
        if not candidates:
            continue
        new = max(candidates, key=lambda n: (_pair_score(old, n), -free.index(n)))
        free.remove(new)
        moves.append(Move(old.function, old.role, old.body, new.body, old, new))
    moved_ended = {m.ended.assignment for m in moves}
    event_iris = {r.iri for m in moves for r in [*m.began.started_by, *m.ended.ended_by]}
    events = _events(ctx, event_iris, lang)
    for m in moves:
        linked = [r.iri for r in m.began.started_by if r.iri in {x.iri for x in m.ended.ended_by}]
        linked = linked or [r.iri for r in [*m.began.started_by, *m.ended.ended_by]]
        m.event = events.get(sorted(linked)[0]) if linked else None
    result = DiffResult(start, end, lang)
    result.moved = sorted(moves, key=lambda m: (m.function.label.casefold(), m.role,
                                                m.from_body.label.casefold()))
    result.ended = sorted((e for e in ended if e.assignment not in moved_ended),
                          key=Responsibility.sort_key)
    result.began = sorted(free, key=Responsibility.sort_key)
    return result


# --- text output -----------------------------------------------------------------------------

def _entry(e: Responsibility) -> str:
    fn = e.function.label if e.function else "-"
    basis = "; ".join(r.label for r in e.legal_basis) or "no legal basis stated"
    grade = e.evidence or "-"
    return f"{e.body.label} — {e.role} — {fn} ({e.period_text()}, evidence {grade}; {basis})"


def _lines(result: DiffResult, md: bool) -> list[str]:
    bullet = "- "
    out = [f"# Changes from {result.from_date} to {result.to_date}" if md
           else f"changes from {result.from_date} to {result.to_date}"]
    out.append(("\n## " if md else "\n") + f"moved ({len(result.moved)})" + ("" if md else ":"))
    for m in result.moved:
        line = f"{bullet}{m.function.label} [{m.role}]: {m.from_body.label} → {m.to_body.label}"
        if m.event:
            basis = "; ".join(b["label"] for b in m.event["legal_basis"])
            line += f" (by {m.event['label']}"
            line += f", effective {m.event['effective']}" if m.event.get("effective") else ""
            line += f"; basis: {basis})" if basis else ")"
        out.append(line)
    for title, entries in (("began", result.began), ("ended", result.ended)):
        out.append(("\n## " if md else "\n") + f"{title} ({len(entries)})" + ("" if md else ":"))
        out.extend(bullet + _entry(e) for e in entries)
    if md:
        out = [line.replace("|", "\\|") for line in out]
    return out


def format_table(result: DiffResult) -> str:
    return "\n".join(_lines(result, md=False))


def format_md(result: DiffResult) -> str:
    return "\n".join(_lines(result, md=True)).rstrip() + "\n"
