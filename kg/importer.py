"""Spreadsheets in and out: ``template``, ``export --format xlsx|csv`` and ``import``.

Import reads workbooks or CSV files laid out as :mod:`kg.tables` says, checks every row
against the graph (the ontology plus the Turtle files of the data folder) and the other rows,
and reports every problem as ``FILE:SHEET:ROW:COLUMN: message``; only a clean import writes.
It writes one file per sheet, ``imported-<sheet>.ttl`` in the data folder (sorted,
deterministic), then validates the whole graph and restores every touched file byte for byte
when validation fails.

A row whose record already exists with the same values is left alone (so importing an
unedited export changes nothing); a row that would change a record is an error, except with
``update=True`` for records that an import wrote (they live in ``imported-*.ttl``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from kg.errors import UsageError
from kg.namespaces import PREFIXES, compact
from kg.records import (
    XSD,
    GraphView,
    Record,
    differing_columns,
    extract,
    read_record,
    record_triples,
    ref_text,
    subjects_of,
    turtle,
)
from kg.spreadsheet import InTable, OutTable, read_tables, write_csv, write_xlsx
from kg.tables import (
    CLOSED_LISTS,
    LITERAL_CHOICES,
    SHEETS,
    Field,
    Sheet,
    expand,
    get_sheet,
    slugify,
    valid_id,
)

__all__ = [
    "ImportResult",
    "Problem",
    "export_workbook",
    "graph_from_files",
    "import_files",
    "write_template",
]

IMPORTED_PREFIX = "imported-"
_KIND_NS = {
    "body": "body", "act": "act", "article": "act", "function": "fn", "assignment": "asg",
    "system": "sys", "category": "cat", "place": "place", "programme": "prog",
    "statistic": "stat", "dataset": "stat", "recommendation": "rec", "problem": "rec",
    "event": "event", "source": "src", "person": "body",
}
_SPLIT = re.compile(r"(?<!\\)\|")
_BRACKET = re.compile(r"\[([^\[\]\s]+)\]\s*$")
_CURIE = re.compile(r"^([a-z][a-z0-9]*):(\S+)$")
_DURATION = re.compile(
    r"^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z]")
_KAZAKH_ONLY = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


# --- the graph -------------------------------------------------------------------------------

def graph_from_files(data_dir: Path | str | None = None) -> tuple[ox.Store, dict[str, Path]]:
    """The ontology plus the Turtle files of ``data_dir`` (default: the shipped data) in an
    in-memory store, and for each subject the first file that describes it."""
    from kg.paths import resource_dir
    from kg.store import load_files, source_files

    folder = Path(data_dir) if data_dir is not None else resource_dir("data")
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such data folder")
    files = source_files([folder], include_data=False)
    store = ox.Store()
    load_files(store, files, progress=False)
    where: dict[str, Path] = {}
    for path in files:
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(triple.subject, ox.NamedNode):
                where.setdefault(triple.subject.value, path)
    return store, where


# --- cells out -------------------------------------------------------------------------------

def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _short(iri: str, namespace: str) -> str:
    ns = PREFIXES[namespace]
    return iri[len(ns):] if iri.startswith(ns) else compact(iri)


def _type_short(iri: str) -> str:
    return compact(iri).split(":", 1)[-1] if compact(iri).startswith("mig:") else compact(iri)


def _cell(view: GraphView, fld: Field, terms: Sequence, typed: bool) -> object:
    """The cell for a column's terms; ``typed`` keeps dates and numbers as such (xlsx)."""
    if not terms:
        return None
    if fld.type == "ref":
        return " | ".join(ref_text(view, t.value) for t in terms)
    if fld.type == "type":
        return " | ".join(_type_short(t.value) for t in terms)
    if fld.type == "choice":
        ns = CLOSED_LISTS[fld.choices or ""].namespace
        return " | ".join(_short(t.value, ns) for t in terms)
    if fld.type == "iri":
        return " | ".join(compact(t.value) for t in terms)
    if len(terms) == 1 and typed:
        value = terms[0].value
        try:
            if fld.type in ("date", "period"):
                return dt.date.fromisoformat(value)
            if fld.type == "year" and re.fullmatch(r"\d{4}", value):
                return int(value)
            if fld.type == "integer":
                return int(value)
            if fld.type == "decimal":
                number = float(value)
                if Decimal(repr(number)) == Decimal(value):
                    return number
        except ValueError:
            pass
    return " | ".join(_escape(t.value) for t in terms)


