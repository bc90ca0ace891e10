"""Every competency question (tests/competency-questions.md) answered through ``migkg query``
or ``migkg gaps``, the real CLI on the built store.

The expected answers below are copied from the competency questions (the paper's answers),
as this test's own data; they are not taken from the code's output.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

MIA = "Ministry of Internal Affairs"
MFA = "Ministry of Foreign Affairs"
MLSPP = "Ministry of Labour and Social Protection of Population"
NSC = "National Security Committee"
BASE = "https://w3id.org/migkg/id/"

# CQ id -> the answer the paper gives (tests/competency-questions.md)
EXPECTED = {
    "CQ01": {"number": "477-IV", "date": "2011-07-22", "title": "population migration"},
    "CQ02": [("1346", "2000-09-05"), ("399", "2007-08-28"), ("602", "2017-09-29")],
    "CQ03": {"main": "Government of the Republic of Kazakhstan", "proposals": MLSPP},
    "CQ04": {MIA, MFA, MLSPP, "Committee of Labour, Social Protection and Migration", NSC,
             "Ministry of Education", "Ministry of Health", "local executive bodies"},
    "CQ05": {"2021-06-01": MIA, "2022-06-01": MLSPP},
    "CQ06": {f"{BASE}body/ministry-of-internal-affairs", f"{BASE}body/border-service",
             f"{BASE}body/ministry-of-foreign-affairs"},
    "CQ07": MLSPP,
    "CQ08": (MLSPP, {f"{BASE}system/mia-systems", f"{BASE}system/nsc-systems",
                     f"{BASE}system/mfa-systems"}),
    "CQ09": "local executive bodies",
    "CQ10": ("Otandastar Foundation", "partners of the IOM"),
    "CQ11": {"2021": 17540, "1991-2021": 1087800},
    "CQ12": {"2021": 941, "2022": 1499, "order": ("39", "2021-02-13")},
    "CQ13": {"Akmola", "East Kazakhstan", "Kostanay", "Pavlodar", "North Kazakhstan"},
    "CQ14": (MIA, "migration police"),
    "CQ15": (15527, [("China", 3784), ("Great Britain", 1996), ("Turkey", 1985),
                     ("India", 1182), ("Uzbekistan", 1138)]),
    "CQ16": ("Treaty on the Eurasian Economic Union", "XXVI", "Labour Migration"),
    "CQ17": ("On measures to further improve the public administration system",
             "2021-07-19", "2022-01-01"),
    "CQ18": {"relocation": (35, "family member", "one-time"), "rent": (15, 30, "monthly"),
             "programme": "Enbek"},
    "CQ19": ("National Agency for Migration", "Advanced Migration Profile 2014"),
    "CQ20": ("South Korea", 11126),
}


def select(store, name: str, *binds: str) -> list[dict[str, str]]:
    """Run ``migkg query NAME --bind … --format json``; rows as {var: value}."""
    args = ["query", name, "--format", "json"]
    for bind in binds:
        args += ["--bind", bind]
    code, out, err = run_cli(*args, store=store)
    assert code == 0, err
    assert "Traceback" not in err
    data = json.loads(out)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def gaps_json(store, *args: str) -> dict:
    code, out, err = run_cli("gaps", "--format", "json", *args, store=store)
    assert code == 0, err
    return json.loads(out)


def labels(rows, var: str) -> set[str]:
    return {r[var] for r in rows if var in r}


def test_cq01_migration_law(built_store):
    rows = select(built_store, "cq01-migration-law")
    first = rows[0]
    want = EXPECTED["CQ01"]
    assert first["number"] == want["number"]
    assert first["date"] == want["date"]
    assert want["title"] in first["lawLabel"]
    assert int(first["citations"]) > 0


def test_cq02_concept_approvals_in_order(built_store):
    rows = select(built_store, "cq02-concept-approvals")
    approvals = [(r["number"], r["date"]) for r in rows if r["relation"] in ("approves",
                                                                            "endorses")]
    assert approvals[:3] == EXPECTED["CQ02"]
    drafts = [r for r in rows if r["relation"] == "draft"]
    assert any("2022" in r["conceptLabel"] and "2026" in r["conceptLabel"] for r in drafts)
    assert rows[-1]["relation"] == "draft"  # drafts come after the dated approvals


@pytest.mark.parametrize("on", ["2021-06-01", "2022-06-01"])
def test_cq03_main_directions_and_proposals(built_store, on):
    rows = select(built_store, "cq03-main-directions", f"on={on}")
    main = [r for r in rows if r["part"] == r["function"]]
    proposals = [r for r in rows if r["part"].endswith("/proposals-main-directions")]
    assert labels(main, "bodyLabel") == {EXPECTED["CQ03"]["main"]}
    assert {r["role"].rsplit("/", 1)[-1] for r in main} == {"lead"}
    assert labels(proposals, "bodyLabel") == {EXPECTED["CQ03"]["proposals"]}


def test_cq04_implementing_bodies(built_store):
    rows = select(built_store, "cq04-implementing-bodies", "on=2022-06-01")
    assert labels(rows, "bodyLabel") == EXPECTED["CQ04"]
    committee = [r for r in rows if r["bodyLabel"].startswith("Committee of Labour")]
    assert committee and committee[0]["unitOfLabel"] == MLSPP


@pytest.mark.parametrize("on", ["2021-06-01", "2022-06-01"])
def test_cq05_permits_individuals_by_date(built_store, on):
    rows = select(built_store, "cq05-permits-individuals", f"on={on}")
    leads = {r["bodyLabel"] for r in rows if r["role"].endswith("/lead")}
    assert leads == {EXPECTED["CQ05"][on]}


def test_cq05_asked_differently(built_store):
    """The same question through the general query, the function bound by CURIE and by IRI."""
    for on, body in EXPECTED["CQ05"].items():
        rows = select(built_store, "assignments-on-date", f"on={on}")
        leads = {r["bodyLabel"] for r in rows
                 if r["function"].endswith("/permits-individuals") and r["role"].endswith("/lead")}
        assert leads == {body}
        for fn in ("fn:permits-individuals", f"<{BASE}function/permits-individuals>"):
            rows = select(built_store, "cq/cq05-permits-individuals", f"on={on}",
                          f"function={fn}")
            assert {r["bodyLabel"] for r in rows if r["role"].endswith("/lead")} == {body}
    # and the transfer as seen from the body: the Ministry of Labour's functions from 2022
    rows = select(built_store, "functions-by-body", "body=body:ministry-of-labour")
    assert any(r["function"].endswith("/permits-individuals") and r.get("from") == "2022-01-01"
               for r in rows)


def test_cq06_berkut(built_store):
    rows = select(built_store, "cq06-berkut", "on=2021-06-01")
    assert {r["body"] for r in rows} == EXPECTED["CQ06"]
    border = [r for r in rows if r["body"].endswith("/border-service")]
    assert border[0]["unitOfLabel"] == NSC


def test_cq07_foreign_labour_force(built_store):
    rows = select(built_store, "cq07-foreign-labour-force", "on=2022-06-01")
    assert labels(rows, "bodyLabel") == {EXPECTED["CQ07"]}


def test_cq08_unified_database(built_store):
    body, systems = EXPECTED["CQ08"]
    rows = select(built_store, "cq08-unified-database", "on=2022-06-01")
    assert labels(rows, "bodyLabel") == {body}
    assert labels(rows, "partnerSystem") == systems


def test_cq09_local_management(built_store):
    rows = select(built_store, "cq09-local-management", "on=2022-06-01")
    assert labels(rows, "bodyLabel") == {EXPECTED["CQ09"]}


def test_cq10_adaptation_integration(built_store):
    otandastar, ngos = EXPECTED["CQ10"]
    abroad = select(built_store, "cq10-adaptation-integration", "on=2022-06-01")
    assert any(otandastar in b for b in labels(abroad, "bodyLabel"))
    arriving = select(built_store, "cq10-adaptation-integration", "on=2022-06-01",
                      "category=cat:qandas")
    names = labels(arriving, "bodyLabel")
    assert any(otandastar in b for b in names)
    assert any(ngos in b for b in names)


def test_cq11_qandas_returns(built_store):
    rows = select(built_store, "cq11-qandas-returns")
    by_period = {}
    for r in rows:
        key = r.get("period") or f"{r['periodStart']}-{r['periodEnd']}"
        by_period[key] = int(r["count"])
    assert by_period == EXPECTED["CQ11"]


def test_cq12_qandas_quota(built_store):
    rows = select(built_store, "cq12-qandas-quota")
    sizes = {r["year"]: int(r["size"]) for r in rows}
    assert sizes["2021"] == EXPECTED["CQ12"]["2021"]
    assert sizes["2022"] == EXPECTED["CQ12"]["2022"]
    quota_2021 = next(r for r in rows if r["year"] == "2021")
    assert (quota_2021["setByNumber"], quota_2021["setByDate"]) == EXPECTED["CQ12"]["order"]
    assert "setBy" not in next(r for r in rows if r["year"] == "2022")  # not confirmed


def test_cq13_quota_regions(built_store):
    rows = select(built_store, "cq13-quota-regions")
    names = {r["regionLabel"].replace(" Region", "").replace(" region", "") for r in rows}
    assert names == EXPECTED["CQ13"]


@pytest.mark.parametrize("on", ["2021-06-01", "2022-06-01"])
def test_cq14_operation_migrant(built_store, on):
    mia, police = EXPECTED["CQ14"]
    rows = select(built_store, "cq14-operation-migrant", f"on={on}")
    assert {r["bodyLabel"] for r in rows if r["via"] == "conducted by"} == {mia}
    police_rows = [r for r in rows if r["bodyLabel"] == police]
    assert police_rows and police_rows[0]["unitOfLabel"] == mia


def test_cq15_lea_permits(built_store):
    total, top = EXPECTED["CQ15"]
    rows = select(built_store, "cq15-lea-permits")
    assert int(rows[0]["count"]) == total and "origin" not in rows[0]
    countries = [(r["originLabel"], int(r["count"])) for r in rows if "origin" in r]
    assert countries[:5] == top


@pytest.mark.parametrize("topic", [None, '"трудовая миграция"', '"Labor Migration"'])
def test_cq16_eaeu_labour_migration(built_store, topic):
    treaty, number, title = EXPECTED["CQ16"]
    binds = [f"topic={topic}"] if topic else []
    rows = select(built_store, "cq16-eaeu-labour-migration", *binds)
    sections = [r for r in rows if r.get("number") == number]
    assert sections, rows
    assert sections[0]["treatyLabel"] == treaty
    assert title in sections[0]["partLabel"]


def test_cq17_transfer_act(built_store):
    title, signed, effective = EXPECTED["CQ17"]
    rows = select(built_store, "cq17-transfer-act")
    assert rows
    for r in rows:
        assert title in r["actLabel"]
        assert r["signed"] == signed
        assert r["effective"] == effective
        assert r["fromLabel"] == MIA and r["toLabel"] == MLSPP
    moved = {r["function"].rsplit("/", 1)[-1] for r in rows}
    assert {"refugee-status", "permits-individuals", "interdepartmental-coordination"} <= moved


def test_cq18_quota_support(built_store):
    want = EXPECTED["CQ18"]
    rows = select(built_store, "cq18-quota-support")
    fixed = [r for r in rows if "amountMCI" in r]
    ranged = [r for r in rows if "amountMCIMin" in r]
    amount, per, how = want["relocation"]
    assert [(float(r["amountMCI"]), r["perRecipient"], r["frequency"]) for r in fixed] == [
        (amount, per, how)]
    low, high, how = want["rent"]
    assert [(float(r["amountMCIMin"]), float(r["amountMCIMax"]), r["frequency"])
            for r in ranged] == [(low, high, how)]
    assert all(want["programme"] in r["programmeLabel"] for r in rows)


def test_cq19_proposed_body_via_query_and_gaps(built_store):
    body, report = EXPECTED["CQ19"]
    rows = select(built_store, "cq19-proposed-bodies")
    assert labels(rows, "bodyLabel") == {body}
    assert any(report in r.get("citedInLabel", "") for r in rows)
    data = gaps_json(built_store, "--on", "2022-06-01", "--kind", "unimplemented-recommendation")
    found = [g for g in data["gaps"] if any(s["label"] == body for s in g["subjects"])]
    assert found and found[0]["mgi"]["domain"]["iri"].endswith("/mgi/2")


def test_cq20_destination_without_agreement_via_query_and_gaps(built_store):
    country, migrants = EXPECTED["CQ20"]
    rows = select(built_store, "cq20-emigration-no-agreement")
    assert rows[0]["countryLabel"] == country
    assert int(rows[0]["migrants"]) == migrants
    data = gaps_json(built_store, "--on", "2022-06-01", "--kind", "partner-no-agreement")
    korea = [g for g in data["gaps"] if g["subjects"][0]["label"] == country]
    assert len(korea) == 1
    assert str(migrants) in korea[0]["explanation"]
    assert korea[0]["mgi"]["domain"]["iri"].endswith("/mgi/3")
