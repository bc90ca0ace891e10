"""`migkg validate`: the shipped graph passes every stage; broken input fails, located."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli


def test_shipped_graph_passes_every_stage():
    code, out, err = run_cli("validate", timeout=300)
    assert code == 0, out + err
    assert "stages: syntax, shacl, checks, owl" in out
    assert "OK: no violations" in out


def test_syntax_error_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "typo.ttl"
    bad.write_text("@prefix mig: <https://w3id.org/migkg/ontology#> .\nmig:x mig:y mig:z\n")
    code, out, err = run_cli("validate", "--data", str(bad), "--skip", "owl")
    assert code == 1
    assert "typo.ttl:2:" in out or "typo.ttl:3:" in out
    assert "Traceback" not in err


def test_shacl_violation_is_reported_with_file_and_node(tmp_path: Path):
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix mig: <https://w3id.org/migkg/ontology#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/migkg/id/body/test-body> a mig:Ministry ;\n"
        '  rdfs:label "Test ministry"@en ;\n'
        "  dcterms:source <https://w3id.org/migkg/id/source/mussina-paper> .\n"
    )
    code, out, err = run_cli("validate", "--data", str(broken), "--skip", "owl")
    assert code == 1, out
    assert "broken.ttl: body:test-body:" in out
    assert "Russian" in out or "ru" in out
    assert "Traceback" not in err


def test_unknown_stage_is_a_usage_error():
    code, _, err = run_cli("validate", "--skip", "nonsense")
    assert code == 2
    assert "Traceback" not in err
