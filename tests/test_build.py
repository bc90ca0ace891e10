"""Building the store: counts, atomic swaps, unchanged input, and clear errors on bad input."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import InputError, UsageError, ValidationFailed
from kg.store import build, load_files, open_store, read_manifest, source_files
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


BROKEN = '@prefix ex: <http://example.org/> .\nex:a ex:b "unterminated .\n'


def _good_files(folder: Path, count: int) -> None:
    """``count`` valid Turtle files (a few hundred triples each) in ``folder``."""
    for i in range(count):
        lines = [f"ex:s{i}-{k} ex:p ex:o{k} ." for k in range(300)]
        (folder / f"part-{i}.ttl").write_text(
            "@prefix ex: <http://example.org/> .\n" + "\n".join(lines) + "\n")


@pytest.mark.parametrize("layout", ["one file", "among several"])
def test_failing_build_leaves_previous_store_untouched(tmp_path: Path, layout: str):
    store = tmp_path / "s"
    good = build(store, progress=False)
    before = sorted(p.name for p in store.iterdir())
    if layout == "one file":
        bad = tmp_path / "broken.ttl"
        extra = [bad]
    else:  # a folder of several files loaded side by side, the broken one among them
        folder = tmp_path / "several"
        folder.mkdir()
        _good_files(folder, 5)
        bad = folder / "part-2-broken.ttl"
        extra = [folder]
    bad.write_text(BROKEN)
    with pytest.raises(InputError) as err:
        build(store, extra=extra, progress=False)
    assert f"{bad.name}:2:" in str(err.value)
    assert len(str(err.value).splitlines()) == 1
    assert sorted(p.name for p in store.iterdir()) == before
    assert len(open_store(store)) == good.triples


def test_files_loaded_side_by_side_equal_one_by_one(tmp_path: Path):
    _good_files(tmp_path, 5)
    files = sorted(tmp_path.glob("*.ttl"))  # no blank nodes (labelled anew on each load)
    stores = []
    for workers in (1, 2):
        store = ox.Store(str(tmp_path / f"store-{workers}"))
        load_files(store, files, progress=False, workers=workers)
        stores.append(store)
    assert len(stores[0]) == 5 * 300
    assert list(stores[0]) == list(stores[1])


def test_progress_bar_counts_every_byte_from_several_threads(tmp_path: Path, capsys):
    _good_files(tmp_path, 4)
    files = source_files([tmp_path], include_data=False)
    load_files(ox.Store(str(tmp_path / "store")), files, progress=True, workers=2)
    err = capsys.readouterr().err
    assert err.endswith("\n")
    assert err.rstrip("\n").rsplit("\r", 1)[-1].startswith("loading [" + "#" * 30 + "] 100.0% ")


def test_after_an_error_no_file_starts_and_running_ones_finish(tmp_path: Path, monkeypatch):
    files = []
    for i, size in enumerate([50, 40, 30, 20, 10]):  # loaded largest first: bad, then f1
        path = tmp_path / ("bad.ttl" if i == 0 else f"f{i}.ttl")
        path.write_text("#" * size)
        files.append(path)
    started, finished = [], []

    def fake(store, path, bar):
        started.append(path.name)
        if path.name == "bad.ttl":
            time.sleep(0.2)  # f1 has started meanwhile, in the other thread
            raise InputError(f"{path.name}:1:1: Turtle syntax error")
        time.sleep(0.6)
        finished.append(path.name)

    monkeypatch.setattr("kg.store._load_file", fake)
    with pytest.raises(InputError, match=r"bad\.ttl:1:1"):
        load_files(ox.Store(), files, progress=False, workers=2)
    assert sorted(started) == ["bad.ttl", "f1.ttl"]
    assert finished == ["f1.ttl"]  # waited for before the error is raised


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


@pytest.mark.parametrize("layout", ["--data FILE", "--data-dir of several"])
def test_cli_syntax_error_is_one_line_with_file_and_line(tmp_path: Path, layout: str):
    folder = tmp_path / "data"
    folder.mkdir()
    bad = folder / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c ;\n  ex:d .\n")
    if layout == "--data FILE":
        source = ["--data", str(bad)]
    else:
        _good_files(folder, 4)
        source = ["--data-dir", str(folder)]
    store = tmp_path / "s"
    code, _out, err = run_cli("build", "--store", str(store), *source)
    assert code == 1
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "bad.ttl:4:" in lines[0]
    assert not (store / "current").exists()
    assert not list(store.glob("gen-*"))


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
