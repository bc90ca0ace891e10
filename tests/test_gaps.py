"""``migkg gaps``: each gap kind finds its paper example from the graph's structure.

Kinds the shipped data does not trigger (several leads, a system the new lead cannot reach,
a function lost in a reorganisation) are checked on the shipped graph plus a few triples in
a temporary store, each with its negative counterpart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.namespaces import turtle_prologue
from kg.queries import load
from tests.conftest import run_cli

KINDS = {
    "no-lead": "/mgi/2-institutional-framework",
    "several-leads-no-coordinator": "/mgi/2-transparency-coherence",
    "system-access": "/mgi/2-migration-data",
    "lost-in-reorganisation": "/mgi/2-institutional-framework",
    "unimplemented-recommendation": "/mgi/2-institutional-framework",
    "partner-no-agreement": "/mgi/3-regional-cooperation",
    "category-unserved": "/mgi/1",
    "expired-basis": "/mgi/2-migration-strategy",
    "quota-region-mismatch": "/mgi/4",
}
ID = "https://w3id.org/migkg/id/"
PREFIXES = turtle_prologue()


def gaps(store, *args: str) -> dict:
    code, out, err = run_cli("gaps", "--format", "json", *args, store=store)
    assert code == 0, err
    assert "Traceback" not in err
    return json.loads(out)


def of_kind(report: dict, kind: str) -> list[dict]:
    return [g for g in report["gaps"] if g["kind"] == kind]


def subject_iris(gap: dict) -> set[str]:
    return {s["iri"] for s in gap["subjects"]}


def test_every_gap_query_declares_kind_mgi_and_header():
    for kind, mgi in KINDS.items():
        stored = load(f"gaps/{kind}")
        assert stored.header["kind"] == kind
        assert stored.header["mgi"].replace("mgi:", "/mgi/") == mgi
        for key in ("title", "description", "parameters", "example", "explanation"):
            assert stored.header.get(key), (kind, key)
        # honest: found from the structure, never by naming the paper's examples
        text = stored.text.lower()
        for name in ("south-korea", "national-agency", "irregular-migrant", "berkut",
                     "concept-2017", "qandas", "akmola"):
            assert name not in text, (kind, name)


def test_json_shape_and_mgi_coding(built_store):
    report = gaps(built_store, "--on", "2022-06-01")
    assert report["on"] == "2022-06-01"
    assert report["gaps"]
    for gap in report["gaps"]:
        assert set(gap) >= {"kind", "title", "subjects", "explanation", "sources", "mgi"}
        assert gap["kind"] in KINDS
        assert gap["mgi"]["iri"].endswith(KINDS[gap["kind"]])
        assert gap["subjects"] and all(s["iri"] and s["label"] for s in gap["subjects"])
        assert gap["explanation"].endswith(".")
        assert "{" not in gap["explanation"]
        assert all(s["iri"].startswith(ID + "source/") for s in gap["sources"])


def test_by_mgi_puts_every_finding_under_a_domain(built_store):
    report = gaps(built_store, "--on", "2022-06-01", "--by", "mgi")
    domains = report["domains"]
    assert sum(d["count"] for d in domains) == len(report["gaps"])
    assert all(d["domain"]["iri"].rsplit("/", 1)[-1] in "123456" for d in domains)
    assert {d["domain"]["label"][0] for d in domains} >= {"1", "2", "3"}
    code, out, _ = run_cli("gaps", "--on", "2022-06-01", "--by", "mgi", store=built_store)
    assert code == 0 and "== 2 Whole-of-government approach" in out


def test_national_agency_for_migration(built_store):
    found = [g for g in of_kind(gaps(built_store, "--on", "2022-06-01"),
                                "unimplemented-recommendation")
             if ID + "body/national-agency-for-migration" in subject_iris(g)]
    assert len(found) == 1
    assert "does not exist" in found[0]["explanation"]
    assert ID + "source/iom-migration-profile-2014-2019" in {s["iri"] for s in found[0]["sources"]}


def test_south_korea_has_no_agreement_but_treaty_partners_do(built_store):
    found = of_kind(gaps(built_store, "--on", "2022-06-01"), "partner-no-agreement")
    countries = {g["subjects"][0]["iri"].rsplit("/", 1)[-1] for g in found}
    assert "south-korea" in countries
    assert "russia" not in countries and "belarus" not in countries


def test_irregular_migrant_workers_have_no_complaint_channel(built_store):
    found = [g for g in of_kind(gaps(built_store, "--on", "2022-06-01"), "category-unserved")
             if g["subjects"][0]["iri"] == ID + "category/irregular-migrant-workers"]
    assert len(found) == 1
    assert ID + "function/complaints-irregular-migrants" in subject_iris(found[0])
    assert "nobody holds" in found[0]["explanation"]
    assert found[0]["mgi"]["domain"]["iri"].endswith("/mgi/1")
    # a category that bodies do serve is not reported
    served = {g["subjects"][0]["iri"] for g in of_kind(gaps(built_store, "--on", "2022-06-01"),
                                                       "category-unserved")}
    assert ID + "category/refugees" not in served


@pytest.mark.parametrize(("on", "expired"), [
    ("2021-06-01", False),   # the Concept 2017-2021 is in force
    ("2022-06-01", True),    # expired; the Concept 2023-2027 not yet in force
    ("2022-12-15", True),    # approved on 30 Nov 2022, but its period starts in 2023
    ("2024-01-01", False),   # the successor is in force
])
def test_expired_concept_and_its_successor(built_store, on, expired):
    found = [g for g in of_kind(gaps(built_store, "--on", on), "expired-basis")
             if g["subjects"][0]["iri"] == ID + "act/concept-2017-2021"]
    assert bool(found) is expired
    if found:
        assert "2021-12-31" in found[0]["explanation"]
        assert ID + "act/concept-2023-2027" in subject_iris(found[0])


def test_superseded_concept_is_not_reported_as_expired(built_store):
    found = of_kind(gaps(built_store, "--on", "2024-01-01"), "expired-basis")
    assert ID + "act/concept-2007-2015" not in {g["subjects"][0]["iri"] for g in found}


def test_quota_regions_differ_from_settlement(built_store):
    found = of_kind(gaps(built_store, "--on", "2022-06-01"), "quota-region-mismatch")
    assert len(found) == 1
    iris = subject_iris(found[0])
    assert ID + "place/akmola-region" in iris and ID + "place/almaty-region" in iris
    assert "28.5" in found[0]["explanation"]


def test_no_lead_on_the_complaint_function_but_lead_on_transferred_ones(built_store):
    found = {g["subjects"][0]["iri"] for g in of_kind(gaps(built_store, "--on", "2022-06-01"),
                                                      "no-lead")}
    assert ID + "function/complaints-irregular-migrants" in found
    for fn in ("refugee-status", "permits-individuals", "main-directions-migration-policy",
               "proposals-main-directions"):  # the last through its broader function
        assert ID + f"function/{fn}" not in found


def test_min_grade_filters_and_rejects_unknown(built_store):
    everything = gaps(built_store, "--on", "2022-06-01")
    strict = gaps(built_store, "--on", "2022-06-01", "--min-grade", "B")
    assert len(strict["gaps"]) <= len(everything["gaps"])
    assert all(g["evidence"] in ("A", "B") for g in strict["gaps"])
    assert len(gaps(built_store, "--on", "2022-06-01", "--min-grade", "e")["gaps"]) == len(
        everything["gaps"])
    code, _, err = run_cli("gaps", "--min-grade", "Z", store=built_store)
    assert code == 2 and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("bad", ["2022-13-01", "yesterday", "", "2022-06-01'}"])
def test_bad_date_is_one_line_exit_2(built_store, bad):
    code, _, err = run_cli("gaps", "--on", bad, store=built_store)
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_output_is_deterministic_and_md_works(built_store):
    first = run_cli("gaps", "--on", "2022-06-01", "--format", "json", store=built_store)
    second = run_cli("gaps", "--on", "2022-06-01", "--format", "json", store=built_store)
    assert first == second
    code, out, _ = run_cli("gaps", "--on", "2022-06-01", "--format", "md", store=built_store)
    assert code == 0 and out.startswith("# Gaps on 2022-06-01")


def test_python_api(built_store):
    import kg

    report = kg.gaps("2022-06-01", store=built_store)
    assert report.on == "2022-06-01"
    assert {g.kind for g in report.gaps} >= {"unimplemented-recommendation",
                                             "partner-no-agreement", "category-unserved",
                                             "expired-basis", "quota-region-mismatch"}
    assert report.to_dict()["gaps"][0]["kind"] == report.gaps[0].kind


# --- kinds the shipped data does not trigger: add a few triples ------------------------------

def _store_with(tmp_path: Path, turtle: str) -> Path:
    from kg.store import build

    tmp_path.mkdir(parents=True, exist_ok=True)
    extra = tmp_path / "extra.ttl"
    extra.write_text(PREFIXES + turtle, encoding="utf-8")
    store = tmp_path / "store"
    build(store, extra=[extra], checks=False, progress=False)
    return store


def test_system_access_after_the_transfer(tmp_path):
    """If permits for individuals needed Berkut's data, the 2022 transfer would leave the new
    lead (Ministry of Labour) without access; the Ministry of Internal Affairs had it."""
    store = _store_with(tmp_path, "fn:permits-individuals mig:dependsOnSystem sys:berkut .\n")
    after = of_kind(gaps(store, "--on", "2022-06-01"), "system-access")
    assert len(after) == 1
    assert subject_iris(after[0]) == {ID + "function/permits-individuals",
                                      ID + "body/ministry-of-labour", ID + "system/berkut"}
    assert not of_kind(gaps(store, "--on", "2021-06-01"), "system-access")


def test_system_access_through_data_exchange_is_access(built_store):
    """The unified database depends on the MIA/NSC/MFA systems and exchanges data with them."""
    assert not of_kind(gaps(built_store, "--on", "2022-06-01"), "system-access")


def test_function_lost_in_reorganisation(tmp_path):
    store = _store_with(tmp_path, """
