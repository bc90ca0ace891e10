"""``migkg matrix``: the RACI matrix on a date, the 2022 transfer, every format, bad input,
and the HTML page in headless chromium (offline, no console error, hostile label as text).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from kg.namespaces import turtle_prologue
from tests.conftest import WatchedPage, run_cli

ID = "https://w3id.org/migkg/id/"
MIA, MLSPP = ID + "body/ministry-of-internal-affairs", ID + "body/ministry-of-labour"
TRANSFERRED = ("refugee-status", "permits-individuals", "interdepartmental-coordination")
HOSTILE = '<img src=x onerror="document.title=\'pwned\'">'


def matrix_json(store, *args: str) -> dict:
    code, out, err = run_cli("matrix", "--format", "json", *args, store=store)
    assert code == 0, err
    return json.loads(out)


def cells_of(data: dict, fn: str, key: str = "cells") -> list[dict]:
    return [c for c in data[key] if c["function"] == ID + "function/" + fn]


def test_json_has_the_issue_shape(built_store):
    data = matrix_json(built_store, "--on", "2022-06-01")
    assert data["on"] == "2022-06-01"
    assert {"on", "functions", "bodies", "cells"} <= set(data)
    assert all(set(x) >= {"iri", "label"} for x in data["functions"] + data["bodies"])
    assert data["cells"]
    for cell in data["cells"]:
        assert set(cell) >= {"function", "body", "raci", "role", "from", "until",
                             "legal_basis", "evidence", "changed"}
        assert all(set(b) >= {"iri", "label"} for b in cell["legal_basis"])
        assert isinstance(cell["changed"], bool)


@pytest.mark.parametrize("on", ["2021-06-01", "2022-06-01"])
def test_every_cell_has_a_basis_or_a_not_stated_marker_and_a_grade(built_store, on):
    data = matrix_json(built_store, "--on", on)
    for cell in data["cells"]:
        assert cell["evidence"] in ("A", "B", "C", "D", "E"), cell
        assert cell["raci"] in ("R", "A", "C", "I"), cell
        if cell["legal_basis"]:
            assert cell["legal_basis_status"] is None
        else:
            assert "not stated" in cell["legal_basis_status"], cell
        if cell["evidence"] in ("A", "B"):
            assert cell["legal_basis"], cell  # an A/B claim cites an act


def test_raci_letters_come_from_the_skos_mapping(built_store):
    data = matrix_json(built_store, "--on", "2022-06-01")
    mapping = {d["role"].rsplit("/", 1)[-1]: d["raci"] for d in data["raci"]}
    assert mapping["lead"] == "A" and mapping["coordinator"] == "A"
    assert mapping["co-executor"] == "R" and mapping["data-provider"] == "C"
    assert mapping["informed"] == "I"
    for cell in data["cells"]:
        assert cell["raci"] == mapping[cell["role"]]


def test_2021_the_ministry_of_internal_affairs_leads_the_transferred_functions(built_store):
    data = matrix_json(built_store, "--on", "2021-06-01")
    for fn in TRANSFERRED:
        leads = {c["body"] for c in cells_of(data, fn) if c["raci"] == "A"}
        assert leads == {MIA}, fn
    code, out, _ = run_cli("matrix", "--on", "2021-06-01", store=built_store)
    assert code == 0 and "assignment of refugee status" in out


def test_2022_diff_marks_the_transfer(built_store):
    data = matrix_json(built_store, "--on", "2022-06-01", "--diff", "2021-06-01")
    assert data["diff"] == "2021-06-01"
    for fn in TRANSFERRED:
        now = [c for c in cells_of(data, fn) if c["raci"] == "A"]
        assert [c["body"] for c in now] == [MLSPP], fn
        assert now[0]["changed"] and now[0]["change"] == "added"
        assert now[0]["from"] == "2022-01-01"
        assert any("/act/pres-decree-2021-07-19" in b["iri"] for b in now[0]["legal_basis"])
        assert now[0]["evidence"] == "B"
        gone = cells_of(data, fn, "removed")
        assert [c["body"] for c in gone] == [MIA], fn
        assert gone[0]["change"] == "removed" and gone[0]["until"] == "2021-12-31"
    # cells that held on both dates are not marked
    unchanged = cells_of(data, "regional-quota-setting")
    assert unchanged and not any(c["changed"] for c in unchanged)
    code, out, _ = run_cli("matrix", "--on", "2022-06-01", "--diff", "2021-06-01",
                           store=built_store)
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("assignment of refugee status"))
    assert "-A" in line and "+A" in line


def test_functions_with_no_accountable_body_are_tied_to_the_gap_kinds(built_store):
    data = matrix_json(built_store, "--on", "2022-06-01")
    kinds = {(g["function"], g["kind"]) for g in data["gaps"]}
    assert (ID + "function/complaints-irregular-migrants", "no-lead") in kinds
    assert all(g["kind"] in ("no-lead", "several-leads-no-coordinator") for g in data["gaps"])
    for fn in TRANSFERRED:
        assert not [g for g in data["gaps"] if g["function"] == ID + "function/" + fn]
    from kg.gaps import gaps

    report = gaps("2022-06-01", store=built_store, kinds=["no-lead"])
    assert {(g.subjects[0]["iri"], g.kind) for g in report.gaps} == kinds


def test_min_grade_keeps_only_cells_an_act_backs(built_store):
    data = matrix_json(built_store, "--on", "2022-06-01", "--min-grade", "b")
    assert data["min_grade"] == "B" and data["cells"]
    assert all(c["evidence"] in ("A", "B") and c["legal_basis"] for c in data["cells"])


def test_csv_is_utf8_with_bom_and_keeps_cyrillic(built_store, tmp_path):
    target = tmp_path / "matrix.csv"
    code, _, err = run_cli("matrix", "--on", "2022-06-01", "--lang", "ru", "--format", "csv",
                           "-o", str(target), store=built_store)
    assert code == 0, err
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "function"
    assert "Министерство труда и социальной защиты населения Республики Казахстан" in rows[0]
    assert len({len(r) for r in rows}) == 1


def test_md_and_table_and_determinism(built_store):
    first = run_cli("matrix", "--on", "2022-06-01", "--format", "md", store=built_store)
    assert first[0] == 0 and first[1].startswith("# Responsibility matrix on 2022-06-01")
    assert first == run_cli("matrix", "--on", "2022-06-01", "--format", "md",
                            store=built_store)


@pytest.mark.parametrize("args", [
    ["--min-grade", "Z"],
    ["--on", "1900-01-01"],
    ["--on", "2022-06-01", "--diff", "1900-01-01"],
    ["--on", "2022-06-01", "--diff", "2021-13-01"],
    ["--on", "2022-06-01", "--diff", "last year"],
    ["--on", "2022-02-30"],
    ["--format", "pdf"],
])
def test_bad_input_is_one_line_exit_2(built_store, args):
    code, out, err = run_cli("matrix", *args, store=built_store)
    assert code == 2, (args, out, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_date_before_any_data_names_the_earliest_fact(built_store):
    code, _, err = run_cli("matrix", "--on", "1900-01-01", store=built_store)
    assert code == 2 and "before any data" in err and "1990-12-18" in err


# --- the HTML page in headless chromium ------------------------------------------------------



@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Path:
    """The shipped graph plus a body with a hostile label that leads a function today."""
    from kg.store import build

    folder = tmp_path_factory.mktemp("hostile")
    extra = folder / "hostile.ttl"
    label = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    extra.write_text(f"""
{turtle_prologue()}
body:hostile a mig:Ministry ; rdfs:label "{label}"@en ;
    dcterms:source src:mussina-paper .
