"""Spreadsheets in and out (issue 9): `migkg template`, `migkg import`, `export --format xlsx|csv`.

Every test works on a copy of data/ (``--data-dir``), never on the repository's data/.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, run_cli

openpyxl = pytest.importorskip("openpyxl")


# --- helpers ---------------------------------------------------------------------------------

def _data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("imported-*.ttl"))
    return target


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.ttl"))}


def _canonical_graph(folder: Path) -> set[ox.Triple]:
    from kg.importer import graph_from_files

    store, _ = graph_from_files(folder)
    dataset = ox.Dataset(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {ox.Triple(q.subject, q.predicate, q.object) for q in dataset}


def _fill(workbook: Path, sheets: dict[str, list[dict[str, object]]], out: Path) -> None:
    """Replace the data rows (below the description row) of each named sheet with its rows."""
    wb = openpyxl.load_workbook(workbook)
    for sheet, rows in sheets.items():
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        if ws.max_row >= 3:
            ws.delete_rows(3, ws.max_row - 2)
        for r, row in enumerate(rows, start=3):
            for key, value in row.items():
                assert key in header, f"{key} is not a column of {sheet}"
                cell = ws.cell(row=r, column=header.index(key) + 1, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text as typed, even '=…'
    wb.save(out)


def _template(tmp_path: Path, data: Path, *kinds: str) -> Path:
    target = tmp_path / "template.xlsx"
    code, out, err = run_cli("template", *kinds, "-o", str(target), "--data-dir", str(data))
    assert code == 0, out + err
    return target


_ASSIGNMENT = {
    "body": "Migration Committee",  # an English alternative label of body:migration-committee
    "function": "fn:implement-migration-policy",
    "role": "implementer",
    "from": dt.date(2023, 1, 1),
    "legal_basis_status": "NotStatedInSources",
    "evidence_grade": "D",
    "derived_from": "src:legal-acts-reference",
    "source": "src:legal-acts-reference",
}


# --- template ----------------------------------------------------------------------------------

def test_template_has_headers_descriptions_lists_and_an_example(tmp_path):
    data = _data_copy(tmp_path)
    path = _template(tmp_path, data, "bodies", "assignments")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["bodies", "assignments", "lists"]
    assert wb["lists"].sheet_state == "hidden"
    ws = wb["assignments"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["id", "body", "function", "role"]
    body = header.index("body") + 1
    assert "(required)" in ws.cell(row=1, column=body).comment.text
    assert ws.cell(row=2, column=body).value.startswith("(required)")
    assert ws.cell(row=2, column=header.index("until") + 1).value.startswith("(optional)")
    # one example row from the data, with its id
    assert ws.cell(row=3, column=1).value
    assert ws.cell(row=4, column=1).value is None
    names = [c.value for c in wb["lists"][1]]
    assert {"role", "grade", "body", "function", "languages"} <= set(names)
    assert any(dv.type == "list" and "lists!" in dv.formula1
               for dv in ws.data_validations.dataValidation)
    column = names.index("role") + 1
    roles = [wb["lists"].cell(row=r, column=column).value for r in range(2, 20)]
    assert "lead" in roles and "implementer" in roles
    start = ws.cell(row=3, column=header.index("from") + 1)
    assert start.value is None or isinstance(start.value, dt.datetime)
    assert start.number_format == "yyyy-mm-dd" or start.value is None
    assert ws.cell(row=10, column=header.index("from") + 1).number_format == "yyyy-mm-dd"


def test_csv_template_is_one_kind(tmp_path):
    data = _data_copy(tmp_path)
    code, _, err = run_cli("template", "bodies", "acts", "-o", str(tmp_path / "x.csv"),
                           "--data-dir", str(data))
    assert code == 2 and "one kind" in err
    code, _, err = run_cli("template", "functions", "-o", str(tmp_path / "f.csv"),
                             "--data-dir", str(data))
    assert code == 0, err
    text = (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("id,label_en,label_ru")


# --- done when (a): a new user adds the Migration Committee's assignment ------------------------

def test_import_new_assignment_appears_after_build(tmp_path):
    data = _data_copy(tmp_path)
    template = _template(tmp_path, data, "bodies", "assignments")
    filled = tmp_path / "filled.xlsx"
    _fill(template, {"bodies": [{
        "type": "ServiceUnit",
        "label_en": "Test Department of Labour Migration",
        "label_ru": "Тестовый департамент трудовой миграции",
        "unit_of": "body:migration-committee",
        "sub_organization_of": "Migration Committee",
        "source": "src:legal-acts-reference",
    }], "assignments": [
        _ASSIGNMENT,
        {**_ASSIGNMENT, "body": "Test Department of Labour Migration",
         "function": "permits-individuals", "role": "co-executor",
         "from": dt.date(2024, 3, 1), "until": dt.date(2024, 12, 31)},
    ]}, filled)
    before = _snapshot(data)

    code, out, err = run_cli("import", str(filled), "--data-dir", str(data), "--check")
    assert code == 0, out + err
    assert "3 new" in out and _snapshot(data) == before

    code, out, err = run_cli("import", str(filled), "--data-dir", str(data), timeout=600)
    assert code == 0, out + err  # the whole validation ran, the reasoner included
    assert "asg:migration-committee--implement-migration-policy--implementer" in out
    written = sorted(p.name for p in data.glob("imported-*.ttl"))
    assert written == ["imported-assignments.ttl", "imported-bodies.ttl"]
    for name, payload in before.items():  # the topic files are untouched
        assert (data / name).read_bytes() == payload

    # deterministic: importing the same workbook again is a no-op, files byte-identical
    after = _snapshot(data)
    code, out, err = run_cli("import", str(filled), "--data-dir", str(data))
    assert code == 0, out + err
    assert "0 new, 0 changed, 3 unchanged" in out
    assert _snapshot(data) == after

    store = tmp_path / "store"
    code, out, err = run_cli("build", "--store", str(store), "--data-dir", str(data), "-q")
    assert code == 0, out + err
    code, out, err = run_cli("who", "Migration Committee", "--on", "2023-06-01",
                             "--format", "json", store=store)
    assert code == 0, out + err
    answers = json.loads(out)["answers"]
    rows = [r for a in answers for r in a["responsible"]]
    assert any(r["body"]["iri"].endswith("/body/migration-committee")
               and r["function"]["iri"].endswith("/function/implement-migration-policy")
               and r["from"] == "2023-01-01" for r in rows), rows

    # … and in the matrix and the picture of that day
    code, out, err = run_cli("matrix", "--on", "2023-06-01", "--format", "json", store=store)
    assert code == 0, out + err
    cells = json.loads(out)["cells"]
    assert any(c["body"].endswith("/body/migration-committee")
               and c["function"].endswith("/function/implement-migration-policy")
               for c in cells)
    page = tmp_path / "committee.html"
    code, out, err = run_cli("visualise", "--focus", "body:migration-committee", "--depth", "1",
                             "--on", "2023-06-01", "-o", str(page), store=store)
    assert code == 0, out + err
    html = page.read_text(encoding="utf-8")
    assert "https://w3id.org/migkg/id/body/migration-committee" in html
    assert "https://w3id.org/migkg/id/function/implement-migration-policy" in html

    from kg.sparql import connect

    backend = connect(store)
    assert backend.ask(
        "PREFIX mig: <https://w3id.org/migkg/ontology#> "
        "PREFIX org: <http://www.w3.org/ns/org#> "
        "PREFIX time: <http://www.w3.org/2006/time#> "
        "ASK { ?a mig:body ?b ; mig:function "
        "<https://w3id.org/migkg/id/function/permits-individuals> ; mig:period ?p . "
        "?p time:hasEnd/time:inXSDDate ?end . FILTER(STR(?end) = '2024-12-31') "
        "?b org:unitOf <https://w3id.org/migkg/id/body/migration-committee> }"
    )


# --- done when (b): four located errors, nothing written ----------------------------------------

def test_bad_rows_get_located_errors_and_nothing_is_written(tmp_path):
    data = _data_copy(tmp_path)
    template = _template(tmp_path, data, "assignments")
    bad = tmp_path / "bad.xlsx"
    _fill(template, {"assignments": [
        _ASSIGNMENT,                                                       # row 3: fine
        {**_ASSIGNMENT, "function": "refugee-status", "from": "2023-02-30"},  # 4: bad date
        {**_ASSIGNMENT, "function": "operation-migrant", "body": "Ministry of Magic"},  # 5
        {**{k: v for k, v in _ASSIGNMENT.items() if k != "source"},
         "function": "e-visa-services"},                                   # 6: no source
        _ASSIGNMENT,                                                       # 7: duplicate of 3
    ]}, bad)
    before = _snapshot(data)
    code, out, err = run_cli("import", str(bad), "--data-dir", str(data))
    assert code == 1, out + err
    problems = [line for line in out.splitlines() if line.startswith(str(bad))]
    assert len(problems) == 4, out
    assert problems[0].startswith(f"{bad}:assignments:4:from: not a date")
    assert problems[1].startswith(f"{bad}:assignments:5:body: unknown body 'Ministry of Magic'")
    assert problems[2].startswith(f"{bad}:assignments:6:source: no source")
    assert problems[3].startswith(f"{bad}:assignments:7:")
    assert "duplicate of" in problems[3] and ":assignments:3" in problems[3]
    assert "nothing written" in out
    assert _snapshot(data) == before
    assert not list(data.glob("imported-*"))
    assert "Traceback" not in err


def test_csv_rows_are_checked_the_same_way(tmp_path):
    data = _data_copy(tmp_path)
    path = tmp_path / "assignments.csv"
    code, _, err = run_cli("template", "assignments", "-o", str(path), "--data-dir", str(data))
    assert code == 0, err
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    row = dict.fromkeys(header, "")
    row.update({k: str(v) for k, v in _ASSIGNMENT.items()})
    row["from"] = "01.01.2023"
    path.write_text("\n".join([lines[0], lines[1], ",".join(row[h] for h in header)]) + "\n",
                    encoding="utf-8")
    code, out, _ = run_cli("import", str(path), "--data-dir", str(data), "--check")
    assert code == 1
    assert f"{path}:assignments:3:from: not a date (YYYY-MM-DD): '01.01.2023'" in out


def test_collisions_conflicts_and_language_tags_are_reported(tmp_path):
    data = _data_copy(tmp_path)
    template = _template(tmp_path, data, "bodies")
    wb = tmp_path / "b.xlsx"
    _fill(template, {"bodies": [
        # slug of the label collides with body:ministry-of-labour, a different record
        {"type": "Ministry", "label_en": "Ministry of Labour", "label_ru": "Минтруд",
         "source": "src:legal-acts-reference"},
        # an existing record, changed: a conflict, to be fixed in its topic file
        {"id": "iom", "type": "InternationalOrganisation", "label_en": "IOM (changed)",
         "label_ru": "МОМ", "source": "src:legal-acts-reference"},
        # Russian text in the English column
        {"type": "Ministry", "label_en": "Министерство туризма",
         "label_ru": "Министерство туризма", "source": "src:legal-acts-reference"},
        # an unknown column value for a closed list
        {"type": "Kingdom", "label_en": "Test body", "label_ru": "Тест",
         "source": "src:legal-acts-reference"},
    ]}, wb)
    code, out, _ = run_cli("import", str(wb), "--data-dir", str(data), "--check")
    assert code == 1
    assert f"{wb}:bodies:3:label_en: the id body:ministry-of-labour made from label_en" in out
    assert f"{wb}:bodies:4:label_en: conflicts with body:iom" in out and "bodies.ttl" in out
    assert f"{wb}:bodies:5:label_en: Cyrillic text in an English column" in out
    assert f"{wb}:bodies:6:type: 'Kingdom' is not a kind of bodies" in out


def test_failed_validation_restores_every_file(tmp_path):
    """A grade A claim with no statute passes the row checks but not `validate` (checks)."""
    data = _data_copy(tmp_path)
    template = _template(tmp_path, data, "assignments")
    wb = tmp_path / "a.xlsx"
    _fill(template, {"assignments": [{**_ASSIGNMENT, "evidence_grade": "A"}]}, wb)
    before = _snapshot(data)
    code, out, err = run_cli("import", str(wb), "--data-dir", str(data), "--skip", "owl",
                             "--skip", "shacl", timeout=600)
    assert code == 1, out + err
    assert "graded A but cites no statute" in out
    assert "restored" in out
    assert _snapshot(data) == before
    assert not list(data.glob("imported-*"))


def test_update_changes_only_imported_records(tmp_path):
    from kg.importer import export_workbook, graph_from_files, import_files
    from kg.records import GraphView

    data = _data_copy(tmp_path)
    template = _template(tmp_path, data, "bodies")
    wb = tmp_path / "b.xlsx"
    _fill(template, {"bodies": [{
        "id": "test-unit", "type": "ServiceUnit", "label_en": "Test unit",
        "label_ru": "Тестовое подразделение", "source": "src:legal-acts-reference"}]}, wb)
    result = import_files([wb], data_dir=data, validate=False)
    assert result.ok and result.added == ["https://w3id.org/migkg/id/body/test-unit"]
    export = tmp_path / "bodies.xlsx"
    store, where = graph_from_files(data)
    export_workbook(GraphView(store, where), ["bodies"], export, "xlsx")
    book = openpyxl.load_workbook(export)
    ws = book["bodies"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=3):
        if row[0].value == "test-unit":
            row[header.index("label_ru")].value = "Тестовый отдел"
    book.save(export)
    result = import_files([export], data_dir=data, validate=False)
    assert [p.column for p in result.problems] == ["label_ru"]
    assert "--update" in result.problems[0].message
    result = import_files([export], data_dir=data, validate=False, update=True)
    assert result.ok and result.updated == ["https://w3id.org/migkg/id/body/test-unit"]
    text = (data / "imported-bodies.ttl").read_text(encoding="utf-8")
    assert "Тестовый отдел" in text and "Тестовое подразделение" not in text


# --- done when (c): export then import of every kind changes nothing ----------------------------

def test_export_then_import_every_kind_is_a_no_op(tmp_path):
    data = _data_copy(tmp_path)
    before = _snapshot(data)
    graph_before = _canonical_graph(data)
    store = tmp_path / "store"
    code, out, err = run_cli("build", "--store", str(store), "--data-dir", str(data), "-q")
    assert code == 0, out + err
    workbook = tmp_path / "all.xlsx"
    code, out, err = run_cli("export", "--format", "xlsx", "-o", str(workbook),
                             "--store", str(store))
    assert code == 0, out + err
    sheets = openpyxl.load_workbook(workbook, read_only=True).sheetnames
    assert sheets[:3] == ["bodies", "acts", "articles"] and sheets[-1] == "lists"
    code, out, err = run_cli("import", str(workbook), "--data-dir", str(data))
    assert code == 0, out + err
    assert " 0 new, 0 changed, " in out and "wrote nothing" in out
    from kg.tables import SHEETS

    for sheet in SHEETS:
        csv = tmp_path / f"{sheet.name}.csv"
        code, out, err = run_cli("export", "--format", "csv", "--kind", sheet.name,
                                 "-o", str(csv), "--data-dir", str(data))
        assert code == 0, out + err
        code, out, err = run_cli("import", str(csv), "--data-dir", str(data))
        assert code == 0, f"{sheet.name}: {out}{err}"
        assert " 0 new, 0 changed, " in out, f"{sheet.name}: {out}"
    assert _snapshot(data) == before
    assert _canonical_graph(data) == graph_before


# --- property: export → import is a no-op for generated records --------------------------------

_LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-()'\"&/|=:;!?"
_CYRILLIC = "абвгдежзийклмнопрстуфхцчшщыэюяАБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ ,.-()«»|"


def _text(alphabet: str, letters: str) -> st.SearchStrategy[str]:
    return (st.text(alphabet=alphabet, min_size=1, max_size=40)
            .map(lambda s: " ".join(s.split()))
            .filter(lambda s: any(c in letters for c in s)))


_EN = _text(_LATIN, "abcdefghijklmnopqrstuvwxyz")
_RU = _text(_CYRILLIC, "абвгдежзийклмнопрстуфхцчшщыэюя")

_bodies = st.lists(
    st.fixed_dictionaries({
        "type": st.sampled_from(["Ministry", "ServiceUnit", "StateCompany", "Committee"]),
        "label_en": _EN, "label_ru": _RU,
        "altlabels_en": st.lists(_EN, max_size=3, unique=True),
        "definition_en": st.one_of(st.none(), _EN),
        "unit_of": st.one_of(st.none(), st.sampled_from(["body:ministry-of-labour",
                                                          "body:government"])),
    }),
    min_size=1, max_size=3,
    unique_by=(lambda b: b["label_en"].casefold(), lambda b: b["label_ru"].casefold()),
)
_assignment_extra = st.fixed_dictionaries({
    "function": st.sampled_from(["fn:refugee-status", "fn:e-visa-services",
                                 "fn:implement-migration-policy"]),
    "role": st.sampled_from(["implementer", "co-executor", "consulted", "informed"]),
    "from": st.one_of(st.none(), st.dates(dt.date(1991, 1, 1), dt.date(2030, 12, 31))),
    "days": st.one_of(st.none(), st.integers(0, 4000)),
    "grade": st.sampled_from(["D", "E"]),
    "quote_en": st.one_of(st.none(), _EN),
})
_quotas = st.lists(
    st.fixed_dictionaries({
        "label_en": _EN, "quota_year": st.integers(1991, 2040),
        "quota_size": st.integers(0, 10**7),
    }),
    max_size=2, unique_by=lambda q: q["label_en"].casefold(),
)
_benefits = st.lists(
    st.fixed_dictionaries({
        "label_en": _EN,
        "amount_mci": st.decimals(min_value=0, max_value=10**6, places=2,
                                  allow_nan=False, allow_infinity=False),
        "payment_duration": st.sampled_from(["P1Y", "P6M", "P2Y3M"]),
    }),
    max_size=2, unique_by=lambda q: q["label_en"].casefold(),
)


@pytest.fixture(scope="module")
def hyp_base(tmp_path_factory):
    base = tmp_path_factory.mktemp("hyp")
    data = _data_copy(base)
    template = base / "template.xlsx"
    code, out, err = run_cli("template", "-o", str(template), "--data-dir", str(data))
    assert code == 0, out + err
    return data, template


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=st.fixed_dictionaries({
    "bodies": _bodies,
    "extras": st.lists(_assignment_extra, min_size=1, max_size=3,
                       unique_by=lambda e: (e["function"], e["role"])),
    "quotas": _quotas,
    "benefits": _benefits,
}))
def test_property_export_import_is_a_no_op(hyp_base, tmp_path_factory, case):
    from kg.importer import export_workbook, graph_from_files, import_files
    from kg.records import GraphView
    from kg.tables import SHEETS

    base_data, template = hyp_base
    bodies, extras = case["bodies"], case["extras"]
    quotas, benefits = case["quotas"], case["benefits"]
    work = tmp_path_factory.mktemp("case")
    data = work / "data"
    shutil.copytree(base_data, data)
    source = "src:legal-acts-reference"
    body_rows = []
    for i, b in enumerate(bodies):
        row = {"id": f"zz-hyp-body-{i}", "type": b["type"], "label_en": b["label_en"],
               "label_ru": b["label_ru"], "source": source,
               "altlabels_en": " | ".join(a.replace("|", "\\|") for a in b["altlabels_en"])}
        if b["definition_en"]:
            row["definition_en"] = b["definition_en"]
        if b["unit_of"]:
            row["unit_of"] = b["unit_of"]
        body_rows.append({k: (v.replace("|", "\\|") if k in ("label_en", "label_ru",
                                                              "definition_en") else v)
                          for k, v in row.items()})
    asg_rows = []
    for i, e in enumerate(extras):
        row = {"id": f"zz-hyp-asg-{i}", "body": f"zz-hyp-body-{i % len(bodies)}",
               "function": e["function"], "role": e["role"], "evidence_grade": e["grade"],
               "derived_from": source, "source": source}
        if e["from"]:
            row["from"] = e["from"]
            if e["days"] is not None:
                row["until"] = e["from"] + dt.timedelta(days=e["days"])
        if e["quote_en"]:
            row["quote_en"] = e["quote_en"].replace("|", "\\|")
        asg_rows.append(row)
    quota_rows = [{"id": f"zz-hyp-quota-{i}",
                   "label_en": f"Q{i} " + q["label_en"].replace("|", "\\|"),
                   "quota_year": q["quota_year"], "quota_size": q["quota_size"],
                   "for_category": "cat:qandas", "source": source}
                  for i, q in enumerate(quotas)]
    prog_rows = [{"id": f"zz-hyp-benefit-{i}", "type": "Benefit",
                  "label_en": f"B{i} " + b["label_en"].replace("|", "\\|"),
                  "amount_mci": str(b["amount_mci"]), "payment_duration": b["payment_duration"],
                  "source": source}
                 for i, b in enumerate(benefits)]
    workbook = work / "generated.xlsx"
    sheets: dict[str, list[dict[str, object]]] = {s.name: [] for s in SHEETS}
    sheets.update(bodies=body_rows, assignments=asg_rows, quotas=quota_rows,
                  programmes=prog_rows)
    _fill(template, sheets, workbook)
    first = import_files([workbook], data_dir=data, validate=False)
    assert first.ok, [p.line() for p in first.problems]
    expected = len(body_rows) + len(asg_rows) + len(quota_rows) + len(prog_rows)
    assert len(first.added) == expected

    written = _snapshot(data)
    graph = _canonical_graph(data)
    store, where = graph_from_files(data)
    exported = work / "export.xlsx"
    export_workbook(GraphView(store, where), [s.name for s in SHEETS], exported, "xlsx")
    again = import_files([exported], data_dir=data, validate=False)
    assert again.ok, [p.line() for p in again.problems]
    assert (again.added, again.updated) == ([], [])
    assert _snapshot(data) == written
    assert _canonical_graph(data) == graph
    # and the first workbook itself, imported twice, is a no-op
    twice = import_files([workbook], data_dir=data, validate=False)
    assert twice.ok and (twice.added, twice.updated) == ([], [])