def record_row(view: GraphView, record: Record, typed: bool = True) -> list[object]:
    """A record as a row of cells in the sheet's column order."""
    out: list[object] = []
    for fld in record.sheet.fields:
        if fld.type == "id":
            out.append(record.local)
        else:
            out.append(_cell(view, fld, record.get(fld.name), typed))
    return out


def _lists(view: GraphView, sheets: Sequence[Sheet]) -> tuple[dict[str, list[str]],
                                                                dict[str, dict[str, tuple]]]:
    """The drop-down lists the sheets need, and for each sheet which column uses which."""
    lists: dict[str, list[str]] = {}
    uses: dict[str, dict[str, tuple[str, bool]]] = {}
    lists["languages"] = ["en", "ru", "kk", "kk-Latn"]
    for sheet in sheets:
        use: dict[str, tuple[str, bool]] = {}
        for fld in sheet.fields:
            if fld.type == "type":
                name = f"types-{sheet.name}"
                lists[name] = [_type_short(expand(t)) for t in sheet.types]
                use[fld.name] = (name, True)
            elif fld.type == "choice" or fld.choices:
                name = fld.choices or ""
                lists[name] = list(view.closed_members(name))
                use[fld.name] = (name, not fld.multi)
            elif fld.type == "ref":
                name = "+".join(fld.ref)
                if name not in lists:
                    lists[name] = [ref_text(view, i) for i in view.things_of(fld.ref)]
                use[fld.name] = (name, False)
        uses[sheet.name] = use
    return lists, uses


def _out_tables(view: GraphView, sheets: Sequence[Sheet], *, all_records: bool,
                typed: bool) -> tuple[list[OutTable], dict[str, list[str]]]:
    lists, uses = _lists(view, sheets)
    tables = []
    for sheet in sheets:
        records = extract(view.store, sheet)
        if not all_records:
            records = _example(records)
        rows = [record_row(view, r, typed) for r in records]
        tables.append(OutTable(sheet, rows, uses[sheet.name]))
    return tables, lists


def _example(records: list[Record]) -> list[Record]:
    """One example record: the one with the most filled columns (ties: first by IRI)."""
    if not records:
        return []
    return [max(records, key=lambda r: (sum(1 for v in r.values.values() if v),
                                         [-ord(c) for c in r.iri[:40]]))]


def _sheets(kinds: Sequence[str]) -> list[Sheet]:
    if not kinds or list(kinds) == ["all"]:
        return list(SHEETS)
    seen: list[Sheet] = []
    for kind in kinds:
        sheet = get_sheet(kind)
        if sheet not in seen:
            seen.append(sheet)
    return seen


def _write(view: GraphView, kinds: Sequence[str], output: Path | str, all_records: bool) -> int:
    path = Path(output)
    sheets = _sheets(kinds)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if len(sheets) != 1:
            raise UsageError("a CSV file holds one kind: name exactly one (or write .xlsx)")
        tables, _ = _out_tables(view, sheets, all_records=all_records, typed=False)
        write_csv(path, tables[0])
    elif suffix == ".xlsx":
        tables, lists = _out_tables(view, sheets, all_records=all_records, typed=True)
        write_xlsx(path, tables, lists)
    else:
        raise UsageError(f"{path}: the file must end in .xlsx or .csv")
    return sum(len(t.rows) for t in tables)


def write_template(view: GraphView, kinds: Sequence[str], output: Path | str) -> int:
    """An empty workbook (or CSV) for ``kinds`` with one example row per sheet from the data."""
    return _write(view, kinds, output, all_records=False)


def export_workbook(view: GraphView, kinds: Sequence[str], output: Path | str | None,
                    fmt: str) -> int:
    """Every record of ``kinds`` in the import layout; CSV to stdout when no output."""
    if output is None or str(output) == "-":
        if fmt != "csv":
            raise UsageError("xlsx needs an output file: -o FILE.xlsx")
        sheets = _sheets(kinds)
        if len(sheets) != 1:
            raise UsageError("CSV holds one kind: give exactly one --kind")
        import sys

        tables, _ = _out_tables(view, sheets, all_records=True, typed=False)
        sys.stdout.buffer.write(write_csv(None, tables[0]))
        sys.stdout.buffer.flush()
        return len(tables[0].rows)
    path = Path(output)
    if path.suffix.lower() != f".{fmt}":
        raise UsageError(f"{path}: with --format {fmt} the file must end in .{fmt}")
    return _write(view, kinds, path, all_records=True)


