"""The whole export is in OWL 2 DL, as the OWL API (the library Protégé uses) judges it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

RUN = ROOT / "tools" / "owl-profile" / "run.sh"


@pytest.mark.parametrize("fmt", ["ttl", "nt"])
def test_whole_export_has_no_owl2_dl_profile_violation(fmt, built_store: Path, tmp_path: Path):
    if shutil.which("javac") is None or not list(Path("/usr/share/java").glob("owlapi*.jar")):
        pytest.fail("the OWL 2 DL check needs javac and Debian's libowlapi-java (.ci/run installs)")
    graph = tmp_path / f"graph.{fmt}"
    code, _, err = run_cli("export", "--store", str(built_store), "--format", fmt,
                           "-o", str(graph))
    assert code == 0, err
    proc = subprocess.run(["sh", str(RUN), str(graph)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 profile violations" in proc.stdout
    assert "OWL 2 DL: OK" in proc.stdout


def test_the_profile_check_does_catch_punning(tmp_path: Path):
    punned = tmp_path / "punned.ttl"
    punned.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix ex: <http://example.org/> .\n"
        "<http://example.org/o> a owl:Ontology .\n"
        "ex:p a owl:ObjectProperty , owl:DatatypeProperty .\n"
        "ex:C a owl:Class .\n"
        "ex:x ex:p ex:C .\n"
    )
    proc = subprocess.run(["sh", str(RUN), str(punned)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "IllegalPunning" in proc.stdout
