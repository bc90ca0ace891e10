"""The benchmark's synthetic corpus is a graph the tool accepts (bench/generate.py).

Small size only (~10k triples); the timings live in bench/, never here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bench.generate import generate
from kg.validate import validate


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_generator_is_deterministic_by_seed(tmp_path):
    a, b, c = tmp_path / "a.ttl", tmp_path / "b.ttl", tmp_path / "c.ttl"
    assert generate(a, 3000, seed=7) == generate(b, 3000, seed=7)
    generate(c, 3000, seed=8)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_generated_corpus_passes_validate(tmp_path):
    count = generate(tmp_path / "synthetic.ttl", 10_000, seed=42)
    assert 10_000 <= count < 12_000
    report = validate([tmp_path], include_data=False)  # syntax, SHACL, checks, OWL
    assert report.stages_run == ["syntax", "shacl", "checks", "owl"]
    assert report.ok, "\n".join(f"[{f.stage}] {f.line()}" for f in report.findings[:20])


def test_generated_corpus_has_every_gap_kind(tmp_path):
    from kg.gaps import gap_queries, gaps
    from kg.store import build

    generate(tmp_path / "data" / "synthetic.ttl", 10_000, seed=42)
    store = build(tmp_path / "store", extra=[tmp_path / "data"], include_data=False,
                  progress=False)
    assert not store.unchanged
    report = gaps("2022-06-01", store=store.store)
    found = {g.kind for g in report.gaps}
    expected = {q.header.get("kind", q.path.stem) for q in gap_queries()}
    assert found == expected