# --- import ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One located problem of an import."""

    file: str
    sheet: str
    row: int
    column: str
    message: str

    def line(self) -> str:
        return f"{self.file}:{self.sheet}:{self.row}:{self.column}: {self.message}"


@dataclass
class _Draft:
    table: InTable
    sheet: Sheet
    row: int
    raw: dict[str, object]
    values: dict[str, tuple] = field(default_factory=dict)
    refs: dict[str, list[str]] = field(default_factory=dict)
    deferred: list[tuple[str, str]] = field(default_factory=list)  # only if new or changed
    iri: str | None = None
    id_given: bool = False
    slug_column: str = "id"
    bad: bool = False
    kinds: set[str] = field(default_factory=set)

    @property
    def record(self) -> Record:
        return Record(self.sheet, self.iri or "", dict(self.values))


@dataclass
class ImportResult:
    """What an import found and did."""

    problems: list[Problem] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    written: list[Path] = field(default_factory=list)
    checked_only: bool = False
    validation: object | None = None  # kg.validate.Report when validation ran
    rolled_back: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.rolled_back


class _Importer:
    def __init__(self, view: GraphView, update: bool) -> None:
        self.view = view
        self.update = update
        self.problems: list[Problem] = []
        self.drafts: list[_Draft] = []
        self.new_kinds: dict[str, set[str]] = {}
        self.new_labels: dict[str, set[str]] = defaultdict(set)
        self.members = {name: view.closed_members(name) for name in
                        (*CLOSED_LISTS, *LITERAL_CHOICES)}
        self._subjects: dict[str, set] = {}
        self.unchanged = 0

    def problem(self, d: _Draft | InTable, row: int, column: str, message: str) -> None:
        table = d.table if isinstance(d, _Draft) else d
        sheet = d.sheet.name if isinstance(d, _Draft) else table.name
        self.problems.append(Problem(table.file, sheet, row, column, message))
        if isinstance(d, _Draft):
            d.bad = True

    # -- pass 1: tables and cells
    def add_table(self, table: InTable) -> None:
        sheet = self._sheet_of(table)
        if sheet is None:
            return
        header = table.header
        seen: set[str] = set()
        for col in header:
            if col in seen:
                self.problems.append(Problem(table.file, table.name, 1, col,
                                             "column appears twice"))
            seen.add(col)
            if col and col not in sheet.columns:
                hint = ""
                m = re.match(r"^(\w+?)_([a-z]{2}(?:_[a-z]+)?)$", col)
                if m and any(f.name.startswith(m.group(1) + "_") for f in sheet.fields):
                    hint = " (language columns: en, ru, kk)"
                self.problems.append(Problem(
                    table.file, table.name, 1, col,
                    f"unknown column for sheet '{sheet.name}'{hint}"))
        for fld in sheet.fields:
            if fld.required and fld.name not in header:
                self.problems.append(Problem(table.file, table.name, 1, fld.name,
                                             "required column is missing"))
        for number, cells in table.rows:
            raw = {col: cells[i] if i < len(cells) else None for i, col in enumerate(header)
                   if col in sheet.columns}
            draft = _Draft(table, sheet, number, raw)
            self._parse(draft)
            self.drafts.append(draft)

    def _sheet_of(self, table: InTable) -> Sheet | None:
        try:
            return get_sheet(table.name)
        except UsageError:
            pass
        cols = {c for c in table.header if c}
        for sheet in SHEETS:
            if cols and cols <= set(sheet.columns) and "id" in cols and (
                    {f.name for f in sheet.fields if f.required} <= cols):
                return sheet
        names = ", ".join(s.name for s in SHEETS)
        self.problems.append(Problem(table.file, table.name, 1, "-",
                                     f"unknown sheet: name it one of {names}"))
        return None

    def _parse(self, d: _Draft) -> None:
        sheet = d.sheet
        for fld in sheet.fields:
            value = d.raw.get(fld.name)
            text = _text(value)
            if fld.type == "id":
                if text:
                    if not valid_id(text):
                        self.problem(d, d.row, "id", f"not a valid id {text!r}: lower-case "
                                     "letters, digits and '-' ('/' for parts)")
                    else:
                        d.iri = PREFIXES[sheet.namespace] + text
                        d.id_given = True
                continue
            if not text:
                if fld.required:
                    what = ("no source: every fact needs one (a src: section or web page)"
                            if fld.name == "source" else "required value is missing")
                    d.deferred.append((fld.name, what))
                continue
            items = _items(value)
            if len(items) > 1 and not fld.multi:
                d.deferred.append((fld.name, "one value only (this column is not multi-valued)"))
            terms = []
            for item in items:
                if fld.type == "ref":
                    d.refs.setdefault(fld.name, []).append(item)
                    continue
                term, error = self._literal(fld, item, value if len(items) == 1 else item, d)
                if error:
                    self.problem(d, d.row, fld.name, error)
                elif term is not None:
                    terms.append(term)
            if terms:
                d.values[fld.name] = tuple(sorted(set(terms), key=str))
        if d.bad:
            return
        if d.iri is None and sheet.slug_from == ("label_en",):
            self._derive_from_label(d)
        if d.iri:
            self._register(d)

    def _literal(self, fld: Field, item: str, raw: object, d: _Draft):
        """(term, error) for a non-reference cell item."""
        t = fld.type
        if t in ("text", "lang"):
            if fld.choices and item not in self.members[fld.choices]:
                allowed = ", ".join(self.members[fld.choices])
                d.deferred.append((fld.name, f"{item!r} is not one of: {allowed}"))
            if t == "lang":
                return ox.Literal(item, language=fld.lang), None
            return ox.Literal(item), None
        if t in ("date", "period"):
            return _date(raw)
        if t == "year":
            return _year(raw)
        if t == "integer":
            return _integer(raw)
        if t == "decimal":
            return _decimal(raw)
        if t == "duration":
            if _DURATION.match(item):
                return ox.Literal(item, datatype=ox.NamedNode(XSD + "duration")), None
            return None, f"not an ISO duration (e.g. P1Y, P6M): {item!r}"
        if t == "iri":
            iri = _iri(item)
            if iri is None:
                return None, f"not a web address or prefix:id: {item!r}"
            return ox.NamedNode(iri), None
        if t == "choice":
            members = self.members[fld.choices or ""]
            iri = _member(item, members)
            if iri is None:
                allowed = ", ".join(members)
                iri = _iri(item)
                if iri is None:
                    return None, f"{item!r} is not in the list '{fld.choices}': {allowed}"
                d.deferred.append((fld.name, f"{item!r} is not in the list '{fld.choices}': "
                                             f"{allowed}"))
            return ox.NamedNode(iri), None
        if t == "type":
            types = {_type_short(expand(x)).lower(): expand(x) for x in d.sheet.types}
            types.update({x.lower(): expand(x) for x in d.sheet.types})
            iri = types.get(item.lower())
            if iri is None:
                allowed = ", ".join(_type_short(expand(x)) for x in d.sheet.types)
                return None, f"{item!r} is not a kind of {d.sheet.name}: {allowed}"
            return ox.NamedNode(iri), None
        raise AssertionError(t)  # pragma: no cover

    def _derive_from_label(self, d: _Draft) -> None:
        for column in ("label_en", "label_ru", "label_kk"):
            vals = d.values.get(column)
            if vals:
                slug = slugify(vals[0].value)
                if slug:
                    d.iri = PREFIXES[d.sheet.namespace] + slug
                    d.slug_column = column
                    return
        self.problem(d, d.row, "id", "no id and no label to make one from")

    def _register(self, d: _Draft) -> None:
        types = [t.value for t in d.values.get("type", ())] or [d.sheet.type_iris[0]]
        kinds = self.view.kinds_of_types(types) or {d.sheet.kind}
        d.kinds = kinds
        if d.iri not in self.new_kinds:
            self.new_kinds[d.iri] = set(kinds)
        for fld in d.sheet.fields:
            if fld.prop in ("rdfs:label", "skos:altLabel"):
                for term in d.values.get(fld.name, ()):
                    self.new_labels[_key(term.value)].add(d.iri)

    # -- pass 2: references, derived ids
    def resolve_all(self) -> None:
        for d in self.drafts:
            if d.bad:
                continue
            for column, items in d.refs.items():
                fld = d.sheet.field(column)
                terms = []
                for item in items:
                    iri, error = self._resolve(item, fld.ref)
                    if error:
                        self.problem(d, d.row, column, error)
                    else:
                        terms.append(ox.NamedNode(iri))
                if terms:
                    d.values[column] = tuple(sorted(set(terms), key=str))
            if d.bad or d.iri:
                continue
            self._derive_from_links(d)
            if d.iri and not d.bad:
                self._register(d)

    def _known_kinds(self, iri: str) -> set[str] | None:
        if iri in self.new_kinds:
            return self.new_kinds[iri] | self.view.kinds().get(iri, set())
        return self.view.kinds().get(iri)

    def _resolve(self, text: str, kinds: Sequence[str]) -> tuple[str | None, str | None]:
        wanted = " or ".join(kinds)
        m = _BRACKET.search(text)
        candidate = m.group(1) if m else text
        iri = _iri(candidate)
        if iri is None and valid_id(candidate):
            for kind in kinds:
                guess = PREFIXES[_KIND_NS[kind]] + candidate
                if self._known_kinds(guess):
                    iri = guess
                    break
        if iri is not None:
            found = self._known_kinds(iri)
            if found:
                if set(kinds) & found:
                    return iri, None
                return None, (f"{compact(iri)} is a {' / '.join(sorted(found))}, "
                              f"not a {wanted}")
            if m or ":" in candidate:
                return None, f"unknown {wanted} {text!r}: nothing in the graph has that id"
        key = _key(text)
        hits = set()
        for i in self.view.label_index().get(key, set()) | self.new_labels.get(key, set()):
            if set(kinds) & (self._known_kinds(i) or set()):
                hits.add(i)
        if len(hits) == 1:
            return hits.pop(), None
        if len(hits) > 1:
            names = ", ".join(sorted(compact(h) for h in hits))
            return None, f"{text!r} is ambiguous ({names}): use the id"
        return None, f"unknown {wanted} {text!r}: not in the graph nor in these files"

    def _derive_from_links(self, d: _Draft) -> None:
        def local(column: str) -> str | None:
            vals = d.values.get(column)
            if not vals:
                return None
            iri = vals[0].value
            for prefix in (d.sheet.namespace, "body", "fn", "role", "act", "stat", "place"):
                ns = PREFIXES[prefix]
                if iri.startswith(ns):
                    return iri[len(ns):]
            return slugify(vals[0].value)

        sheet = d.sheet
        if sheet.name == "assignments":
            parts = [local("body"), local("function"), local("role")]
            if all(parts):
                d.iri = PREFIXES["asg"] + "--".join(parts)  # type: ignore[arg-type]
                d.slug_column = "body"
                taken = self._taken_by_other(d)
                if taken and d.values.get("from"):
                    d.iri += "--from-" + d.values["from"][0].value
        elif sheet.name == "articles":
            parent = local("is_part_of")
            number = d.values.get("number") or d.values.get("label_en")
            if parent and number:
                d.iri = PREFIXES["act"] + parent + "/" + slugify(
                    "art-" + number[0].value if "number" in d.values else number[0].value)
                d.slug_column = "is_part_of"
        elif sheet.name == "statistics":
            dataset = local("dataset")
            keys = [local(c) if sheet.field(c).type == "ref" else
                    (slugify(d.values[c][0].value) if d.values.get(c) else None)
                    for c in ("ref_period", "ref_date", "origin", "destination", "ref_area",
                              "breakdown")]
            key = "-".join(k for k in keys if k)
            if dataset and key:
                d.iri = PREFIXES["stat"] + dataset + "/" + key
                d.slug_column = "dataset"
        if d.iri is None:
            self.problem(d, d.row, "id", "no id, and not enough filled columns to make one")

    def _taken_by_other(self, d: _Draft) -> bool:
        if not d.iri or not self.view.exists(d.iri):
            return False
        existing = read_record(self.view.store, d.sheet, ox.NamedNode(d.iri))
        return bool(differing_columns(existing, d.record))

    # -- pass 3: compare, duplicates, content
    def compare(self) -> tuple[list[_Draft], list[_Draft]]:
        """(new, changed) drafts; identical ones only count as unchanged."""
        first_by_iri: dict[str, _Draft] = {}
        first_by_label: dict[tuple[str, str, str], _Draft] = {}
        first_by_content: dict[tuple, _Draft] = {}
        existing_content = self._existing_content()
        new: list[_Draft] = []
        changed: list[_Draft] = []
        self.unchanged = 0
        for d in self.drafts:
            if d.bad or not d.iri:
                continue
            column = "id" if d.id_given else d.slug_column
            earlier = first_by_iri.get(d.iri)
            if earlier is not None:
                where = _where(earlier)
                self.problem(d, d.row, column, f"duplicate of {where} (same id "
                             f"{compact(d.iri)})")
                continue
            first_by_iri[d.iri] = d
            state = self._state(d, column)
            if state == "bad":
                continue
            if state == "same":
                self.unchanged += 1
                continue
            for col, message in d.deferred:
                self.problem(d, d.row, col, message)
            self._check_languages(d)
            if d.bad:
                continue
            # duplicates by label (same kind) and by content
            for col in ("label_en", "label_ru"):
                for term in d.values.get(col, ()):
                    k = (d.sheet.kind, col, _key(term.value))
                    other = first_by_label.get(k)
                    if other is not None and other.iri != d.iri:
                        self.problem(d, d.row, col, f"same {col} as {_where(other)}")
                    first_by_label.setdefault(k, d)
                    if state == "new":
                        clash = sorted(
                            i for i in self.view.label_index().get(_key(term.value), ())
                            if i != d.iri and self._labelled_as(i, col, term)
                            and d.kinds & self.view.kinds().get(i, set())
                        )
                        if clash:
                            self.problem(d, d.row, col, (
                                f"already in the graph as {compact(clash[0])} "
                                f"({self.view.where(clash[0])}); use its id to refer to it"))
            content = _content_key(d.record)
            if content is not None and not d.bad:
                other = first_by_content.get(content)
                if other is not None:
                    self.problem(d, d.row, column, f"duplicate of {_where(other)}")
                elif content in existing_content and existing_content[content] != d.iri:
                    iri = existing_content[content]
                    self.problem(d, d.row, column, (
                        f"duplicate of {compact(iri)} already in the graph "
                        f"({self.view.where(iri)})"))
                first_by_content.setdefault(content, d)
            if d.bad:
                continue
            (new if state == "new" else changed).append(d)
        return new, changed

    def _labelled_as(self, iri: str, column: str, term: ox.Literal) -> bool:
        """Does ``iri`` carry ``term`` as rdfs:label in the column's language?"""
        lang = column.rsplit("_", 1)[-1]
        label = self.view.labels().get(iri, {}).get(lang)
        return label is not None and _key(label) == _key(term.value)

    def _state(self, d: _Draft, column: str) -> str:
        """'new', 'same', 'update' or 'bad' (a conflict was reported)."""
        if not self.view.exists(d.iri or ""):
            return "new"
        subject = ox.NamedNode(d.iri or "")
        if d.sheet.name not in self._subjects:
            self._subjects[d.sheet.name] = set(subjects_of(self.view.store, d.sheet))
        if subject not in self._subjects[d.sheet.name]:
            self.problem(d, d.row, column, (
                f"{compact(d.iri or '')} already exists ({self.view.where(d.iri or '')}) "
                f"and is not a record of sheet '{d.sheet.name}'"))
            return "bad"
        existing = read_record(self.view.store, d.sheet, subject)
        diff = differing_columns(existing, d.record)
        if not diff:
            return "same"
        where = self.view.where(d.iri or "")
        if not d.id_given:
            self.problem(d, d.row, column, (
                f"the id {compact(d.iri or '')} made from {column} is taken by another "
                f"record ({where}); give this row its own id"))
            return "bad"
        if self.update and where.startswith(IMPORTED_PREFIX):
            return "update"
        hint = ("; pass --update to replace it" if where.startswith(IMPORTED_PREFIX)
                else f"; change it in {where}")
        self.problem(d, d.row, diff[0], (
            f"conflicts with {compact(d.iri or '')} in the graph (differs in: "
            f"{', '.join(diff)}){hint}"))
        return "bad"

    def _existing_content(self) -> dict[tuple, str]:
        out: dict[tuple, str] = {}
        for sheet in {d.sheet for d in self.drafts}:
            if sheet.name not in ("assignments", "statistics"):
                continue
            for record in extract(self.view.store, sheet):
                key = _content_key(record)
                if key is not None:
                    out.setdefault(key, record.iri)
        return out

    def _check_languages(self, d: _Draft) -> None:
        for fld in d.sheet.fields:
            if fld.type != "lang" or fld.prop in ("skos:note", "mig:quote"):
                continue
            for term in d.values.get(fld.name, ()):
                message = _language_problem(fld.lang or "", term.value)
                if message:
                    self.problem(d, d.row, fld.name, message)


