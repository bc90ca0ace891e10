"""Export writes the whole graph in every format, deterministically, and round-trips."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.export import FORMATS
from kg.store import open_store
from tests.conftest import run_cli

_PARSE = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
          "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_round_trips(fmt: str, built_store: Path, tmp_path: Path):
    out = tmp_path / f"graph.{fmt}"
    code, _, err = run_cli("export", "--store", str(built_store), "--format", fmt, "-o", str(out))
    assert code == 0, err
    exported = ox.Dataset(
        ox.Quad(t.subject, t.predicate, t.object)
        for t in ox.parse(path=str(out), format=_PARSE[fmt])
    )
    original = ox.Dataset(open_store(built_store).quads_for_pattern(None, None, None))
    exported.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    original.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    assert len(exported) == len(original)
    assert set(map(str, exported)) == set(map(str, original))


def test_export_is_deterministic(built_store: Path, tmp_path: Path):
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    run_cli("export", "--store", str(built_store), "-o", str(a))
    run_cli("export", "--store", str(built_store), "-o", str(b))
    assert a.read_bytes() == b.read_bytes()


def test_export_to_missing_folder_is_an_error(built_store: Path, tmp_path: Path):
    code, _, err = run_cli("export", "--store", str(built_store), "-o",
                           str(tmp_path / "no" / "such" / "x.ttl"))
    assert code == 2
    assert "Traceback" not in err