asg:hostile a mig:Assignment ; rdfs:label "hostile assignment </script><script>x()</script>"@en ;
    mig:body body:hostile ; mig:function fn:e-visa-services ; mig:role role:lead ;
    mig:period period:hostile ; mig:evidenceGrade grade:E ;
    mig:legalBasisStatus mig:NotStatedInSources ;
    dcterms:source src:mussina-paper .
period:hostile a time:Interval ; time:hasBeginning period:hostile-start .
period:hostile-start a mig:UnknownInstant ; rdfs:comment "test" .
""", encoding="utf-8")
    store = folder / "store"
    build(store, extra=[extra], checks=False, progress=False)
    return store




def test_html_matrix_in_headless_chromium(hostile_store, browser, tmp_path, output_dir):
    page_file = tmp_path / "matrix.html"
    code, _, err = run_cli("matrix", "--on", "2022-06-01", "--diff", "2021-06-01",
                           "--format", "html", "-o", str(page_file), store=hostile_store)
    assert code == 0, err
    text = page_file.read_text(encoding="utf-8")
    assert "<img src=x" not in text and "&lt;img src=x" in text
    assert "http://" not in text.split("<body>", 1)[1].split("<table", 1)[0]

    watched = WatchedPage(browser, viewport=(1500, 900))
    context, page = watched.context, watched.page
    errors, blocked, dialogs = watched.errors, watched.blocked, watched.dialogs
    try:
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate("() => !!(window.migkgMatrix && window.migkgMatrix.ready)")
        assert page.title().startswith("Responsibility matrix")  # not 'pwned'
        assert page.locator("img").count() == 0
        heads = page.locator("thead th").all_inner_texts()
        assert HOSTILE in heads  # the hostile label is shown as text
        # sticky headers
        assert page.evaluate(
            "() => getComputedStyle(document.querySelector('thead th')).position") == "sticky"
        # tooltip: the refugee-status cell of the Ministry of Labour names basis and sources
        row = page.locator("tbody tr", has_text="assignment of refugee status")
        tips = row.locator("td.cell").evaluate_all("els => els.map(e => e.title)")
        assert any("Presidential Decree of 19 July 2021" in t and "sources:" in t
                   and "change since 2021-06-01: added" in t for t in tips)
        assert any("removed" in t and "Ministry of Internal Affairs" in t for t in tips)
        page.screenshot(path=str(output_dir / "matrix-2022-diff.png"), full_page=False)
        # filter by function, then by body
        total = page.locator("tbody tr").count()
        page.fill("#filter-function", "refugee status")
        assert page.locator("tbody tr:not(.hidden)").count() == 1 < total
        page.fill("#filter-function", "")
        page.fill("#filter-body", "labour and social")
        visible = page.locator("thead th[data-col]:not(.hidden)").all_inner_texts()
        assert visible and all("Labour and Social" in v for v in visible)
    finally:
        context.close()
    assert blocked == [], blocked
    assert errors == [], errors
    assert dialogs == [], dialogs