def _content_key(record: Record) -> tuple | None:
    """What makes two assignments (or observations) the same fact, whatever their ids."""
    def one(column: str) -> str:
        vals = record.get(column)
        return ",".join(sorted(str(v) for v in vals))

    if record.sheet.name == "assignments":
        return ("asg", *(one(c) for c in ("body", "function", "role", "from", "until")))
    if record.sheet.name == "statistics":
        return ("stat", *(one(c) for c in ("dataset", "ref_period", "ref_date",
                                            "ref_period_start", "ref_period_end", "ref_area",
                                            "origin", "destination", "migrant_category",
                                            "breakdown", "unit")))
    return None


def _where(d: _Draft) -> str:
    return f"{d.table.file}:{d.sheet.name}:{d.row}"


def _language_problem(lang: str, text: str) -> str | None:
    cyr = len(_CYRILLIC.findall(text))
    lat = len(_LATIN.findall(text))
    lang = lang.lower()
    if lang == "en" and cyr > lat:
        return "Cyrillic text in an English column: put it in the _ru or _kk column"
    if lang == "kk-latn" and cyr:
        return "Cyrillic text in a Kazakh (Latin) column: put it in the _kk column"
    if lang in ("ru", "kk") and lat and not cyr:
        return f"Latin-script text in a {'Russian' if lang == 'ru' else 'Kazakh'} column"
    if lang == "ru" and _KAZAKH_ONLY.search(text):
        return "Kazakh letters (ә, ғ, қ, ң, ө, ұ, ү, һ, і) in a Russian column: use the _kk column"
    return None


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _items(value: object) -> list[str]:
    text = _text(value)
    return [p.strip().replace("\\|", "|") for p in _SPLIT.split(text) if p.strip()]


