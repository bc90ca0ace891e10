"""The benchmark's synthetic corpus is a graph the tool accepts (bench/generate.py).

Small size only (~10k triples); the timings live in bench/, never here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from bench.generate import PER_FILE, corpus_files, file_count, generate
from kg.validate import validate


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in corpus_files(folder)}


def test_generator_is_deterministic_by_seed(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert generate(a, 3000, seed=7, files=3) == generate(b, 3000, seed=7, files=3)
    generate(c, 3000, seed=8, files=3)
    assert list(_digests(a)) == ["synthetic-001.ttl", "synthetic-002.ttl", "synthetic-003.ttl"]
    assert _digests(a) == _digests(b)
    assert _digests(a) != _digests(c)


def test_files_split_the_same_corpus_into_parts_of_about_equal_size(tmp_path):
    one, three = tmp_path / "one", tmp_path / "three"
    assert generate(one, 6000, seed=7, files=1) == generate(three, 6000, seed=7, files=3)
    graphs = []
    for folder in (one, three):
        store = ox.Store()
        for path in corpus_files(folder):
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        graphs.append(set(store))
    assert graphs[0] == graphs[1]
    sizes = [p.stat().st_size for p in corpus_files(three)]
    assert max(sizes) < 1.5 * min(sizes)


def test_default_file_count_follows_the_size():
    assert file_count(10_000) == 1
    assert file_count(1_000_000) == 1_000_000 // PER_FILE


def test_a_new_corpus_replaces_the_old_files(tmp_path):
    (tmp_path / "synthetic.ttl").write_text("# the one-file layout of before\n")
    (tmp_path / "mine.ttl").write_text("# not the generator's\n")
    generate(tmp_path, 3000, seed=7, files=3)
    generate(tmp_path, 3000, seed=7, files=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mine.ttl", "synthetic-001.ttl", "synthetic-002.ttl"]


def test_generated_corpus_passes_validate(tmp_path):
    count = generate(tmp_path, 10_000, seed=42, files=3)  # references across files
    assert 10_000 <= count < 12_000
    report = validate([tmp_path], include_data=False)  # syntax, SHACL, checks, OWL
    assert report.stages_run == ["syntax", "shacl", "checks", "owl"]
    assert report.ok, "\n".join(f"[{f.stage}] {f.line()}" for f in report.findings[:20])


def test_generated_corpus_has_every_gap_kind(tmp_path):
    from kg.gaps import gap_queries, gaps
    from kg.store import build

    generate(tmp_path / "data", 10_000, seed=42, files=3)  # loaded side by side
    store = build(tmp_path / "store", extra=[tmp_path / "data"], include_data=False,
                  progress=False)
    assert not store.unchanged
    report = gaps("2022-06-01", store=store.store)
    found = {g.kind for g in report.gaps}
    expected = {q.header.get("kind", q.path.stem) for q in gap_queries()}
    assert found == expected
