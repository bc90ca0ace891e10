"""Building the store: counts, atomic swaps, unchanged input, and clear errors on bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.errors import InputError, UsageError, ValidationFailed
from kg.store import build, open_store, read_manifest
from tests.conftest import run_cli


def test_build_loads_ontology_and_data(built_store: Path):
    manifest = read_manifest(built_store)
    assert manifest is not None
    assert manifest["triples"] > 1000
    assert any(name.startswith("migkg") for name in manifest["files"])
    assert "assignments.ttl" in manifest["files"]
    assert len(open_store(built_store)) == manifest["triples"]


def test_unchanged_input_is_not_rebuilt(tmp_path: Path):
    store = tmp_path / "s"
    first = build(store, progress=False)
    second = build(store, progress=False)
    assert not first.unchanged
    assert second.unchanged
    assert second.triples == first.triples


def test_failing_build_leaves_previous_store_untouched(tmp_path: Path):
    store = tmp_path / "s"
    good = build(store, progress=False)
    before = sorted(p.name for p in store.iterdir())
    bad = tmp_path / "broken.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "unterminated .\n')
    with pytest.raises(InputError) as err:
        build(store, extra=[bad], progress=False)
    assert "broken.ttl:2:" in str(err.value)
    assert sorted(p.name for p in store.iterdir()) == before
    assert len(open_store(store)) == good.triples


def test_check_violation_fails_the_build_and_keeps_the_store(tmp_path: Path):
    store = tmp_path / "s"
    good = build(store, progress=False)
    dangling = tmp_path / "dangling.ttl"
    dangling.write_text(
        "@prefix mig: <https://w3id.org/migkg/ontology#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "<https://w3id.org/migkg/id/assignment/x> mig:body "
        "<https://w3id.org/migkg/id/body/no-such-body> ;\n"
        "  dcterms:source <https://w3id.org/migkg/id/source/mussina-paper> .\n"
    )
    with pytest.raises(ValidationFailed) as err:
        build(store, extra=[dangling], progress=False)
    assert "no-such-body" in str(err.value)
    assert len(open_store(store)) == good.triples


def test_refuses_a_folder_that_is_not_a_store(tmp_path: Path):
    (tmp_path / "mine.txt").write_text("precious")
    with pytest.raises(UsageError):
        build(tmp_path, progress=False)
    assert (tmp_path / "mine.txt").read_text() == "precious"


def test_cli_build_and_stats(tmp_path: Path):
    store = tmp_path / "cli-store"
    code, out, err = run_cli("build", "--store", str(store))
    assert code == 0, err
    assert "triples" in out
    code, out, err = run_cli("stats", "--store", str(store), "--format", "json")
    assert code == 0, err
    assert '"assignment"' in out


def test_cli_syntax_error_is_one_line_with_file_and_line(tmp_path: Path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c ;\n  ex:d .\n")
    store = tmp_path / "s"
    code, _out, err = run_cli("build", "--store", str(store), "--data", str(bad))
    assert code == 1
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "bad.ttl:4:" in lines[0]
    assert not (store / "current").exists()


def test_cli_unknown_store_is_a_usage_error(tmp_path: Path):
    code, _out, err = run_cli("stats", "--store", str(tmp_path / "nowhere"))
    assert code == 2
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert "nowhere" in err


def test_store_folder_can_be_moved_whole(tmp_path: Path, built_store: Path):
    copy = tmp_path / "moved"
    shutil.copytree(built_store, copy, symlinks=True)
    assert len(open_store(copy)) == read_manifest(built_store)["triples"]