def _iri(text: str) -> str | None:
    if re.match(r"^https?://\S+$", text):
        return text
    m = _CURIE.match(text)
    if m and m.group(1) in PREFIXES:
        return expand(text)
    return None


def _member(item: str, members: dict[str, str]) -> str | None:
    if item in members:
        return members[item]
    lower = {k.lower(): v for k, v in members.items()}
    if item.lower() in lower:
        return lower[item.lower()]
    iri = _iri(item)
    if iri is not None and iri in members.values():
        return iri
    return None


def _date(raw: object):
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return ox.Literal(raw.isoformat(), datatype=ox.NamedNode(XSD + "date")), None
    text = _text(raw)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            dt.date.fromisoformat(text)
            return ox.Literal(text, datatype=ox.NamedNode(XSD + "date")), None
        except ValueError:
            pass
    return None, f"not a date (YYYY-MM-DD): {text!r}"


def _year(raw: object):
    if isinstance(raw, (dt.date, dt.datetime)):
        return None, "a year (YYYY) or a month (YYYY-MM), not a full date"
    text = _text(raw)
    if re.fullmatch(r"\d{4}", text):
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "gYear")), None
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m and 1 <= int(m.group(2)) <= 12:
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "gYearMonth")), None
    return None, f"not a year (YYYY) or month (YYYY-MM): {text!r}"