asg:test-lost a mig:Assignment ;
    mig:body body:ministry-of-internal-affairs ; mig:function fn:e-visa-services ;
    mig:role role:lead ; mig:period period:until-2021-12-31-test ;
    mig:endedBy event:transfer-2022 .
period:until-2021-12-31-test time:hasEnd period:2021-12-31 .
""")
    found = of_kind(gaps(store, "--on", "2022-06-01"), "lost-in-reorganisation")
    assert [g["subjects"][0]["iri"] for g in found] == [ID + "function/e-visa-services"]
    assert not of_kind(gaps(store, "--on", "2021-06-01"), "lost-in-reorganisation")
    # the shipped transfer names a successor for every function it ended
    assert not [g for g in found if "refugee" in g["subjects"][0]["iri"]]


def test_several_leads_and_then_a_coordinator(tmp_path):
    two_leads = """
asg:test-lead-1 a mig:Assignment ; mig:body body:ministry-of-health ;
    mig:function fn:educational-migration-policy ; mig:role role:lead ;
    mig:period period:open-test .
asg:test-lead-2 a mig:Assignment ; mig:body body:ministry-of-education ;
    mig:function fn:educational-migration-policy ; mig:role role:lead ;
    mig:period period:open-test .
period:open-test a time:Interval .
"""
    store = _store_with(tmp_path / "a", two_leads)
    found = of_kind(gaps(store, "--on", "2022-06-01"), "several-leads-no-coordinator")
    assert len(found) == 1
    assert {ID + "body/ministry-of-health", ID + "body/ministry-of-education"} <= subject_iris(
        found[0])
    coordinated = _store_with(tmp_path / "b", two_leads + """
