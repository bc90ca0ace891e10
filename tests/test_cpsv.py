"""``migkg export --profile cpsv-ap``: the public services validate against the official
CPSV-AP 3.2.0 SHACL shapes (tests/vocab/, a copy of ../shared/vocab/) with zero violations,
and the competent authority follows the date (refugee status: MIA in 2021, MLSPP in 2022).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.namespaces import turtle_prologue
from tests.conftest import ROOT, run_cli

ID = "https://w3id.org/migkg/id/"
CV = "http://data.europa.eu/m8g/"
CPSV = "http://purl.org/vocab/cpsv#"
SHAPES = ROOT / "tests" / "vocab" / "cpsv-ap-3.2.0-SHACL.ttl"


def export(store, on: str, tmp_path: Path, fmt: str = "ttl"):
    import rdflib

    target = tmp_path / f"cpsv-{on}.{fmt}"
    code, _, err = run_cli("export", "--profile", "cpsv-ap", "--on", on, "--format", fmt,
                           "-o", str(target), store=store)
    assert code == 0, err
    assert "Traceback" not in err
    parse_as = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}[fmt]
    return rdflib.Graph().parse(target, format=parse_as), err


def violations(graph) -> tuple[bool, str]:
    import pyshacl
    import rdflib

    shapes = rdflib.Graph().parse(SHAPES)
    conforms, _report, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none",
                                               allow_warnings=False)
    return conforms, text


def authority(graph, service: str) -> set[str]:
    import rdflib

    return {str(o) for o in graph.objects(rdflib.URIRef(ID + "programme/" + service),
                                          rdflib.URIRef(CV + "hasCompetentAuthority"))}


@pytest.mark.parametrize("on", ["2021-06-01", "2022-06-01"])
def test_zero_violations_of_the_official_shapes(built_store, tmp_path, on):
    graph, _ = export(built_store, on, tmp_path)
    conforms, text = violations(graph)
    assert conforms, text
    import rdflib

    services = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(CPSV + "PublicService")))
    assert len(services) >= 3


def test_competent_authority_of_refugee_status_follows_the_transfer(built_store, tmp_path):
    before, _ = export(built_store, "2021-06-01", tmp_path)
    after, _ = export(built_store, "2022-06-01", tmp_path)
    assert authority(before, "service-refugee-status") == {ID + "body/ministry-of-internal-affairs"}
    assert authority(after, "service-refugee-status") == {ID + "body/ministry-of-labour"}
    assert authority(after, "service-work-permit-individuals") == {
        ID + "body/ministry-of-labour"}
    assert authority(after, "service-lea-permit") == {ID + "body/local-executive-bodies"}
    import rdflib

    legal = {str(o) for o in after.objects(rdflib.URIRef(ID + "programme/service-refugee-status"),
                                           rdflib.URIRef(CV + "hasLegalResource"))}
    assert legal == {ID + "act/pres-decree-2021-07-19"}


def test_services_with_no_derivable_authority_are_left_out_and_said(built_store, tmp_path):
    graph, err = export(built_store, "2022-06-01", tmp_path)
    assert "service-qandas-status left out" in err
    assert "service-adaptation-integration left out" in err
    assert not authority(graph, "service-qandas-status")


def test_participations_validate(tmp_path):
    """A non-lead body of a delivering function becomes a cv:Participation (shipped data has
    none on these dates: add one and validate again)."""
    from kg.store import build

    extra = tmp_path / "extra.ttl"
    extra.write_text(f"""
{turtle_prologue()}
asg:test-nsc a mig:Assignment ; rdfs:label "test"@en ;
    mig:body body:national-security-committee ; mig:function fn:refugee-status ;
    mig:role role:consulted ; mig:period period:test-nsc ; mig:evidenceGrade grade:E ;
    mig:legalBasisStatus mig:NotStatedInSources ; dcterms:source src:mussina-paper .
period:test-nsc a time:Interval ; time:hasBeginning period:test-nsc-start .
period:test-nsc-start a mig:UnknownInstant ; rdfs:comment "test" .
""", encoding="utf-8")
    store = tmp_path / "store"
    build(store, extra=[extra], checks=False, progress=False)
    graph, _ = export(store, "2022-06-01", tmp_path)
    import rdflib

    parts = list(graph.subjects(rdflib.RDF.type, rdflib.URIRef(CV + "Participation")))
    assert len(parts) == 1
    assert (parts[0], rdflib.URIRef(CV + "hasParticipant"),
            rdflib.URIRef(ID + "body/national-security-committee")) in graph
    conforms, text = violations(graph)
    assert conforms, text


@pytest.mark.parametrize("fmt", ["nt", "jsonld", "xml"])
def test_other_rdf_formats(built_store, tmp_path, fmt):
    graph, _ = export(built_store, "2022-06-01", tmp_path, fmt)
    assert violations(graph)[0]


def test_deterministic_and_the_plain_export_still_works(built_store, tmp_path):
    one = run_cli("export", "--profile", "cpsv-ap", "--on", "2022-06-01", store=built_store)
    two = run_cli("export", "--profile", "cpsv-ap", "--on", "2022-06-01", store=built_store)
    assert one[0] == 0 and one == two
    code, out, _ = run_cli("export", "--format", "nt", store=built_store)
    assert code == 0 and len(out.splitlines()) > 5000


@pytest.mark.parametrize("args", [
    ["--on", "1900-01-01"],
    ["--on", "2022-13-01"],
    ["--format", "xlsx"],
    ["--kind", "bodies"],
])
def test_bad_input_is_one_line_exit_2(built_store, args):
    code, _, err = run_cli("export", "--profile", "cpsv-ap", *args, store=built_store)
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