def _integer(raw: object):
    if isinstance(raw, bool):
        return None, f"not a whole number: {raw!r}"
    if isinstance(raw, int) or (isinstance(raw, float) and raw.is_integer()):
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer")), None
    text = _text(raw)
    if re.fullmatch(r"[+-]?\d+", text):
        return ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD + "integer")), None
    return None, f"not a whole number: {text!r}"


def _decimal(raw: object):
    if isinstance(raw, bool):
        return None, f"not a number: {raw!r}"
    text = repr(raw) if isinstance(raw, float) else _text(raw)
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        try:
            value = Decimal(text)
            return ox.Literal(format(value, "f"), datatype=ox.NamedNode(XSD + "decimal")), None
        except InvalidOperation:
            pass
    return None, f"not a number (use a dot for decimals): {text!r}"


# --- writing and rolling back -------------------------------------------------------------------

_HEADER = (
    "migkg: records added with `migkg import` (sheet '{sheet}').\n"
    "Generated and kept sorted by the importer: edit the records through a spreadsheet\n"
    "(`migkg export --format xlsx --kind {sheet}`, then `migkg import --update`)."
)


def _file_triples(path: Path) -> list[ox.Triple]:
    if not path.is_file():
        return []
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def _merge(path: Path, replace: set[str], additions: list[ox.Triple]) -> list[ox.Triple]:
    """The file's triples without the replaced records, plus the additions; period nodes no
    longer referenced from the file are dropped."""
    kept = [t for t in _file_triples(path) if t.subject.value not in replace]
    triples = set(kept) | set(additions)
    period_ns = PREFIXES["period"]
    while True:
        referenced = {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}
        orphans = {t for t in triples if t.subject.value.startswith(period_ns)
                   and t.subject.value not in referenced}
        if not orphans:
            break
        triples -= orphans
    return sorted(triples, key=str)