asg:test-coordinator a mig:Assignment ; mig:body body:government ;
    mig:function fn:educational-migration-policy ; mig:role role:coordinator ;
    mig:period period:open-test .
""")
    assert not of_kind(gaps(coordinated, "--on", "2022-06-01"), "several-leads-no-coordinator")


def test_gaps_runs_the_queries_without_their_final_order_but_keeps_limits():
    """gaps() sorts the rows itself, so the outer ORDER BY (a slow sort on IRIs) is dropped;
    one that a LIMIT depends on, or one inside a subquery, stays."""
    from kg.gaps import _unordered

    ordered = "SELECT * { ?s ?p ?o }\nORDER BY ?s DESC(?o)\n"
    assert _unordered(ordered).rstrip() == "SELECT * { ?s ?p ?o }"
    grouped = "SELECT ?s { ?s ?p ?o } GROUP BY ?s ORDER BY ?s"
    assert _unordered(grouped).rstrip().endswith("GROUP BY ?s")
    limited = "SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 3"
    assert _unordered(limited) == limited
    inner = "SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 1 } ?s ?q ?r }"
    assert _unordered(inner) == inner


def test_a_findings_plain_data_is_what_asdict_gives(built_store):
    from dataclasses import asdict

    from kg.gaps import gaps

    report = gaps("2022-06-01", store=built_store)
    assert report.gaps
    assert [g.to_dict() for g in report.gaps] == [asdict(g) for g in report.gaps]


@pytest.mark.parametrize("by_mgi", [False, True])
def test_gaps_json_is_the_standard_indented_json(built_store, by_mgi):
    """format_json (orjson, for speed) writes the text json.dumps(indent=2) would."""
    from kg.gaps import format_json, gaps

    report = gaps("2022-06-01", store=built_store)
    data = report.to_dict()
    if by_mgi:
        data["by"] = "mgi"
        data["domains"] = report.by_mgi()
    assert format_json(report, by_mgi=by_mgi) == json.dumps(data, indent=2, ensure_ascii=False)


def test_explanations_fill_placeholders_and_drop_segments_without_values():
    """A template's {name} is the first row's value, {name*} every distinct value, {on} the
    date; a […] segment with an empty placeholder goes; text from the data is inserted as
    it is, never read as a placeholder."""
    import pyoxigraph as ox

    from kg.gaps import _render

    template = 'No body leads "{label}" on {on}[; held by {holder*}][ ({missing})].'
    rows = [{"label": ox.Literal("a {on} [x]"), "holder": ox.Literal("B")},
            {"label": ox.Literal("other"), "holder": ox.Literal("C")},
            {"label": ox.Literal("a {on} [x]"), "holder": ox.Literal("B")}]
    assert _render(template, rows, "2022-06-01") == (
        'No body leads "a {on} [x]" on 2022-06-01; held by B and C.')
    assert _render(template, [], "2022-06-01") == 'No body leads "" on 2022-06-01.'