def import_files(
    paths: Iterable[Path | str],
    *,
    data_dir: Path | str | None = None,
    check_only: bool = False,
    update: bool = False,
    validate: bool = True,
    skip: Iterable[str] = (),
) -> ImportResult:
    """Check the files' rows and, when all are clean, write them into the data folder.

    Returns the result; problems are in ``result.problems`` (nothing is written then). After
    writing, the whole graph is validated (unless ``validate`` is false) and every touched file
    is restored when validation fails (``result.rolled_back``).
    """
    from kg.paths import resource_dir

    folder = Path(data_dir) if data_dir is not None else resource_dir("data")
    tables: list[InTable] = []
    for path in paths:
        tables.extend(read_tables(path))
    store, where = graph_from_files(folder)
    view = GraphView(store, where)
    importer = _Importer(view, update)
    for table in tables:
        importer.add_table(table)
    importer.resolve_all()
    new, changed = importer.compare()
    result = ImportResult(problems=sorted(set(importer.problems), key=_problem_order),
                          unchanged=importer.unchanged, checked_only=check_only)
    result.added = sorted(d.iri or "" for d in new)
    result.updated = sorted(d.iri or "" for d in changed)
    if result.problems or check_only or not (new or changed):
        return result
    by_sheet: dict[str, list[_Draft]] = defaultdict(list)
    for d in [*new, *changed]:
        by_sheet[d.sheet.name].append(d)
    plan: dict[Path, bytes] = {}
    for name, drafts in sorted(by_sheet.items()):
        target = folder / f"{IMPORTED_PREFIX}{name}.ttl"
        additions: list[ox.Triple] = []
        for d in drafts:
            additions.extend(record_triples(d.record))
        replace = {d.iri or "" for d in drafts if d in changed}
        triples = _merge(target, replace, additions)
        plan[target] = turtle(triples, _HEADER.format(sheet=name)).encode("utf-8")
    backups = {path: (path.read_bytes() if path.is_file() else None) for path in plan}
    try:
        for path, payload in plan.items():
            _atomic_write(path, payload)
            result.written.append(path)
        if validate:
            from kg.validate import validate as run_validation

            report = run_validation([folder], include_data=False, skip=skip)
            result.validation = report
            if not report.ok:
                _restore(backups)
                result.rolled_back = True
    except BaseException:
        _restore(backups)
        raise
    return result


def _problem_order(p: Problem) -> tuple:
    return (p.file, p.sheet, p.row, p.column, p.message)


def _atomic_write(path: Path, payload: bytes) -> None:
    from kg.spreadsheet import _atomic_write as write

    write(path, payload)


def _restore(backups: dict[Path, bytes | None]) -> None:
    for path, payload in backups.items():
        if payload is None:
            path.unlink(missing_ok=True)
        else:
            _atomic_write(path, payload)
